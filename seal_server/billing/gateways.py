"""Payment gateways behind one small interface: request a payment, send the payer, verify it.

`ZarinpalGateway` speaks Zarinpal's REST v4 API; the sandbox gateway (billing/sandbox.py)
is a real page of this service, so the whole flow runs offline.
"""
from dataclasses import dataclass
from typing import Optional, Protocol

import requests


class GatewayError(Exception):
    """The gateway could not be reached or refused the request; the message is for operators."""


@dataclass(frozen=True)
class PaymentStart:
    authority: str
    redirect_url: str


@dataclass(frozen=True)
class Verification:
    paid: bool
    ref_id: Optional[str] = None
    card_pan: Optional[str] = None
    message: str = ""


class Gateway(Protocol):
    name: str

    def start(self, *, amount, callback_url, description, order_id) -> PaymentStart: ...

    def callback_authority(self, args) -> tuple: ...

    def verify(self, *, authority, amount) -> Verification: ...


class ZarinpalGateway:
    """Zarinpal REST v4: payment/request.json, StartPay/{authority}, payment/verify.json. Amounts in rials."""

    name = "zarinpal"

    def __init__(self, merchant_id, base_url="https://payment.zarinpal.com", timeout=(5, 20), session=None):
        self.merchant_id = merchant_id
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def _post(self, path, payload):
        try:
            response = self.session.post(f"{self.base_url}{path}", json=payload, timeout=self.timeout,
                                         headers={"Accept": "application/json"})
        except requests.Timeout:
            raise GatewayError("Zarinpal did not answer in time") from None
        except requests.RequestException as error:
            raise GatewayError(f"Zarinpal could not be reached: {type(error).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            raise GatewayError(f"Zarinpal answered HTTP {response.status_code} without JSON") from None
        if not isinstance(body, dict):
            raise GatewayError("Zarinpal answered with an unexpected body")
        return body

    @staticmethod
    def _error(body):
        errors = body.get("errors")
        if isinstance(errors, dict) and errors:
            return f"Zarinpal error {errors.get('code')}: {errors.get('message', '')}".strip()
        return None

    def start(self, *, amount, callback_url, description, order_id):
        body = self._post("/pg/v4/payment/request.json", {
            "merchant_id": self.merchant_id, "amount": amount, "currency": "IRR",
            "callback_url": callback_url, "description": description, "metadata": {"order_id": str(order_id)},
        })
        data = body.get("data")
        if self._error(body) or not isinstance(data, dict) or data.get("code") != 100 or not data.get("authority"):
            raise GatewayError(self._error(body) or "Zarinpal refused the payment request")
        authority = str(data["authority"])
        return PaymentStart(authority=authority, redirect_url=f"{self.base_url}/pg/StartPay/{authority}")

    def callback_authority(self, args):
        """(authority, payer said OK) from the callback's query string."""
        return args.get("Authority", ""), args.get("Status") == "OK"

    def verify(self, *, authority, amount):
        body = self._post("/pg/v4/payment/verify.json",
                          {"merchant_id": self.merchant_id, "amount": amount, "authority": authority})
        data = body.get("data")
        if isinstance(data, dict) and data.get("code") in (100, 101):
            return Verification(paid=True, ref_id=str(data.get("ref_id", "")), card_pan=data.get("card_pan"),
                                message="verified" if data["code"] == 100 else "already verified")
        return Verification(paid=False, message=self._error(body) or "not paid")
