import re
from datetime import timedelta

import jdatetime
import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from tests.conftest import deliver_queued
from tests.factories import issue

BUYER = "09351112233"


def jalali(day):
    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year}/{j.month:02d}/{j.day:02d}"


def form(now, **changes):
    values = {"paid_on": jalali((now - timedelta(days=3)).date()), "amount": "1,250,000",
              "payment_ref": "123456789012", "card_last4": "4321", "order_number": "A-17",
              "description": "The parcel never arrived and nobody answers the phone.", "mobile": BUYER}
    values.update(changes)
    return values


def sms_code(mobile=BUYER):
    deliver_queued()
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == mobile)
                                 .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.fixture
def app_config(tmp_path):
    """Attachments and evidence go to the test's own directory."""
    return {"SEAL_UPLOAD_DIR": str(tmp_path / "uploads")}


@pytest.fixture
def sealed(ctx, now):
    """An active seal whose owner has an account (so they can answer)."""
    seal = issue(now=now)
    account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
    db.session.add(account)
    db.session.flush()
    seal.business.owner.account_id = account.id
    db.session.commit()
    return seal, account


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pay_at_the_bank(arbitration_row, now, outcome="paid"):
    """Start a payment of the arbitration's fee and decide it at the sandbox bank; (payment, callback args)."""
    from urllib.parse import parse_qs, urlsplit

    from seal_server.billing import sandbox
    from seal_server.billing import service as billing

    payment, _ = billing.start_payment(arbitration_row.invoice, gateway=sandbox.SandboxGateway(),
                                       callback_url="http://seal.test/complaints/arbitration/paid/"
                                       + arbitration_row.invoice.number, now=now)
    back = sandbox.decide(sandbox.charge_for(payment.authority), outcome)
    return payment, {key: values[0] for key, values in parse_qs(urlsplit(back).query).items()}


def arbitrate(complaint, now):
    """The buyer starts arbitration and pays its fee at the sandbox bank: the shop's 72 hours run."""
    from seal_server.billing import sandbox
    from seal_server.billing import service as billing
    from seal_server.complaints import arbitration

    started = arbitration.start(complaint, now=now)
    _, args = pay_at_the_bank(started, now)
    billing.complete_payment(started.invoice.number, args, gateway=sandbox.SandboxGateway(), now=now)
    db.session.refresh(started)
    return started
