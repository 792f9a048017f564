"""A national code taken by someone else's mobile: the real holder is never locked out."""
from sqlalchemy import func, select

from seal_server.accounts.models import Account, RecoveryRequest
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage

from .conftest import MOBILE, NATIONAL_CODE, csrf_from, sign_in

HOLDER_MOBILE = "09350000000"


def _enter(client, mobile, lang=""):
    page = client.get("/account/enter" + lang)
    response = client.post("/account/enter" + lang, data={
        "csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "mobile": mobile})
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def test_the_holder_who_comes_second_is_offered_the_recovery_procedure(app, client):
    sign_in(app.test_client())  # a squatter takes the national code with their own mobile
    code_page = _enter(client, HOLDER_MOBILE, "?lang=en")
    assert 'href="/account/recover?lang=en"' in code_page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.recipient == HOLDER_MOBILE)) == 0
    page = client.get("/account/recover?lang=en")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "registered with another mobile number" in body
    response = client.post("/account/recover?lang=en", data={
        "csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "mobile": HOLDER_MOBILE,
        "email": "holder@example.com", "note": "I never registered here."})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Your recovery request was recorded" in response.get_data(as_text=True)
    with app.app_context():
        request = db.session.scalars(select(RecoveryRequest)).one()
        account = db.session.scalars(select(Account)).one()
        assert (request.national_code, request.mobile, request.account_id, request.status) == (
            NATIONAL_CODE, HOLDER_MOBILE, account.id, "open")
        assert request.email == "holder@example.com" and request.note == "I never registered here."


def test_the_recovery_page_is_persian_first_and_reachable_from_sign_in(client):
    enter = client.get("/account/enter").get_data(as_text=True)
    assert 'href="/account/recover"' in enter
    body = client.get("/account/recover").get_data(as_text=True)
    assert "بازیابی حساب" in body


def test_a_recovery_request_reveals_nothing_and_keeps_the_form_on_bad_input(app, client):
    page = client.get("/account/recover?lang=en")
    bad = client.post("/account/recover?lang=en", data={
        "csrf_token": csrf_from(page), "national_code": "0013542418", "mobile": MOBILE, "email": "x", "note": "n"})
    assert bad.status_code == 400
    assert 'value="0013542418"' in bad.get_data(as_text=True)
    # an unregistered national code gets the same answer as a registered one
    response = client.post("/account/recover?lang=en", data={
        "csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "mobile": MOBILE, "email": "", "note": ""})
    assert response.status_code == 200
    assert "Your recovery request was recorded" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(RecoveryRequest)).one().account_id is None
