"""Ownership transfer: the owner names the new owner, who accepts, is checked again, and staff approve."""
import re

import pytest
from sqlalchemy import func, select

from seal_server.accounts.models import Account
from seal_server.clock import utcnow
from seal_server.events.models import Delivery, Event, WebhookEndpoint
from seal_server.extensions import db
from seal_server.onboarding import terms
from seal_server.onboarding.models import Application
from seal_server.seals import service as seals
from seal_server.seals.models import Seal
from seal_server.transfers.models import Transfer
from tests.accounts.conftest import MOBILE, NATIONAL_CODE, csrf_from, sign_in
from tests.factories import make_business
from tests.onboarding.conftest import NATURAL, OTHER_CODE, OTHER_MOBILE, post_form
from tests.onboarding.payflow import path_of
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)

STRANGER_CODE, STRANGER_MOBILE = "0023456787", "09131112233"
SHOP = {"Referer": "https://shop.example/"}


@pytest.fixture
def seller(client, tmp_path):
    client.application.config["SEAL_UPLOAD_DIR"] = str(tmp_path / "uploads")
    sign_in(client)
    return client


@pytest.fixture
def sealed(app, seller):
    """The seller's seal, issued through an approved application: (public id, urls)."""
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.mobile == MOBILE))
        business = make_business()
        business.owner.account_id = account.id
        seal = seals.issue_seal(business, now=utcnow(), actor="test")
        db.session.add(Application(account_id=account.id, status="approved", business_id=business.id,
                                   domain=business.domain, terms_version=terms.current()["version"],
                                   terms_accepted_at=utcnow(), created_at=utcnow(), updated_at=utcnow()))
        db.session.add(WebhookEndpoint(seal_id=seal.id, url="https://hooks.example/seal", secret="s" * 32,
                                       created_at=utcnow()))
        db.session.commit()
        return seal.public_id, seals.urls_for(seal)


def person(app, national_code, mobile):
    client = app.test_client()
    sign_in(client, national_code, mobile)
    return client


def post(client, path, data=None, page="/panel"):
    return client.post(path, data={"csrf_token": csrf_from(client.get(page)), **(data or {})})


def offer(seller, public_id, code=OTHER_CODE):
    return post(seller, f"/panel/seals/{public_id}/transfer?lang=en", {"national_code": code})


