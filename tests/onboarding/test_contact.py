"""The contact step: checked fields, province and city, coordinates, and the email code."""
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.extensions import db
from tests.conftest import deliver_queued
from seal_server.integrations.models import VoiceCall
from seal_server.integrations.voice import PERSIAN_DIGIT_NAMES
from seal_server.notify.models import OutboxMessage
from seal_server.onboarding.contact import clean_coordinate
from seal_server.onboarding.models import Application, VerificationCode
from tests.accounts.conftest import csrf_from

from .conftest import NATURAL, new_application, post_form

CONTACT_STEP = {"landline": "۰۲۱-۸۸۷۷ ۶۶۵۵", "email": "Info@Shop.Example", "postal_code": "۱۵۸۷۶-۵۴۳۲۱",
                "address": "خیابان آزادی، کوچه ۳، پلاک ۱۰، واحد ۲", "province": "THR", "city": "تهران",
                "response_hours": "شنبه تا چهارشنبه، ۹ تا ۱۷", "latitude": "۳۵٫۶۹۹۷", "longitude": "51.3380"}


def _application(app, application_id):
    with app.app_context():
        application = db.session.get(Application, application_id)
        return {name: getattr(application, name) for name in (
            "landline", "email", "email_verified", "postal_code", "province", "city", "latitude", "longitude")} | {
            "states": {s.step: s.state for s in application.steps}}


def _email_code(app, to, wait=10.0):
    """The code in the newest email to `to`; a live server's own worker may be the one sending it, so wait a little."""
    deadline = time.monotonic() + wait
    while True:
        with app.app_context():
            deliver_queued()
            message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == to)
                                         .order_by(OutboxMessage.id.desc())).first()
            if message is not None or time.monotonic() > deadline:
                return re.search(r"\b(\d{6})\b", message.body).group(1)
        time.sleep(0.1)


def landline_code(app, number="02188776655"):
    """The code read in the newest sandbox call to `number`, turned from words back into digits.

    A live server's own worker may be placing the call right now: then wait for it to land.
    """
    deadline = time.monotonic() + 15
    with app.app_context():
        while True:
            call = db.session.scalars(select(VoiceCall).where(VoiceCall.number == number)
                                      .order_by(VoiceCall.id.desc())).first()
            if call is not None or time.monotonic() > deadline:
                break
            db.session.rollback()
            time.sleep(0.1)
        spoken = re.search(r"کد تأیید تلفن شما: (.*?)\. تکرار", call.script).group(1)
        return "".join(str(PERSIAN_DIGIT_NAMES.index(word)) for word in spoken.split("، "))


def _post(client, path, data=None):
    page = client.get(re.sub(r"/(email|landline)/.*$", "", path))
    return client.post(path, data={"csrf_token": csrf_from(page), **(data or {})})


def test_contact_details_are_saved_then_the_email_is_verified_by_code(app, owner):
    application_id = new_application(owner)
    path = f"/panel/applications/{application_id}/contact"
    assert post_form(owner, path, CONTACT_STEP).status_code == 302
    saved = _application(app, application_id)
    assert saved["landline"] == "02188776655" and saved["postal_code"] == "1587654321"
    assert saved["email"] == "Info@shop.example" and saved["email_verified"] is None
    assert (saved["province"], saved["city"]) == ("THR", "تهران")
    assert (saved["latitude"], saved["longitude"]) == (35.6997, 51.338)
    assert saved["states"]["contact"] == "pending"

    assert _post(owner, path + "/email/send").status_code == 302
    code = _email_code(app, "Info@shop.example")
    wrong = "000000" if code != "000000" else "111111"
    refused = _post(owner, path + "/email/check?lang=en", {"code": wrong})
    assert refused.status_code == 400 and "This code is not right." in refused.get_data(as_text=True)
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert _post(owner, path + "/email/check", {"code": persian}).status_code == 302
    saved = _application(app, application_id)
    assert saved["email_verified"] == "Info@shop.example" and saved["states"]["contact"] == "pending"
    assert _post(owner, path + "/landline/call").status_code == 302
    assert _post(owner, path + "/landline/check", {"code": landline_code(app)}).status_code == 302
    assert _application(app, application_id)["states"]["contact"] == "done"
    page = owner.get(path + "?lang=en").get_data(as_text=True)
    assert "Info@shop.example is verified." in page

    # a new address must be verified again
    post_form(owner, path, dict(CONTACT_STEP, email="sales@shop.example"))
    assert _application(app, application_id)["states"]["contact"] == "pending"
    replay = _post(owner, path + "/email/check?lang=en", {"code": code})
    assert replay.status_code == 400
    assert "This code has already been used" in replay.get_data(as_text=True)


def test_the_form_starts_from_the_identity_address(owner):
    application_id = new_application(owner)
    post_form(owner, f"/panel/applications/{application_id}/identity", NATURAL)
    page = owner.get(f"/panel/applications/{application_id}/contact").get_data(as_text=True)
    assert 'value="1587654321"' in page and 'value="02188776655"' in page


