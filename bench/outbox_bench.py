"""Drain benchmark of the outbox: N due deliveries (half email to a local SMTP sink, half signed webhooks
to a local receiver) sent by W `seal-server worker --once` processes, against a baseline measured in the
same run: the same messages sent straight from one loop with no database (smtplib and a plain POST).

Usage: .venv/bin/python bench/outbox_bench.py [--deliveries 100000] [--workers 2] [--database URL]
Prints deliveries per second, the baseline and their ratio; checks that every delivery was sent once.
"""
import argparse
import json
import os
import secrets
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import datetime, timezone
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]


class Sink:
    def __init__(self):
        self.count = 0
        self.ids = set()

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


class _Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.hits += 1
        self.server.ids.add(self.headers.get("Seal-Event-Id"))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def start_peers():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    hook = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    hook.daemon_threads, hook.hits, hook.ids = True, 0, set()
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    return sink, smtp, hook


def baseline(smtp_port, hook_url, count):
    """Messages per second sent straight from one loop, no database: what the transports cost."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        for number in range(count // 2):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "a@seal.example", "b@shop.example", "s"
            message.set_content("نماد اعتماد " * 40)
            client.send_message(message)
    for number in range(count // 2):
        request = urllib.request.Request(hook_url, data=b'{"id":"x"}' * 40, method="POST",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()
    return count / (time.perf_counter() - started)


def env_for(database_url, smtp_port):
    return {**os.environ, "SEAL_DATABASE_URL": database_url, "SEAL_SECRET_KEYS": secrets.token_urlsafe(48),
            "SEAL_EMAIL_BACKEND": "smtp", "SEAL_SMTP_HOST": "127.0.0.1", "SEAL_SMTP_PORT": str(smtp_port),
            "SEAL_SMS_BACKEND": "outbox", "SEAL_OUTBOX_PAGE": "0", "SEAL_FETCH_ALLOW_LOOPBACK": "1"}


def seed(database_url, env, hook_url, count):
    """One seal with a webhook endpoint, then `count` due deliveries inserted with set-based SQL."""
    cli = [str(ROOT / ".venv/bin/seal-server")]
    subprocess.run(cli + ["init-db"], env=env, check=True, capture_output=True)
    issued = json.loads(subprocess.run(cli + ["issue", "--domain", "bench.example", "--name-fa", "فروشگاه",
                                              "--owner", "Bench Owner", "--json"], env=env, check=True,
                                             capture_output=True, text=True).stdout)
    subprocess.run(cli + ["webhook", "add", "--seal", issued["id"], "--url", hook_url, "--json"], env=env,
                   check=True, capture_output=True)
    engine = create_engine(database_url)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        seal_row = conn.execute(text("SELECT id FROM seals WHERE public_id = :p"), {"p": issued["id"]}).one()
        endpoint = conn.execute(text("SELECT id FROM webhook_endpoints")).scalar_one()
        payload = conn.execute(text("SELECT payload FROM events WHERE kind = 'seal.issued'")).scalar_one()
        conn.execute(text("DELETE FROM deliveries"))
        stamp = now if engine.dialect.name != "sqlite" else now.replace(tzinfo=None)
        events = [{"uid": str(uuid.uuid4()), "kind": "seal.suspended", "subject_type": "seal",
                   "subject_id": seal_row.id, "payload": payload if isinstance(payload, str) else json.dumps(payload),
                   "actor_kind": "cli", "created_at": stamp} for _ in range(count // 2)]
        conn.execute(text("INSERT INTO events (uid, kind, subject_type, subject_id, payload, actor_kind, created_at)"
                          " VALUES (:uid, :kind, :subject_type, :subject_id, :payload, :actor_kind, :created_at)"),
                     events)
        ids = [row.id for row in conn.execute(text("SELECT id FROM events WHERE kind = 'seal.suspended'"))]
        rows = []
        for event_id in ids:
            rows.append({"e": event_id, "c": "email", "r": "owner@bench.example", "ep": None, "t": stamp})
            rows.append({"e": event_id, "c": "webhook", "r": str(endpoint), "ep": endpoint, "t": stamp})
        conn.execute(text("INSERT INTO deliveries (event_id, channel, recipient, lang, status, attempts, "
                          "next_attempt_at, created_at, endpoint_id) VALUES (:e, :c, :r, 'fa', 'pending', 0, :t, :t, :ep)"),
                     rows)
    engine.dispose()
    return len(ids) * 2


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--baseline", type=int, default=2000, help="messages sent straight for the baseline")
    args = parser.parse_args()
    sink, smtp, hook = start_peers()
    hook_url = f"http://127.0.0.1:{hook.server_port}/hook"
    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database or f"sqlite:///{tmp}/outbox.sqlite3"
        if args.database and args.database.startswith("postgresql"):
            engine = create_engine(args.database)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        env = env_for(database_url, smtp.port)
        total = seed(database_url, env, hook_url, args.deliveries)
        sink.count, hook.hits, hook.ids = 0, 0, set()
        started = time.perf_counter()
        workers = [subprocess.Popen([str(ROOT / ".venv/bin/seal-server"), "worker", "--once"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                   for _ in range(args.workers)]
        for process in workers:
            _, err = process.communicate()
            if process.returncode != 0:
                sys.exit(f"a worker failed: {err.decode()[-2000:]}")
        elapsed = time.perf_counter() - started
        engine = create_engine(database_url)
        with engine.connect() as conn:
            statuses = dict(conn.execute(text("SELECT status, count(*) FROM deliveries GROUP BY status")).all())
        engine.dispose()
        sent_email, sent_hooks, distinct_events = sink.count, hook.hits, len(hook.ids)
        base = baseline(smtp.port, hook_url, args.baseline)
    smtp.stop()
    hook.shutdown()
    rate = total / elapsed
    print(json.dumps({"database": database_url.split(":")[0], "deliveries": total, "workers": args.workers,
                      "seconds": round(elapsed, 1), "deliveries_per_second": round(rate, 1),
                      "baseline_per_second": round(base, 1), "ratio": round(rate / base, 3),
                      "emails_received": sent_email, "webhooks_received": sent_hooks,
                      "distinct_webhook_events": distinct_events, "statuses": statuses}, indent=2))
    if statuses.get("sent") != total or sent_email != total // 2 or distinct_events != total // 2:
        sys.exit("not every delivery was sent exactly once")


if __name__ == "__main__":
    main()