def transfer_id(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/panel/transfers/(\d+)", response.headers["Location"]).group(1))


def accept(buyer, tid, owns="yes"):
    return post(buyer, f"/panel/transfers/{tid}/accept?lang=en", {"owns_domain": owns})


def row(app, tid):
    with app.app_context():
        transfer = db.session.get(Transfer, tid)
        db.session.expunge(transfer)
        return transfer


def kinds(app):
    with app.app_context():
        return [e.kind for e in db.session.scalars(select(Event).order_by(Event.id))]


def test_bad_national_codes_are_refused_with_the_form_filled(app, seller, sealed):
    public_id, _ = sealed
    for typed, message in (("12345", "exactly 10 digits"), ("0013542418", "check digit"),
                           ("", "Enter the national code"), ("۰۰۱۳۵۴۲۴۱۹", "your own national code"),
                           (NATIONAL_CODE, "your own national code")):
        response = offer(seller, public_id, typed)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page, typed
        assert f'value="{typed}"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Transfer.id))) == 0


def test_a_stranger_cannot_see_offer_accept_or_cancel(app, seller, sealed):
    public_id, _ = sealed
    tid = transfer_id(offer(seller, public_id))
    stranger = person(app, STRANGER_CODE, STRANGER_MOBILE)
    assert stranger.get(f"/panel/transfers/{tid}").status_code == 404
    assert accept(stranger, tid).status_code == 404
    assert post(stranger, f"/panel/transfers/{tid}/cancel").status_code == 404
    assert post(stranger, f"/panel/seals/{public_id}/transfer", {"national_code": STRANGER_CODE}).status_code == 404
    assert row(app, tid).status == "offered"
    # the seller cannot accept their own offer either
    assert accept(seller, tid).status_code == 409
    assert row(app, tid).status == "offered"


def test_one_open_transfer_at_a_time_and_either_side_cancels(app, seller, sealed):
    public_id, _ = sealed
    tid = transfer_id(offer(seller, public_id))
    again = offer(seller, public_id, STRANGER_CODE)
    assert again.status_code == 400 and "already under way" in again.get_data(as_text=True)
    assert post(seller, f"/panel/transfers/{tid}/cancel").status_code == 302
    assert row(app, tid).status == "cancelled" and row(app, tid).ended_by == "seller"
    buyer = person(app, OTHER_CODE, OTHER_MOBILE)
    refused = accept(buyer, tid)
    assert refused.status_code == 409 and "no longer waiting" in refused.get_data(as_text=True)
    # a new offer, accepted, then cancelled by the new owner: their application goes with it
    tid = transfer_id(offer(seller, public_id))
    assert "Offered to you" in buyer.get("/panel?lang=en").get_data(as_text=True)
    unticked = accept(buyer, tid, owns="")
    assert unticked.status_code == 409 and "confirm that you own it" in unticked.get_data(as_text=True)
    assert accept(buyer, tid).status_code == 302
    assert post(buyer, f"/panel/transfers/{tid}/cancel").status_code == 302
    transfer = row(app, tid)
    assert transfer.status == "cancelled" and transfer.ended_by == "buyer"
    with app.app_context():
        assert db.session.get(Application, transfer.application_id).status == "withdrawn"
        assert db.session.scalar(select(Seal).where(Seal.public_id == public_id)).business.owner.account.mobile \
            == MOBILE
    assert kinds(app).count("seal.transfer_cancelled") == 2
    history = seller.get(f"/panel/seals/{public_id}/transfer?lang=en").get_data(as_text=True)
    assert history.count("Cancelled") == 2 and "by the new owner" in history and "by the owner" in history
    assert OTHER_CODE not in history  # the other side's national code is shown masked


def walk_buyer(app, buyer, tid):
    """Accept, then identity and commitment (a natural adult uploads no documents), then submit."""
    response = accept(buyer, tid)
    assert response.status_code == 302
    application_id = int(re.search(r"/panel/applications/(\d+)", response.headers["Location"]).group(1))
    base = f"/panel/applications/{application_id}"
    page = buyer.get(base + "?lang=en").get_data(as_text=True)
    assert "takes over an existing seal" in page
    # the business's registered details are not part of a transfer
    assert post_form(buyer, base + "/business", {"name_fa": "دیگر"}).status_code == 409
    assert post_form(buyer, base + "/identity", NATURAL).status_code == 302
    assert post_form(buyer, base + "/commitment", {"version": terms.current()["version"], "accept": "yes"}) \
        .status_code == 302
    assert post(buyer, base + "/submit").status_code == 302
    with app.app_context():
        assert db.session.get(Application, application_id).status == "submitted"
    return application_id


def test_the_new_owner_is_checked_and_a_supervisor_moves_the_seal(app, seller, sealed, staff_client):
    public_id, urls = sealed
    tid = transfer_id(offer(seller, public_id))
    buyer = person(app, OTHER_CODE, OTHER_MOBILE)
    application_id = walk_buyer(app, buyer, tid)
    assert row(app, tid).status == "accepted"
    with app.app_context():
        from seal_server.integrations.models import BackgroundCheck
        assert db.session.scalar(select(func.count(BackgroundCheck.id)).where(
            BackgroundCheck.application_id == application_id)) >= 3  # police, mobile, civil registry
    reviewer, _ = staff_client("reviewer")
    page = reviewer.get(f"/staff/applications/{application_id}?lang=en").get_data(as_text=True)
    assert "Ownership transfer of the seal" in page
    refused = post(reviewer, f"/staff/applications/{application_id}/approve", page="/staff")
    assert refused.status_code == 403 and row(app, tid).status == "accepted"
    supervisor, _ = staff_client("supervisor")
    assert post(supervisor, f"/staff/applications/{application_id}/approve", page="/staff").status_code == 302
    assert row(app, tid).status == "approved"
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        assert seal.business.owner.account.national_code == OTHER_CODE
        assert seal.business.owner.first_name == NATURAL["first_name"]
        assert seals.urls_for(seal)["code"] == urls["code"]  # same id, same code
        assert not db.session.scalar(select(WebhookEndpoint.active).where(WebhookEndpoint.seal_id == seal.id))
        told = db.session.scalar(select(Event).where(Event.kind == "seal.transferred"))
        recipients = {d.recipient for d in db.session.scalars(select(Delivery).where(Delivery.event_id == told.id))}
        assert {MOBILE, OTHER_MOBILE} <= recipients
    assert buyer.get(path_of(urls["badge_url"]), headers=SHOP).headers["X-Seal-State"] == "valid"
    # the new owner holds the seal's pages; the old one does not, and is told where it went
    assert buyer.get(f"/panel/seals/{public_id}/renew").status_code == 200
    assert seller.get(f"/panel/seals/{public_id}/renew").status_code == 404
    mine = buyer.get(f"/panel/applications/{application_id}?lang=en").get_data(as_text=True)
    assert public_id in mine and "Your seal is issued" in mine
    with app.app_context():
        original = db.session.scalar(select(Application.id).where(Application.business_id.is_not(None)))
    theirs = seller.get(f"/panel/applications/{original}?lang=en").get_data(as_text=True)
    assert "transferred to a new owner" in theirs and "snippet-text" not in theirs
    for side in (seller, buyer):
        page = side.get(f"/panel/transfers/{tid}?lang=en").get_data(as_text=True)
        assert "Approved: the seal moved to the new owner" in page
    # the new owner's commitment counts for renewal
    with app.app_context():
        from seal_server.renewals import service as renewals
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        assert renewals.accepted_terms_version(seal) == terms.current()["version"]


def test_staff_rejecting_the_application_ends_the_transfer(app, seller, sealed, staff_client):
    public_id, _ = sealed
    tid = transfer_id(offer(seller, public_id))
    buyer = person(app, OTHER_CODE, OTHER_MOBILE)
    application_id = walk_buyer(app, buyer, tid)
    reviewer, _ = staff_client("reviewer")
    reason = "The identity documents do not match the registry."
    assert post(reviewer, f"/staff/applications/{application_id}/reject", {"reason": reason},
                page="/staff").status_code == 302
    transfer = row(app, tid)
    assert transfer.status == "cancelled" and transfer.ended_by == "staff" and transfer.end_note == reason
    assert reason in seller.get(f"/panel/seals/{public_id}/transfer?lang=en").get_data(as_text=True)
    staff_view = reviewer.get(f"/staff/seals/{public_id}?lang=en").get_data(as_text=True)
    assert "Ownership history" in staff_view and "by the authority" in staff_view
    with app.app_context():
        assert db.session.scalar(select(Seal).where(Seal.public_id == public_id)).business.owner.account.mobile \
            == MOBILE


def test_the_seller_may_not_approve_as_staff(app, seller, sealed, staff_client):
    public_id, _ = sealed
    tid = transfer_id(offer(seller, public_id))
    buyer = person(app, OTHER_CODE, OTHER_MOBILE)
    application_id = walk_buyer(app, buyer, tid)
    supervisor, _ = staff_client("supervisor", national_code=NATIONAL_CODE)
    assert post(supervisor, f"/staff/applications/{application_id}/approve", page="/staff").status_code == 403
    assert row(app, tid).status == "accepted"


def test_a_revoked_seal_cannot_be_offered(app, seller, sealed):
    public_id, _ = sealed
    with app.app_context():
        seals.revoke(public_id, now=utcnow(), actor="test", reason="test")
    response = offer(seller, public_id)
    assert response.status_code == 400 and "Only a live seal can be transferred." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Transfer.id))) == 0


