"""Renewal from the owner's panel: conditions, commitment, payment at the sandbox bank, same snippet valid."""
import threading
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from seal_server.accounts.models import Account
from seal_server.billing import sandbox
from seal_server.billing import service as billing
from seal_server.billing.models import Invoice, Payment
from seal_server.clock import utcnow
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.onboarding import terms
from seal_server.onboarding.models import Application
from seal_server.renewals import rules, service
from seal_server.renewals.models import Renewal
from seal_server.seals import service as seals
from seal_server.seals.models import Licence, Seal
from tests.accounts.conftest import MOBILE, csrf_from, sign_in
from tests.factories import make_business
from tests.onboarding.payflow import path_of, pay_at_sandbox

SHOP = {"Referer": "https://shop.example/"}


def seal_for(app, *, days, accepted=True, kind="standard"):
    """A seal of the signed-in owner, expiring in `days` days; the commitment accepted at application or not."""
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.mobile == MOBILE))
        business = make_business()
        business.owner.account_id = account.id
        seal = seals.issue_seal(business, now=utcnow(), actor="test", kind=kind, days=days)
        if accepted:
            db.session.add(Application(account_id=account.id, status="approved", business_id=business.id,
                                       terms_version=terms.current()["version"], terms_accepted_at=utcnow(),
                                       created_at=utcnow(), updated_at=utcnow()))
            db.session.commit()
        return seal.public_id, seals.urls_for(seal)


@pytest.fixture
def owner(client):
    sign_in(client)
    return client


def invoice_path(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    return urlsplit(response.headers["Location"]).path


def renew_page(client, public_id):
    return client.get(f"/panel/seals/{public_id}/renew?lang=en")


def start(client, public_id, **form):
    page = client.get("/panel")  # a form's token: the renewal page has no form when renewal is closed
    return client.post(f"/panel/seals/{public_id}/renew?lang=en", data={"csrf_token": csrf_from(page), **form})


def badge_state(client, urls):
    return client.get(path_of(urls["badge_url"]), headers=SHOP).headers["X-Seal-State"]


def seal_row(app, public_id):
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        db.session.expunge(seal)
        return seal


def renewed_events(app):
    with app.app_context():
        return db.session.scalars(select(Event).where(Event.kind == "seal.renewed")).all()


def test_renewing_within_the_window_adds_two_jalali_years_from_the_old_expiry(app, owner):
    public_id, urls = seal_for(app, days=20)
    before = seal_row(app, public_id)
    page = renew_page(owner, public_id).get_data(as_text=True)
    assert "Renew and pay 175,000 toman" in page and 'class="condition-fails"' not in page
    response = start(owner, public_id)
    assert response.status_code == 302 and "/billing/invoices/" in response.headers["Location"]
    pay_at_sandbox(owner, invoice_path(response))
    after = seal_row(app, public_id)
    assert after.expires_at == rules.add_jalali_years(before.expires_at, 2)
    assert (after.public_id, after.serial, after.domain, after.status) == \
        (before.public_id, before.serial, before.domain, "active")
    assert badge_state(owner, urls) == "valid"  # the code issued before renewal
    [event] = renewed_events(app)
    assert event.payload["previous_expires_at"] == before.expires_at.isoformat()
    page = renew_page(owner, public_id).get_data(as_text=True)
    assert "Renewed on" in page and "Renew and pay" not in page
    again = start(owner, public_id)
    assert again.status_code == 409 and "Renewal opens 30 days before expiry." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == 1


def test_an_expired_seal_renewed_shows_valid_at_once_and_starts_at_payment(app, owner):
    public_id, urls = seal_for(app, days=3)
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        seal.expires_at = utcnow() - timedelta(days=5)
        db.session.commit()
        seals.change_status(public_id, "expire", now=utcnow(), actor="clock")
    assert badge_state(owner, urls) == "expired"  # now cached as expired
    page = renew_page(owner, public_id).get_data(as_text=True)
    assert "This seal has expired" in page
    paid_from = utcnow()
    pay_at_sandbox(owner, invoice_path(start(owner, public_id)))
    after = seal_row(app, public_id)
    assert after.status == "active"
    assert rules.add_jalali_years(paid_from, 2) <= after.expires_at <= rules.add_jalali_years(utcnow(), 2)
    assert badge_state(owner, urls) == "valid"
    verify = owner.get(path_of(urls["verify_url"]) + "&lang=en").get_data(as_text=True)
    assert "This seal is valid." in verify


def test_renewal_is_closed_until_30_days_before_expiry(app, owner):
    public_id, _ = seal_for(app, days=60)
    page = renew_page(owner, public_id).get_data(as_text=True)
    assert 'data-condition="window"' in page and "Renewal opens 30 days before expiry." in page
    assert "Renew and pay" not in page
    response = start(owner, public_id)
    assert response.status_code == 409 and "Renewal opens 30 days before expiry." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Renewal)) == 0


