"""Email, landline, mobile and address changes, end to end through the owner's pages and the outbox."""
import re

from sqlalchemy import func, select

from seal_server.accounts.models import Account
from seal_server.billing.models import Invoice
from seal_server.changes.models import SealChange
from seal_server.clock import utcnow
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.integrations import checks
from seal_server.integrations.models import PostLetter, VoiceCall
from seal_server.integrations.voice import PERSIAN_DIGIT_NAMES
from seal_server.notify.models import OutboxMessage
from seal_server.onboarding.models import Application
from seal_server.seals.models import Business
from tests.accounts.conftest import MOBILE, NATIONAL_CODE
from tests.onboarding.payflow import path_of, pay_at_sandbox

from .conftest import act, newest_code, request_change, seal_for, verify_page


def rows(app):
    with app.app_context():
        return db.session.scalars(select(SealChange).order_by(SealChange.id)).all()


def test_an_email_change_is_shown_publicly_only_once_its_code_is_typed(app, owner):
    public_id = seal_for(app)
    with app.app_context():
        application_id = db.session.scalar(select(Application.id))
    seal_page = owner.get(f"/panel/applications/{application_id}?lang=en").get_data(as_text=True)
    assert f'href="/panel/seals/{public_id}/changes?lang=en">Register a change</a>' in seal_page
    assert "info@shop.example" in verify_page(owner, public_id)  # now cached
    page = owner.get(f"/panel/seals/{public_id}/changes/new/email?lang=en").get_data(as_text=True)
    assert 'value="info@shop.example"' in page
    response = request_change(owner, public_id, "email", email="Sales@Shop.Example")
    assert response.status_code == 302, response.get_data(as_text=True)
    [change] = rows(app)
    assert (change.kind, change.state, change.old_value, change.new_value) == (
        "email", "pending", {"email": "info@shop.example"}, {"email": "Sales@shop.example"})
    code = newest_code(app, "Sales@shop.example")
    page = verify_page(owner, public_id)
    assert "info@shop.example" in page and "Sales@shop.example" not in page
    wrong = act(owner, response.headers["Location"], "code", code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 400 and "This code is not right." in wrong.get_data(as_text=True)
    assert act(owner, response.headers["Location"], "code", code=code).status_code == 302
    [change] = rows(app)
    assert change.state == "applied" and change.applied_at is not None and change.open_key is None
    page = verify_page(owner, public_id)
    assert "Sales@shop.example" in page and "info@shop.example" not in page
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.kind == "seal.details_changed"))
        assert event.payload["change"] == "email"
    done = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-state="applied"' in done


def landline_code(app, number):
    with app.app_context():
        call = db.session.scalars(select(VoiceCall).where(VoiceCall.number == number)
                                  .order_by(VoiceCall.id.desc())).first()
        spoken = re.search(r"کد تأیید تلفن شما: (.*?)\. تکرار", call.script).group(1)
        return "".join(str(PERSIAN_DIGIT_NAMES.index(word)) for word in spoken.split("، "))


def test_a_landline_change_is_verified_by_a_voice_call_and_accepts_persian_digits(app, owner):
    public_id = seal_for(app)
    response = request_change(owner, public_id, "landline", landline="۰۲۱-۶۶۵۵۴۴۳۳")
    assert response.status_code == 302, response.get_data(as_text=True)
    code = landline_code(app, "02166554433")
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert act(owner, response.headers["Location"], "code", code=persian).status_code == 302
    assert "02166554433" in verify_page(owner, public_id)


def test_a_mobile_change_needs_the_registry_and_an_sms_code_and_becomes_the_sign_in_number(app, owner):
    public_id = seal_for(app)
    with app.app_context():
        checks.set_sandbox_outcome(checks.MOBILE, checks.FAIL, NATIONAL_CODE, now=utcnow())
        db.session.commit()
    refused = request_change(owner, public_id, "mobile", mobile="09351112233")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "not registered to your national code" in text
    assert 'value="09351112233"' in text  # the form comes back filled
    assert rows(app) == []
    with app.app_context():
        checks.set_sandbox_outcome(checks.MOBILE, checks.PASS, NATIONAL_CODE, now=utcnow())
        db.session.commit()
    response = request_change(owner, public_id, "mobile", mobile="09351112233")
    assert response.status_code == 302, response.get_data(as_text=True)
    code = newest_code(app, "09351112233")
    assert act(owner, response.headers["Location"], "code", code=code).status_code == 302
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.national_code == NATIONAL_CODE))
        assert account.mobile == "09351112233"
        event = db.session.scalar(select(Event).where(Event.kind == "seal.details_changed"))
        assert "09351112233" not in str(event.payload)  # private: never in webhooks
    assert "09351112233" not in verify_page(owner, public_id)
    with app.app_context():
        told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == MOBILE)
                                  .order_by(OutboxMessage.id.desc())).first()
        assert "۲۲۳۳" in told.body and "09351112233" not in told.body  # the old number hears of it


def test_an_address_change_pays_the_postal_fee_and_takes_effect_with_the_letters_code(app, owner):
    public_id = seal_for(app, latitude=35.7, longitude=51.4)
    response = request_change(owner, public_id, "address", province="ESF", city="اصفهان",
                              address="خیابان چهارباغ، کوچه ۵، پلاک ۸", postal_code="۸۱۳۴۵۶۷۸۹۱")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    invoice = re.search(r'id="pay-link" href="([^"]+)"', page).group(1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PostLetter)) == 0
    pay_at_sandbox(owner, path_of(invoice).split("?")[0])
    [change] = rows(app)
    assert change.state == "verifying"
    with app.app_context():
        letter = db.session.scalars(select(PostLetter).order_by(PostLetter.id.desc())).first()
        assert letter.postal_code == "8134567891" and "چهارباغ" in letter.address
        code = letter.body.splitlines()[-1]
        assert db.session.scalar(select(Invoice.status).where(Invoice.id == change.invoice_id)) == "paid"
    assert "چهارباغ" not in verify_page(owner, public_id)
    assert act(owner, response.headers["Location"], "code", code=code.lower()).status_code == 302
    page = verify_page(owner, public_id)
    assert "چهارباغ" in page and "اصفهان" in page
    with app.app_context():
        business = db.session.scalar(select(Business))
        assert (business.postal_code, business.province, business.city) == ("8134567891", "اصفهان", "اصفهان")
        assert (business.latitude, business.longitude) == (None, None)  # the old address's map point