def test_a_micro_seals_second_year_is_invoiced_to_its_new_owner(app, seller, sealed):
    public_id, _ = sealed
    with app.app_context():
        from datetime import timedelta

        from seal_server.accounts.models import Owner
        from seal_server.onboarding import payment

        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        seal.kind = "gray"
        original = db.session.scalar(select(Application).where(Application.business_id == seal.business_id))
        original.micro, original.approved_at = True, utcnow() - timedelta(days=400)
        seal.issued_at = utcnow() - timedelta(days=400)
        buyer = Account(national_code=OTHER_CODE, mobile=OTHER_MOBILE, created_at=utcnow())
        db.session.add(buyer)
        db.session.flush()
        seal.business.owner = Owner(kind="natural", first_name="علی", last_name="رضایی", national_code=OTHER_CODE,
                                    account_id=buyer.id)
        db.session.commit()
        [number] = payment.invoice_second_years(utcnow())
        from seal_server.billing.models import Invoice
        assert db.session.scalar(select(Invoice.account_id).where(Invoice.number == number)) == buyer.id


def test_policy_transfer_approval_is_a_supervisors_and_never_a_partys():
    from seal_server.staff import policy

    assert policy.decide(["reviewer"], "transfer.approve") == "Your role does not allow this."
    assert policy.decide(["admin", "support"], "transfer.approve") == "Your role does not allow this."
    assert policy.decide(["supervisor"], "transfer.approve", staff_national_code=STRANGER_CODE,
                         applicant_national_code=OTHER_CODE, seller_national_code=NATIONAL_CODE) is None
    for party_code in (OTHER_CODE, NATIONAL_CODE):
        assert policy.decide(["supervisor"], "transfer.approve", staff_national_code=party_code,
                             applicant_national_code=OTHER_CODE, seller_national_code=NATIONAL_CODE) \
            == "You cannot review your own application."
    assert "transfer.approve" in policy.FRESH and "renewal.decide" in policy.FRESH


