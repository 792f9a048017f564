"""The badge while owners check their domains against a slow site: gunicorn sync against gthread.

Domain checks fetch the owner's site; the worker (`seal-server worker`) runs them now, and the web
process only queues them (POST /panel/applications/ID/domain/check). This benchmark keeps eight
owners pressing "check now" (each every 6 s, as the route's 10-a-minute limit allows) against a
local site that answers after --site-delay seconds, with a real worker running the checks, and
meanwhile measures the badge against the bare route serving the same bytes (alternating rounds,
as public_bench.py does). It reports the badge/bare ratio and p99 and the check route's own
latency, for the worker class given:

  .venv/bin/python bench/checks_bench.py --worker-class sync --database-url postgresql+psycopg://...
  .venv/bin/python bench/checks_bench.py --worker-class gthread --threads 4 --database-url ...
"""
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import badge_bench as bench
import public_bench

OWNERS = 8
PRESS_EVERY = 6.0  # seconds between one owner's presses (the route allows 10 a minute per address)


class SlowSite(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, delay):
        self.delay = delay

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler):  # noqa: N805 - the site's handler
                time.sleep(self.delay)
                body = b"<html><head><title>shop</title></head><body>no code here</body></html>"
                handler.send_response(200)
                handler.send_header("Content-Type", "text/html")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)

            def log_message(handler, *args):  # noqa: N805
                pass
        super().__init__(("127.0.0.1", 0), Handler)


def owners(env):
    """Eight signed-in owners with a draft each and a meta-tag challenge: (session cookie, csrf, path, challenge)."""
    os.environ.update(env)
    sys.path.insert(0, str(bench.REPO))
    from sqlalchemy import select

    from seal_server import create_app
    from seal_server.accounts.models import Account
    from seal_server.clock import utcnow
    from seal_server.events import worker
    from seal_server.extensions import db
    from seal_server.notify.models import OutboxMessage
    from seal_server.iran.identifiers import national_code_check_digit
    from seal_server.onboarding import domain, proof, service

    app = create_app()
    found = []
    for n in range(OWNERS):  # new people every run (a number that just got a code must wait for the next)
        first_nine = f"{random.randrange(10 ** 8, 10 ** 9):09d}"
        national_code = first_nine + str(national_code_check_digit(first_nine))
        mobile = f"0912{random.randrange(10 ** 7):07d}"
        client = app.test_client()
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{n + 1}"  # per-address code limits
        client.environ_base.update(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=address)
        page = client.get("/account/enter").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/account/enter", data={"csrf_token": token, "national_code": national_code, "mobile": mobile})
        with app.app_context():
            worker.deliver_due(utcnow())
            body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == mobile)
                                      .order_by(OutboxMessage.id.desc())).first()
        page = client.get("/account/code").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/account/code", data={"csrf_token": token, "code": re.search(r"\b(\d{6})\b", body).group(1)})
        with app.app_context():
            account = db.session.scalars(select(Account).where(Account.national_code == national_code)).one()
            application = service.open_application(account, utcnow())
            application.domain, application.name_fa = f"slow{n}.bench.example", "فروشگاه کند"
            application.owns_domain_declared_at = utcnow()
            db.session.commit()
            challenge = domain.start(application, proof.META, None, utcnow()).id
            path = f"/panel/applications/{application.id}/domain"
        page = client.get(path).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        found.append((client.get_cookie("session").value, token, path, challenge))
    return found


