"""Gray or temporary to a one-star seal: the remaining steps, the fee's difference, review, the same id and code."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from seal_server.accounts.models import Account
from seal_server.billing import fees
from seal_server.billing.models import Invoice
from seal_server.clock import utcnow
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.integrations.models import PostLetter
from seal_server.onboarding import payment
from seal_server.onboarding.models import Application
from seal_server.renewals import rules
from seal_server.seals import service as seals
from seal_server.seals.models import Seal
from tests.accounts.conftest import MOBILE, csrf_from, sign_in
from tests.factories import make_business
from tests.onboarding.conftest import OTHER_CODE, OTHER_MOBILE, NATURAL, post_form
from tests.onboarding.payflow import path_of, pay_at_sandbox
from tests.onboarding.test_contact import CONTACT_STEP, _email_code, landline_code
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)

SHOP = {"Referer": "https://shop.example/"}
TOMAN = fees.RIALS_PER_TOMAN


def test_the_difference_is_the_two_year_fee_less_what_was_paid():
    schedule = fees.FeeSchedule()
    assert fees.upgrade_due(schedule, 0) == 175_000 * TOMAN  # a temporary seal paid nothing
    assert fees.upgrade_due(schedule, 50_000 * TOMAN) == 125_000 * TOMAN  # a gray seal's first year
    assert fees.upgrade_due(schedule, 175_000 * TOMAN) == 0  # both micro instalments
    assert fees.upgrade_due(schedule, 999_999 * TOMAN) == 0  # never negative
    assert fees.upgrade_line(schedule, 50_000 * TOMAN).amount == 125_000 * TOMAN


@pytest.fixture
def owner(client, tmp_path):
    client.application.config["SEAL_UPLOAD_DIR"] = str(tmp_path / "uploads")
    sign_in(client)
    return client


def sealed(app, kind, *, paid=(), second_year_open=False):
    """The signed-in owner's seal of `kind`, its original application, and the seal invoices it paid."""
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.mobile == MOBILE))
        business = make_business()
        business.owner.account_id = account.id
        if kind == "temporary":  # a temporary seal did the contact step; its details are public
            business.landline, business.email, business.postal_code = "02188776655", "info@shop.example", "1587654321"
            business.address, business.province, business.city = "خیابان آزادی، پلاک ۱۰", "تهران", "تهران"
        seal = seals.issue_seal(business, now=utcnow(), actor="test", kind=kind)
        original = Application(account_id=account.id, status="approved", business_id=business.id, seal_kind=kind,
                               micro=kind == "gray", created_at=utcnow(), updated_at=utcnow())
        db.session.add(original)
        db.session.flush()
        for n, (purpose, toman) in enumerate(paid):
            db.session.add(Invoice(number=f"P-{n}", account_id=account.id, application_id=original.id,
                                   purpose=purpose, status="paid", total=toman * TOMAN, created_at=utcnow(),
                                   paid_at=utcnow()))
        if second_year_open:
            db.session.add(Invoice(number="Y2", account_id=account.id, application_id=original.id,
                                   purpose=payment.SECOND_YEAR_PURPOSE, status="open", total=125_000 * TOMAN,
                                   created_at=utcnow()))
        db.session.commit()
        return seal.public_id, seals.urls_for(seal)


def start(client, public_id):
    page = client.get(f"/panel/seals/{public_id}/upgrade?lang=en")
    return page, client.post(f"/panel/seals/{public_id}/upgrade?lang=en",
                             data={"csrf_token": csrf_from(client.get("/panel"))})