@pytest.mark.parametrize("changes, field, message", [
    ({"province": "ESF", "city": "تبریز"}, "city",
     "تبریز is not a city of اصفهان; choose a city of that province."),
    ({"province": "XXX"}, "province", "Choose the province."),
    ({"city": ""}, "city", "Choose the city."),
    ({"postal_code": "0123456789"}, "postal_code", "This postal code is not valid."),
    ({"postal_code": "12345"}, "postal_code", "A postal code has exactly 10 digits."),
    ({"landline": "8877665"}, "landline", "A landline number has 11 digits with its area code, such as 02188776655."),
    ({"email": "info@"}, "email", "This is not an email address, such as info@shop.ir."),
    ({"latitude": "95"}, "latitude", "A latitude is between -90 and 90."),
    ({"longitude": "-200"}, "longitude", "A longitude is between -180 and 180."),
    ({"latitude": "48.85", "longitude": "2.35"}, "latitude", "This point is outside Iran; check the latitude and longitude."),
    ({"latitude": "north"}, "latitude", "Write a decimal number, such as 35.6997."),
    ({"response_hours": ""}, "response_hours", "Say when buyers get an answer, such as Saturday to Wednesday, 9 to 17."),
])
def test_bad_contact_details_get_a_message_and_keep_the_form(app, owner, changes, field, message):
    application_id = new_application(owner)
    typed = dict(CONTACT_STEP, **changes)
    response = post_form(owner, f"/panel/applications/{application_id}/contact", typed, lang="?lang=en")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'<small id="e-{field}" class="field-error">(.*?)</small>', body, re.S)
    assert error and error.group(1).strip() == message
    assert 'value="خیابان آزادی، کوچه ۳، پلاک ۱۰، واحد ۲"' in body
    assert _application(app, application_id)["email"] is None


def test_the_city_list_is_grouped_by_province_in_persian(owner):
    application_id = new_application(owner)
    page = owner.get(f"/panel/applications/{application_id}/contact").get_data(as_text=True)
    assert page.count("<optgroup") == 31 and 'data-province="THR"' in page
    assert "onboarding-contact.js" in page and "<script>" not in page


@pytest.mark.parametrize("text, value", [("۳۵٫۶۹۹۷", 35.6997), ("٣٥.٥", 35.5), (" 27.1 ", 27.1)])
def test_coordinates_in_any_digits(text, value):
    assert clean_coordinate(text, "latitude") == value


def test_email_codes_expire_and_allow_few_tries(app, owner, now):
    application_id = new_application(owner)
    path = f"/panel/applications/{application_id}/contact"
    post_form(owner, path, CONTACT_STEP)
    _post(owner, path + "/email/send")
    code = _email_code(app, "Info@shop.example")
    with app.app_context():
        row = db.session.scalars(select(VerificationCode)).one()
        assert code not in row.digest and row.purpose == "email"
        row.expires_at = row.created_at - timedelta(seconds=1)
        db.session.commit()
    expired = _post(owner, path + "/email/check?lang=en", {"code": code})
    assert "This code has expired; ask for a new one." in expired.get_data(as_text=True)

    _post(owner, path + "/email/send")
    code = _email_code(app, "Info@shop.example")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        _post(owner, path + "/email/check", {"code": wrong})
    locked = _post(owner, path + "/email/check?lang=en", {"code": code})
    assert "Too many wrong tries; ask for a new code." in locked.get_data(as_text=True)
    assert _application(app, application_id)["email_verified"] is None


def test_sending_a_code_before_saving_an_email_is_refused(owner):
    application_id = new_application(owner)
    response = _post(owner, f"/panel/applications/{application_id}/contact/email/send?lang=en")
    assert response.status_code == 400
    assert "Save the contact details with an email address first." in response.get_data(as_text=True)


def test_the_landline_is_verified_by_a_code_read_in_a_call(app, owner):
    application_id = new_application(owner)
    path = f"/panel/applications/{application_id}/contact"
    early = _post(owner, path + "/landline/call?lang=en")
    assert early.status_code == 400
    assert "Save the contact details with a landline number first." in early.get_data(as_text=True)
    post_form(owner, path, CONTACT_STEP)
    assert _post(owner, path + "/landline/call").status_code == 302
    listing = owner.get("/operator/calls").get_data(as_text=True)
    code = landline_code(app)
    assert "۰۲۱۸۸۷۷۶۶۵۵" in listing and "کد تأیید تلفن شما" in listing
    wrong = "000000" if code != "000000" else "111111"
    refused = _post(owner, path + "/landline/check?lang=en", {"code": wrong})
    assert refused.status_code == 400 and "This code is not right." in refused.get_data(as_text=True)
    assert _post(owner, path + "/landline/check", {"code": code}).status_code == 302
    page = owner.get(path + "?lang=en").get_data(as_text=True)
    assert "The landline 02188776655 is verified." in page
    # another number must be called again
    post_form(owner, path, dict(CONTACT_STEP, landline="03132221111"))
    assert "Call 03132221111 with a code" in owner.get(path + "?lang=en").get_data(as_text=True)


def test_codes_are_capped_per_day(app, owner, now):
    from seal_server.onboarding import codes
    from seal_server.onboarding.models import Application

    application_id = new_application(owner)
    with app.app_context():
        application = db.session.get(Application, application_id)
        for _ in range(codes.CODES_PER_DAY):
            codes.issue(application, "email", "info@shop.example", now, ttl=timedelta(minutes=10))
        with pytest.raises(codes.CodeError) as caught:
            codes.issue(application, "email", "info@shop.example", now, ttl=timedelta(minutes=10))
        assert caught.value.variables == {"count": codes.CODES_PER_DAY}
        codes.issue(application, "landline", "02188776655", now, ttl=timedelta(minutes=10))  # per purpose
        codes.issue(application, "email", "info@shop.example", now + timedelta(days=1, seconds=1),
                    ttl=timedelta(minutes=10))