def test_a_revoked_seal_is_not_renewed(app, owner):
    public_id, _ = seal_for(app, days=10)
    with app.app_context():
        seals.revoke(public_id, now=utcnow(), actor="test", reason="fraud")
    response = start(owner, public_id)
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "This seal has been revoked." in text
    assert "A revoked seal cannot be renewed; apply for a new seal." in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_an_expired_licence_blocks_renewal_and_says_which(app, owner):
    public_id, _ = seal_for(app, days=10)
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        db.session.add(Licence(business_id=seal.business_id, title="Food licence", issuer="Ministry",
                               number="42", valid_to=date(2020, 1, 1)))
        db.session.commit()
    response = start(owner, public_id)
    assert response.status_code == 409 and "These licences have expired: Food licence." in response.get_data(as_text=True)


def test_a_changed_commitment_must_be_accepted_again(app, owner):
    public_id, _ = seal_for(app, days=10, accepted=False)
    page = renew_page(owner, public_id).get_data(as_text=True)
    assert "The commitment has changed since you accepted it." in page and 'name="accept"' in page
    refused = start(owner, public_id)
    assert refused.status_code == 409 and "Accept the current commitment to renew." in refused.get_data(as_text=True)
    version = terms.current()["version"]
    assert start(owner, public_id, accept="yes", version=version).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Renewal.terms_version)) == version


def test_an_outside_condition_blocks_and_a_late_one_holds_the_payment(app, owner):
    public_id, _ = seal_for(app, days=10)
    complaints = {"open": 2}

    def no_unanswered_complaints(seal, now):
        if complaints["open"]:
            return rules.Condition("complaints", "No unanswered complaints", False,
                                   "There are unanswered complaints.", "Answer them first.")
        return None

    service.condition(no_unanswered_complaints)
    try:
        assert "There are unanswered complaints." in start(owner, public_id).get_data(as_text=True)
        complaints["open"] = 0
        to_pay = invoice_path(start(owner, public_id))
        complaints["open"] = 1  # a complaint arrives before the owner pays
        pay_at_sandbox(owner, to_pay)
    finally:
        service.EXTRA_CONDITIONS.remove(no_unanswered_complaints)
    with app.app_context():
        renewal = db.session.scalar(select(Renewal))
        assert renewal.status == "held" and renewal.held_reason == "There are unanswered complaints."
        assert renewal.invoice.status == "paid"
    assert seal_row(app, public_id).expires_at < utcnow() + timedelta(days=11)
    assert renewed_events(app) == []
    assert "the authority will settle it" in renew_page(owner, public_id).get_data(as_text=True)


def test_someone_else_cannot_see_or_renew_the_seal(app, owner, client):
    public_id, _ = seal_for(app, days=10)
    other = app.test_client()
    sign_in(other, national_code="0499370899", mobile="09351112233")
    assert other.get(f"/panel/seals/{public_id}/renew").status_code == 404
    assert app.test_client().get(f"/panel/seals/{public_id}/renew").status_code == 302  # to sign in


def _bank(payment):
    back = sandbox.decide(sandbox.charge_for(payment.authority), "paid")
    return {key: values[0] for key, values in parse_qs(urlsplit(back).query).items()}


def test_two_payments_of_one_renewal_arriving_at_once_renew_once(app, owner):
    public_id, _ = seal_for(app, days=10)
    number = invoice_path(start(owner, public_id)).rsplit("/", 1)[-1]
    gateway = sandbox.SandboxGateway()
    with app.app_context():
        invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
        payments = [billing.start_payment(invoice, gateway=gateway, callback_url="http://seal.test/cb",
                                          now=utcnow())[0] for _ in range(2)]
        callbacks = [_bank(payment) for payment in payments]
        old_expiry = seal_row(app, public_id).expires_at
    barrier = threading.Barrier(2)

    def pay(args):
        with app.app_context():
            barrier.wait()
            try:
                billing.complete_payment(number, args, gateway=gateway, now=utcnow())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay, args=(args,)) for args in callbacks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        statuses = sorted(db.session.scalars(select(Payment.status)).all())
        assert statuses == ["cancelled", "paid"]
        assert db.session.scalar(select(Invoice.status).where(Invoice.number == number)) == "paid"
    assert len(renewed_events(app)) == 1
    assert seal_row(app, public_id).expires_at == rules.add_jalali_years(old_expiry, 2)
