"""Helpers for the account tests: read CSRF tokens from pages and codes from the outbox."""
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.extensions import db
from tests.conftest import deliver_queued
from seal_server.notify.models import OutboxMessage

NATIONAL_CODE = "0013542419"
MOBILE = "09121234567"


def csrf_from(response):
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def last_code(mobile=MOBILE):
    """The 6-digit code in the newest SMS to `mobile`, as its recipient would read it.

    A live server's own worker may have claimed the SMS a moment ago: then wait for it to land.
    """
    deliver_queued()
    # the newest SMS that carries a code: a live server's worker may deliver other messages to the same
    # number (a demo seal's notices) in between, or be sending the code right now
    deadline = time.monotonic() + 15
    while True:
        for message in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == mobile).order_by(OutboxMessage.id.desc())):
            found = re.search(r"\b(\d{6})\b", message.body)
            if found:
                return found.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no SMS with a code to {mobile}")
        db.session.rollback()
        time.sleep(0.1)


def sign_in(client, national_code=NATIONAL_CODE, mobile=MOBILE, lang=""):
    """Walk the real pages: enter the identifiers, read the SMS from the outbox, type the code."""
    page = client.get("/account/enter" + lang)
    response = client.post("/account/enter" + lang, data={
        "csrf_token": csrf_from(page), "national_code": national_code, "mobile": mobile})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"])
    with client.application.app_context():
        code = last_code(mobile)
    response = client.post("/account/code" + lang, data={"csrf_token": csrf_from(page), "code": code})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def later():
    return lambda now, seconds: now + timedelta(seconds=seconds)
