"""Renewals held at payment (the commitment or the seal changed): the staff console renews or refuses them."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.clock import utcnow
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.onboarding import terms
from seal_server.renewals import rules
from seal_server.renewals.models import Renewal
from seal_server.seals import service as seals
from tests.accounts.conftest import csrf_from
from tests.onboarding.payflow import pay_at_sandbox
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)

from .test_renewal import invoice_path, owner, renew_page, seal_for, seal_row, start  # noqa: F401  (a fixture)

NEW_TERMS = {"version": "2099-01", "published": "2099-01-01", "fa": ["متن تازه"], "en": ["New text"]}


@pytest.fixture
def held(app, owner, monkeypatch):
    """A renewal started under one commitment and paid after a new one was published: (seal id, renewal id)."""
    public_id, _ = seal_for(app, days=10)
    to_pay = invoice_path(start(owner, public_id))
    published = {**terms.versions(), NEW_TERMS["version"]: NEW_TERMS}
    monkeypatch.setattr(terms, "versions", lambda: published)
    pay_at_sandbox(owner, to_pay)
    with app.app_context():
        renewal = db.session.scalar(select(Renewal))
        assert renewal.status == "held" and "commitment changed" in renewal.held_reason
        return public_id, renewal.id


def decide(client, renewal_id, **form):
    page = client.get(f"/staff/renewals/{renewal_id}")
    return client.post(f"/staff/renewals/{renewal_id}?lang=en", data={"csrf_token": csrf_from(page), **form})


def test_a_commitment_published_before_payment_holds_the_renewal(app, owner, held):
    public_id, _ = held
    assert seal_row(app, public_id).expires_at < utcnow() + timedelta(days=11)
    with app.app_context():
        assert db.session.scalar(select(Event).where(Event.kind == "seal.renewed")) is None


def test_a_reviewer_renews_from_the_old_expiry_once(app, owner, held, staff_client):
    public_id, renewal_id = held
    before = seal_row(app, public_id).expires_at
    support, _ = staff_client("support")
    listing = support.get("/staff/renewals?lang=en").get_data(as_text=True)
    assert public_id not in listing and "commitment changed" in listing  # the reason, and the domain
    assert decide(support, renewal_id, action="renew").status_code == 403  # support may look, not decide
    reviewer, _ = staff_client("reviewer")
    page = reviewer.get(f"/staff/renewals/{renewal_id}?lang=en").get_data(as_text=True)
    assert "Renewing gives" in page and "no refunds" in page
    assert decide(reviewer, renewal_id, action="renew").status_code == 302
    after = seal_row(app, public_id)
    assert after.expires_at == rules.add_jalali_years(before, 2) and after.status == "active"
    again = decide(reviewer, renewal_id, action="refuse", note="Too late for this, sorry.")
    assert again.status_code == 409 and "decided this renewal just now" in again.get_data(as_text=True)
    with app.app_context():
        renewal = db.session.get(Renewal, renewal_id)
        assert renewal.status == "renewed" and renewal.new_expires_at == after.expires_at
        [event] = db.session.scalars(select(Event).where(Event.kind == "seal.renewed")).all()
        assert event.actor_kind == "staff"
    assert "Renewed on" in renew_page(owner, public_id).get_data(as_text=True)


def test_a_reviewer_refuses_with_a_message_that_says_there_is_no_refund(app, owner, held, staff_client):
    public_id, renewal_id = held
    before = seal_row(app, public_id).expires_at
    reviewer, _ = staff_client("reviewer")
    short = decide(reviewer, renewal_id, action="refuse", note="no")
    assert short.status_code == 400 and "at least" in short.get_data(as_text=True)
    assert decide(reviewer, renewal_id, action="refuse",
                  note="The owner must accept the new commitment first.").status_code == 302
    assert seal_row(app, public_id).expires_at == before
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.kind == "renewal.refused"))
        assert event.payload["note"] == "The owner must accept the new commitment first."
        number = event.payload["invoice"]
    page = renew_page(owner, public_id).get_data(as_text=True)
    assert "The owner must accept the new commitment first." in page
    assert "does not return payments" in page and number in page


def test_a_suspended_seal_is_not_renewed_by_the_reviewer(app, owner, held, staff_client):
    public_id, renewal_id = held
    with app.app_context():
        seals.suspend(public_id, now=utcnow(), actor="test", reason="under investigation")
    reviewer, _ = staff_client("reviewer")
    refused = decide(reviewer, renewal_id, action="renew")
    assert refused.status_code == 409 and "cannot be renewed as it is now" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Renewal, renewal_id).status == "held"