def press(port, owner, n, stop, latencies, lock):
    """One owner pressing "check now" every PRESS_EVERY seconds; records (seconds, status) of each press."""
    session, token, path, challenge = owner
    body = urlencode({"csrf_token": token, "challenge": challenge})
    while not stop.wait(PRESS_EVERY * (0.5 + (n % 4) / 8)):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        try:
            connection.request("POST", path + "/check", body, {
                "Cookie": f"session={session}", "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": f"10.0.0.{n + 1}"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError as error:
            status = type(error).__name__
        finally:
            connection.close()
        with lock:
            latencies.append((time.perf_counter() - started, status))


def main(argv=None):
    args = public_bench.parse_args(["--route", "badge", *(argv if argv is not None else sys.argv[1:])])
    site_delay = float(os.environ.get("BENCH_SITE_DELAY", "5"))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    started = datetime.now(timezone.utc)
    site = SlowSite(site_delay)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="seal-checks-bench-") as tmp:
        workdir = Path(tmp)
        env = dict(os.environ)
        env.update({
            "SEAL_ENV": "development", "SEAL_SECRET_KEYS": "bench-key-" + "x" * 40,
            "SEAL_STATUS_KEYS": "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "SEAL_DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "SEAL_OUTBOX_PAGE": "0", "PYTHONDONTWRITEBYTECODE": "1", "SEAL_TRUSTED_PROXIES": "1",
            "SEAL_FETCH_HOSTS": "*.bench.example=127.0.0.1", "SEAL_FETCH_ALLOW_LOOPBACK": "1",
            "SEAL_FETCH_HTTP_PORT": str(site.server_port), "SEAL_FETCH_HTTPS_PORT": str(bench.free_ports(1)[0]),
        })
        env.pop("SEAL_DEMO", None)
        real_port, bare_port = bench.free_ports(2)
        env["SEAL_BASE_URL"] = f"http://127.0.0.1:{real_port}"
        path = public_bench.prepare(args, env)
        people = owners(env)
        servers, stop, lock, latencies = [], threading.Event(), threading.Lock(), []
        worker = subprocess.Popen([bench.BIN / "seal-server", "worker", "--poll", "0.5"], env=env, cwd=bench.REPO,
                                  stdout=subprocess.DEVNULL, stderr=open(workdir / "worker.log", "w"),
                                  start_new_session=True)
        pressers = []
        try:
            real = bench.Server("route", "seal_server:create_app()", real_port, args, env, workdir, bench.REPO)
            servers.append(real)
            real.wait_ready("/healthz")
            real_url = f"http://127.0.0.1:{real_port}{path}"
            status, headers, body = bench.fetch(real_url)
            bare, bare_url = public_bench.start_bare(body, headers, path, bare_port, args, env, workdir, servers)
            pressers = [threading.Thread(target=press, args=(real_port, owner, n, stop, latencies, lock))
                        for n, owner in enumerate(people)]
            for thread in pressers:
                thread.start()
            print(f"badge {path}; {OWNERS} owners pressing every {PRESS_EVERY:.0f} s, site answers after "
                  f"{site_delay:.0f} s; gunicorn {args.workers} x {args.worker_class} x {args.threads}")
            runs, load_before, load_after = public_bench.alternate(real, real_url, bare, bare_url, args)
        except bench.BenchError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        finally:
            stop.set()
            for thread in pressers:
                thread.join(70)
            for server in servers:
                server.stop()
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
            site.shutdown()
    ratios = [r["rps"] / b["rps"] for r, b in zip(runs["route"], runs["bare"])]
    seconds = sorted(latency for latency, _ in latencies)
    statuses = {}
    for _, status in latencies:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    summary = {
        "worker_class": args.worker_class, "threads": args.threads, "ratio_median": statistics.median(ratios),
        "ratios": ratios, "p99_ms_median": statistics.median(r["p99_ms"] for r in runs["route"]),
        "check_presses": len(seconds), "check_statuses": statuses,
        "check_ms_median": 1000 * statistics.median(seconds) if seconds else None,
        "check_ms_max": 1000 * seconds[-1] if seconds else None, "load": [load_before, load_after],
    }
    print(f"badge/bare (median of rounds) {summary['ratio_median']:.3f} ({', '.join(f'{r:.3f}' for r in ratios)}); "
          f"badge p99 {summary['p99_ms_median']:.1f} ms; check presses {len(seconds)} {statuses}, "
          f"median {summary['check_ms_median'] or 0:.1f} ms, slowest {summary['check_ms_max'] or 0:.1f} ms; "
          f"load {load_before[0]:.1f} -> {load_after[0]:.1f}")
    if not args.no_save:
        results = bench.BENCH / "results"
        results.mkdir(exist_ok=True)
        out = results / f"checks-{args.worker_class}-{started:%Y%m%dT%H%M%SZ}.json"
        out.write_text(json.dumps({"settings": vars(args), "summary": summary, "runs": runs}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