def test_a_seal_revoked_meanwhile_is_not_handed_over(app, seller, sealed, staff_client):
    public_id, _ = sealed
    tid = transfer_id(offer(seller, public_id))
    buyer = person(app, OTHER_CODE, OTHER_MOBILE)
    application_id = walk_buyer(app, buyer, tid)
    with app.app_context():
        seals.revoke(public_id, now=utcnow(), actor="test", reason="fraud")
    supervisor, _ = staff_client("supervisor")
    refused = post(supervisor, f"/staff/applications/{application_id}/approve?lang=en", page="/staff")
    assert refused.status_code == 400 and "no longer live" in refused.get_data(as_text=True)
    assert row(app, tid).status == "accepted"
    with app.app_context():
        assert db.session.get(Application, application_id).status == "submitted"
        assert db.session.scalar(select(Seal).where(Seal.public_id == public_id)).business.owner.account.mobile \
            == MOBILE


def test_two_acceptances_at_once_open_one_application(app, seller, sealed):
    import threading

    public_id, _ = sealed
    tid = transfer_id(offer(seller, public_id))
    tabs = [person(app, OTHER_CODE, OTHER_MOBILE)]
    tabs.append(app.test_client())
    tabs[1].set_cookie("session", tabs[0].get_cookie("session").value)
    tokens = [csrf_from(tab.get("/panel")) for tab in tabs]
    barrier, answers = threading.Barrier(2), []

    def press(tab, token):
        barrier.wait()
        answers.append(tab.post(f"/panel/transfers/{tid}/accept", data={"csrf_token": token, "owns_domain": "yes"})
                       .status_code)

    threads = [threading.Thread(target=press, args=pair) for pair in zip(tabs, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [302, 409]
    with app.app_context():
        live = db.session.scalars(select(Application).where(Application.purpose == "transfer",
                                                            Application.status != "withdrawn")).all()
        assert len(live) == 1 and row(app, tid).application_id == live[0].id


def test_offer_cancel_offer_cannot_flood_the_named_person(app, seller, sealed):
    """Each offer tells the named person by SMS: at most three offers of one seal in 24 hours."""
    from seal_server.transfers.service import OFFERS_PER_DAY

    public_id, _ = sealed
    person(app, OTHER_CODE, OTHER_MOBILE)
    for _ in range(OFFERS_PER_DAY):
        tid = transfer_id(offer(seller, public_id))
        assert post(seller, f"/panel/transfers/{tid}/cancel").status_code == 302
    refused = offer(seller, public_id)
    assert refused.status_code == 400 and "At most 3 transfer offers a day" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Transfer.id))) == OFFERS_PER_DAY
