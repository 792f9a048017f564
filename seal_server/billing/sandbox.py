"""The built-in sandbox gateway: a real page of this service plays the bank, so demos run offline.

It follows Zarinpal's conventions (Authority and Status=OK|NOK on the callback, verify
with the amount), so the same service code handles both.
"""
import secrets
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import select

from ..clock import utcnow
from ..extensions import db
from .gateways import PaymentStart, Verification
from .models import SandboxCharge

PAID, CANCELLED, FAILED = "paid", "cancelled", "failed"
OUTCOMES = (PAID, CANCELLED, FAILED)


class SandboxGateway:
    name = "sandbox"

    def start(self, *, amount, callback_url, description, order_id):
        authority = "S" + secrets.token_hex(12)
        db.session.add(SandboxCharge(authority=authority, amount=amount, description=description[:200],
                                     callback_url=callback_url, created_at=utcnow()))
        db.session.flush()
        base = current_app.config["SEAL_BASE_URL"]
        return PaymentStart(authority=authority, redirect_url=f"{base}/billing/sandbox/{authority}")

    def callback_authority(self, args):
        return args.get("Authority", ""), args.get("Status") == "OK"

    def verify(self, *, authority, amount):
        charge = charge_for(authority)
        if charge is None or charge.outcome != PAID:
            return Verification(paid=False, message="the sandbox bank has no paid charge with this authority")
        if charge.amount != amount:
            return Verification(paid=False, message=f"amount mismatch: charged {charge.amount}, asked {amount}")
        charge.verified = True
        return Verification(paid=True, ref_id=charge.ref_id, card_pan="603799******0000",
                            message="verified")


def charge_for(authority):
    return db.session.scalar(select(SandboxCharge).where(SandboxCharge.authority == authority))


def decide(charge, outcome):
    """The payer's choice on the sandbox page; returns where the bank sends them back. Decided once."""
    if charge.outcome is None:
        charge.outcome = outcome
        if outcome == PAID:
            charge.ref_id = str(secrets.randbelow(9 * 10**9) + 10**9)
        db.session.commit()
    status = "OK" if charge.outcome == PAID else "NOK"
    separator = "&" if "?" in charge.callback_url else "?"
    return charge.callback_url + separator + urlencode({"Authority": charge.authority, "Status": status})
