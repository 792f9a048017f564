"""Helpers for the registered-changes tests: an owner's seal with its application, posting forms, reading codes."""
import re

import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from seal_server.onboarding import terms
from seal_server.onboarding.models import Application
from seal_server.seals import service as seals
from tests.accounts.conftest import MOBILE, csrf_from, sign_in
from tests.conftest import deliver_queued
from tests.factories import make_business

SHOP = {"Referer": "https://shop.example/"}
CONTACT = {"email": "info@shop.example", "landline": "02188776655", "postal_code": "1234567891",
           "address": "خیابان آزادی، پلاک ۱۲", "province": "تهران", "city": "تهران", "category": "general",
           "sales_method": "direct"}


@pytest.fixture
def owner(client):
    sign_in(client)
    return client


def seal_for(app, *, micro=False, kind="standard", domain="shop.example", **fields):
    """A seal of the signed-in owner (MOBILE), issued from an approved application; returns its public id."""
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.mobile == MOBILE))
        business = make_business(domain, **{**CONTACT, **fields})
        business.owner.account_id = account.id
        seal = seals.issue_seal(business, now=utcnow(), actor="test", kind=kind)
        db.session.add(Application(account_id=account.id, status="approved", business_id=business.id, domain=domain,
                                   micro=micro, terms_version=terms.current()["version"], terms_accepted_at=utcnow(),
                                   created_at=utcnow(), updated_at=utcnow()))
        db.session.commit()
        return seal.public_id


def post(client, path, **data):
    """POST a form with a CSRF token from the owner's panel (`?lang=en` for English messages)."""
    token = csrf_from(client.get("/panel"))
    return client.post(path + ("&" if "?" in path else "?") + "lang=en", data={"csrf_token": token, **data})


def request_change(client, public_id, kind, **form):
    return post(client, f"/panel/seals/{public_id}/changes/new/{kind}", **form)


def act(client, location, action, **form):
    path = location.split("?")[0]
    return post(client, f"{path}/{action}", **form)


def newest_code(app, recipient, pattern=r"\b(\d{6})\b"):
    """The code in the newest message to `recipient` (email or SMS) in the outbox."""
    with app.app_context():
        deliver_queued()
        message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                     .order_by(OutboxMessage.id.desc())).first()
        assert message is not None, f"no message to {recipient}"
        return re.search(pattern, message.body).group(1)


def verify_page(client, public_id):
    """The public verification page in English (the code is looked up from the seal as it is now)."""
    with client.application.app_context():
        urls = seals.urls_for(seals.get_seal(public_id))
    return client.get(urls["verify_url"].replace("http://seal.test", "") + "&lang=en").get_data(as_text=True)
