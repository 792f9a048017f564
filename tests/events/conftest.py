"""Real peers for the outbox: an SMTP server (aiosmtpd) and a webhook receiver that checks signatures."""
import email
import email.policy
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.onboarding.servers import free_port


def verify_signature(secret, header, body, now=None, tolerance=300):
    """What a receiver does (README's example): t fresh, some v1 equal to HMAC-SHA256(secret, "t.body")."""
    fields = [part.split("=", 1) for part in header.split(",")]
    timestamp = int(next(value for name, value in fields if name == "t"))
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for name, value in fields if name == "v1")


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = receiver.mode
        time.sleep(receiver.delay)
        if mode == "hang":
            time.sleep(receiver.hang_seconds)
        receiver.hits.append({"path": self.path, "body": body, "headers": dict(self.headers),
                              "json": json.loads(body) if body else None})
        status = {"ok": 200, "fail": 500, "redirect": 302, "hang": 200}[mode]
        self.send_response(status)
        if mode == "redirect":
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Receiver:
    """A webhook endpoint on 127.0.0.1; `mode` is ok, fail (500), redirect (302) or hang."""

    def __init__(self):
        self.mode, self.hang_seconds, self.delay, self.hits = "ok", 3, 0, []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
        self.server.daemon_threads = True
        self.server.receiver = self
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self):
        self.messages, self.refuse = [], False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "451 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def receiver():
    peer = Receiver()
    yield peer
    peer.close()


@pytest.fixture
def smtp():
    port = free_port()
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    yield mailbox
    controller.stop()


@pytest.fixture
def app_config(smtp):
    return {"SEAL_EMAIL_BACKEND": "smtp", "SEAL_SMTP_HOST": "127.0.0.1", "SEAL_SMTP_PORT": smtp.port,
            "SEAL_FETCH_ALLOW_LOOPBACK": True, "SEAL_WEBHOOK_TIMEOUT": 1}
