"""The real delivery backends against real local servers: Kavenegar's REST shape over HTTP, SMTP via aiosmtpd."""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from seal_server.extensions import db
from seal_server.notify import service
from seal_server.notify.email import SmtpEmail
from seal_server.events import emit, worker
from seal_server.notify.models import OutboxMessage
from seal_server.notify.sms import DeliveryError, KavenegarSms


class FakeKavenegar(BaseHTTPRequestHandler):
    """Answers like Kavenegar's sms/send.json; the behaviour is picked by the API key in the path."""

    received = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        key = self.path.split("/")[2]
        FakeKavenegar.received.append((self.path, form))
        if key == "slow":
            time.sleep(2)
        if key == "garbage":
            body, status = b"<html>bad gateway</html>", 502
        elif key == "badkey":
            body, status = json.dumps({"return": {"status": 401, "message": "API key invalid"}, "entries": None}).encode(), 401
        else:
            body, status = json.dumps({"return": {"status": 200, "message": "ok"}, "entries": [
                {"messageid": 8792343, "receptor": form["receptor"][0], "status": 1}]}).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def kavenegar():
    FakeKavenegar.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeKavenegar)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_kavenegar_sends_receptor_message_and_sender(kavenegar):
    sms = KavenegarSms("goodkey", "10004346", kavenegar, timeout=2)
    assert sms.send("09121234567", "کد: ۱۲۳") == "8792343"
    path, form = FakeKavenegar.received[0]
    assert path == "/v1/goodkey/sms/send.json"
    assert form == {"receptor": ["09121234567"], "message": ["کد: ۱۲۳"], "sender": ["10004346"]}


@pytest.mark.parametrize("key, message", [
    ("badkey", "Kavenegar refused the message: status 401: API key invalid"),
    ("garbage", "Kavenegar answered HTTP 502 with a body that is not its JSON"),
    ("slow", "Kavenegar did not answer within 1 s"),
])
def test_kavenegar_failures_are_clear(kavenegar, key, message):
    with pytest.raises(DeliveryError) as caught:
        KavenegarSms(key, None, kavenegar, timeout=1).send("09121234567", "x")
    assert str(caught.value) == message


def test_kavenegar_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        KavenegarSms("k", None, f"http://127.0.0.1:{port}", timeout=1).send("09121234567", "x")
    assert str(caught.value).startswith("Kavenegar could not be reached")


@pytest.fixture
def kavenegar_app(app, kavenegar):
    app.config.update(SEAL_SMS_BACKEND="kavenegar", SEAL_KAVENEGAR_API_KEY="goodkey", SEAL_KAVENEGAR_URL=kavenegar)
    return app


def _queue_code(code, now, mobile="09121234567"):
    event = emit("account.sign_in_code", ("account", 0), {"minutes": 10}, "public", now=now,
                 to={"sms": mobile}, secrets={"code": code}, audit=False)
    db.session.commit()
    return event


def test_the_configured_backend_records_each_message(kavenegar_app, now):
    with kavenegar_app.app_context():
        first = _queue_code("123456", now)
        assert worker.deliver_due(now) == {"sent": 1, "retrying": 0, "dead": 0}
        kavenegar_app.config["SEAL_KAVENEGAR_API_KEY"] = "badkey"
        second = _queue_code("654321", now)
        assert worker.deliver_due(now) == {"sent": 0, "retrying": 1, "dead": 0}
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(r.backend, r.status, r.provider_id) for r in rows] == [("kavenegar", "sent", "8792343")]
        (sent,), (failed,) = first.deliveries, second.deliveries
        assert (sent.status, sent.provider_id, failed.status, failed.attempts) == ("sent", "8792343", "pending", 1)
        assert "401" in failed.last_error and failed.next_attempt_at > now
        assert first.secrets is None and second.secrets == {"code": "654321"}, "a code is kept only until delivered"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_smtp_delivers_to_a_real_server(smtp_server):
    inbox, port = smtp_server
    SmtpEmail("127.0.0.1", port, "seal@authority.example").send("admin@shop.example", "کد تأیید", "کد: 123456")
    (sender, recipients, content), = inbox.messages
    assert sender == "seal@authority.example" and recipients == ["admin@shop.example"]
    assert "Subject: =?utf-8?b?" in content and "Message-ID:" in content


def test_smtp_refusal_is_clear(smtp_server):
    inbox, port = smtp_server
    with pytest.raises(DeliveryError) as caught:
        SmtpEmail("127.0.0.1", port, "seal@authority.example").send("nobody@shop.example", "s", "b")
    assert str(caught.value) == "the mail server refused the address nobody@shop.example"
    assert inbox.messages == []


def test_codes_sent_for_real_are_not_kept(kavenegar_app, now, client):
    with kavenegar_app.app_context():
        _queue_code("123456", now)
        worker.deliver_due(now)
        row = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert "123456" not in row.body and "••••" in row.body
        assert service.kept_text("کد ۶۵۴۳۲۱", "kavenegar") == "کد ••••"
    kavenegar_app.config["SEAL_OUTBOX_PAGE"] = True
    page = kavenegar_app.test_client().get("/outbox").get_data(as_text=True)
    assert "09121234567" not in page, "messages really sent never show on the outbox page"
