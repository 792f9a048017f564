"""The Zarinpal adapter against a local HTTP server that answers as Zarinpal's v4 API does."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from seal_server.billing.gateways import GatewayError, ZarinpalGateway


class FakeZarinpal(BaseHTTPRequestHandler):
    answers = {}
    received = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((self.path, body))
        status, payload, delay = type(self).answers[self.path]
        time.sleep(delay)
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def zarinpal():
    FakeZarinpal.answers, FakeZarinpal.received = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeZarinpal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway = ZarinpalGateway("merchant-0000", base_url=f"http://127.0.0.1:{server.server_port}", timeout=(1, 1))
    yield gateway, FakeZarinpal
    server.shutdown()
    server.server_close()
    gateway.session.close()


REQUEST, VERIFY = "/pg/v4/payment/request.json", "/pg/v4/payment/verify.json"


def test_request_then_verify(zarinpal):
    gateway, fake = zarinpal
    fake.answers[REQUEST] = (200, {"data": {"code": 100, "message": "Success", "authority": "A0000012345"},
                                   "errors": []}, 0)
    start = gateway.start(amount=1_750_000, callback_url="http://127.0.0.1/cb", description="seal", order_id=7)
    assert start.authority == "A0000012345"
    assert start.redirect_url.endswith("/pg/StartPay/A0000012345")
    path, sent = fake.received[0]
    assert sent == {"merchant_id": "merchant-0000", "amount": 1_750_000, "currency": "IRR",
                    "callback_url": "http://127.0.0.1/cb", "description": "seal", "metadata": {"order_id": "7"}}
    fake.answers[VERIFY] = (200, {"data": {"code": 100, "ref_id": 201, "card_pan": "502229******5995"},
                                  "errors": []}, 0)
    result = gateway.verify(authority="A0000012345", amount=1_750_000)
    assert (result.paid, result.ref_id, result.card_pan) == (True, "201", "502229******5995")
    fake.answers[VERIFY] = (200, {"data": {"code": 101, "ref_id": 201}, "errors": []}, 0)
    assert gateway.verify(authority="A0000012345", amount=1_750_000).message == "already verified"


def test_callback_arguments(zarinpal):
    gateway, _ = zarinpal
    assert gateway.callback_authority({"Authority": "A1", "Status": "OK"}) == ("A1", True)
    assert gateway.callback_authority({"Authority": "A1", "Status": "NOK"}) == ("A1", False)
    assert gateway.callback_authority({}) == ("", False)


def test_refusals_and_failures(zarinpal):
    gateway, fake = zarinpal
    fake.answers[REQUEST] = (200, {"data": [], "errors": {"code": -9, "message": "The input params invalid",
                                                          "validations": []}}, 0)
    with pytest.raises(GatewayError, match="-9"):
        gateway.start(amount=1, callback_url="x", description="d", order_id=1)
    fake.answers[REQUEST] = (502, b"<html>bad gateway</html>", 0)
    with pytest.raises(GatewayError, match="without JSON"):
        gateway.start(amount=1, callback_url="x", description="d", order_id=1)
    fake.answers[REQUEST] = (200, {"data": {"code": 100}}, 0)  # no authority
    with pytest.raises(GatewayError):
        gateway.start(amount=1, callback_url="x", description="d", order_id=1)
    fake.answers[VERIFY] = (200, {"data": [], "errors": {"code": -51, "message": "Session is not valid"}}, 0)
    result = gateway.verify(authority="A1", amount=1)
    assert not result.paid and "-51" in result.message


def test_timeout_is_a_clear_error(zarinpal):
    gateway, fake = zarinpal
    fake.answers[VERIFY] = (200, {"data": {"code": 100}}, 2.5)
    with pytest.raises(GatewayError, match="in time"):
        gateway.verify(authority="A1", amount=1)


def test_unreachable_is_a_clear_error():
    gateway = ZarinpalGateway("m", base_url="http://127.0.0.1:9", timeout=(1, 1))
    with pytest.raises(GatewayError, match="could not be reached"):
        gateway.start(amount=1, callback_url="x", description="d", order_id=1)