def application_id(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/panel/applications/(\d+)", response.headers["Location"]).group(1))


def contact(app, client, base):
    assert post_form(client, base + "/contact", CONTACT_STEP).status_code == 302
    token = csrf_from(client.get(base + "/contact"))
    client.post(base + "/contact/email/send", data={"csrf_token": token})
    code = _email_code(app, "Info@shop.example")
    assert client.post(base + "/contact/email/check", data={"csrf_token": token, "code": code}).status_code == 302
    client.post(base + "/contact/landline/call", data={"csrf_token": token})
    assert client.post(base + "/contact/landline/check",
                       data={"csrf_token": token, "code": landline_code(app)}).status_code == 302


def postal(app, client, base):
    token = csrf_from(client.get(base + "/postal"))
    to_invoice = client.post(base + "/postal/invoice", data={"csrf_token": token})
    pay_at_sandbox(client, path_of(to_invoice.headers["Location"]))
    with app.app_context():
        letter = db.session.scalars(select(PostLetter).order_by(PostLetter.id.desc())).first()
        code = letter.body.splitlines()[-1]
    assert client.post(base + "/postal/check", data={"csrf_token": token, "code": code}).status_code == 302


def pay_fee(client, base):
    to_invoice = client.post(base + "/payment", data={"csrf_token": csrf_from(client.get("/panel"))})
    assert to_invoice.status_code == 302, to_invoice.get_data(as_text=True)
    pay_at_sandbox(client, path_of(to_invoice.headers["Location"]))
    return re.search(r"/billing/invoices/([0-9-]+)", to_invoice.headers["Location"]).group(1)


def submit(app, client, base, number):
    assert client.post(base + "/submit", data={"csrf_token": csrf_from(client.get(base))}).status_code == 302
    with app.app_context():
        assert db.session.get(Application, number).status == "submitted"


def approve(staff_client, number):
    reviewer, _ = staff_client("reviewer")
    response = reviewer.post(f"/staff/applications/{number}/approve",
                             data={"csrf_token": csrf_from(reviewer.get("/staff"))})
    assert response.status_code == 302, response.get_data(as_text=True)


def seal_row(app, public_id):
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        db.session.expunge(seal)
        return seal


def test_a_gray_seal_pays_the_rest_and_becomes_one_star_with_the_same_code(app, owner, staff_client):
    public_id, urls = sealed(app, "gray", paid=[("seal", 50_000)], second_year_open=True)
    before = seal_row(app, public_id)
    page, response = start(owner, public_id)
    text = page.get_data(as_text=True)
    assert "175,000 toman" in text and "50,000 toman" in text and "125,000 toman" in text
    number = application_id(response)
    base = f"/panel/applications/{number}"
    assert "one-star seal with the same id" in owner.get(base + "?lang=en").get_data(as_text=True)
    # a second press reuses the open request; identity and the domain are not part of it
    assert application_id(start(owner, public_id)[1]) == number
    assert post_form(owner, base + "/identity", NATURAL).status_code == 409
    submitted_early = owner.post(base + "/submit", data={"csrf_token": csrf_from(owner.get(base))})
    assert "missing" in submitted_early.headers["Location"]
    contact(app, owner, base)
    postal(app, owner, base)
    invoice = pay_fee(owner, base)
    with app.app_context():
        assert db.session.scalar(select(Invoice.total).where(Invoice.number == invoice)) == 125_000 * TOMAN
        assert db.session.scalar(select(Invoice.status).where(Invoice.number == "Y2")) == "void"
    submit(app, owner, base, number)
    assert seal_row(app, public_id).kind == "gray"  # nothing changes before review
    approve(staff_client, number)
    after = seal_row(app, public_id)
    assert (after.kind, after.stars, after.serial, after.expires_at) == ("standard", 1, before.serial,
                                                                          before.expires_at)
    assert owner.get(path_of(urls["badge_url"]), headers=SHOP).headers["X-Seal-State"] == "valid"
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        assert seal.business.email == "Info@shop.example"  # the contact step's details are now the public ones
        assert seal.business.landline == "02188776655" and seal.business.province
        assert db.session.scalar(select(Event).where(Event.kind == "seal.stars_changed")).payload["after"] == \
            {"kind": "standard", "stars": 1}
        # the second year is not invoiced again: the upgrade fee paid it
        assert payment.invoice_second_years(utcnow() + timedelta(days=400)) == []
    verify = owner.get(path_of(urls["verify_url"]) + "&lang=en").get_data(as_text=True)
    assert "This seal is valid." in verify


def test_a_temporary_seal_pays_the_whole_fee_and_gets_two_years(app, owner, staff_client):
    public_id, urls = sealed(app, "temporary")
    page, response = start(owner, public_id)
    assert "175,000 toman" in page.get_data(as_text=True)
    number = application_id(response)
    base = f"/panel/applications/{number}"
    assert post_form(owner, base + "/contact", CONTACT_STEP).status_code == 409  # done with the temporary seal
    postal(app, owner, base)
    invoice = pay_fee(owner, base)
    with app.app_context():
        assert db.session.scalar(select(Invoice.total).where(Invoice.number == invoice)) == 175_000 * TOMAN
    submit(app, owner, base, number)
    approved_at = utcnow()
    approve(staff_client, number)
    after = seal_row(app, public_id)
    assert after.kind == "standard" and after.stars == 1 and after.status == "active"
    assert rules.add_jalali_years(approved_at, 2) - timedelta(minutes=5) <= after.expires_at \
        <= rules.add_jalali_years(utcnow(), 2) + timedelta(minutes=5)
    assert owner.get(path_of(urls["badge_url"]), headers=SHOP).headers["X-Seal-State"] == "valid"


def test_paid_micro_instalments_leave_nothing_to_pay(app, owner):
    public_id, _ = sealed(app, "gray", paid=[("seal", 50_000), (payment.SECOND_YEAR_PURPOSE, 125_000)])
    page, response = start(owner, public_id)
    assert "Left to pay" in page.get_data(as_text=True)
    number = application_id(response)
    base = f"/panel/applications/{number}"
    with app.app_context():
        application = db.session.get(Application, number)
        assert application.fee_paid_at is not None
    refused = owner.post(base + "/payment?lang=en", data={"csrf_token": csrf_from(owner.get("/panel"))})
    assert refused.status_code == 400 and "Nothing is left to pay" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Invoice.id)).where(Invoice.application_id == number)) == 0


def test_a_standard_seal_or_someone_else_cannot_upgrade(app, owner):
    public_id, _ = sealed(app, "standard")
    page, response = start(owner, public_id)
    assert "Only a gray or temporary seal" in page.get_data(as_text=True)
    assert response.status_code == 409 and "Only a gray or temporary seal" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Application.id)).where(Application.purpose == "upgrade")) == 0
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        seal.kind, seal.stars = "gray", 0
        db.session.commit()
    other = app.test_client()
    sign_in(other, OTHER_CODE, OTHER_MOBILE)
    assert other.get(f"/panel/seals/{public_id}/upgrade").status_code == 404
    assert other.post(f"/panel/seals/{public_id}/upgrade",
                      data={"csrf_token": csrf_from(other.get("/panel"))}).status_code == 404


def test_the_over_limit_banner_links_to_the_upgrade(app, owner):
    public_id, _ = sealed(app, "gray", paid=[("seal", 50_000)])
    with app.app_context():
        from seal_server.onboarding.models import GrayMonthlyVolume

        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        db.session.add(GrayMonthlyVolume(seal_id=seal.id, month="1405-09", provider="psp", amount=10**12,
                                         transactions=500, updated_at=utcnow(), over_limit_at=utcnow()))
        original = db.session.scalar(select(Application.id).where(Application.business_id == seal.business_id))
        db.session.commit()
    page = owner.get(f"/panel/applications/{original}?lang=en").get_data(as_text=True)
    banner = page.split("monthly limit")[1].split("</p>")[0]
    assert f"/panel/seals/{public_id}/upgrade" in banner
