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
def sealed(ctx, now):
    """An active seal whose owner has an account (so they can answer)."""
    seal = issue(now=now)
    account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
    db.session.add(account)
    db.session.flush()
    seal.business.owner.account_id = account.id
    db.session.commit()
    return seal, account
