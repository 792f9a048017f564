"""The sign-in pages over HTTP: CSRF, session cookies, the challenge bound to the session, limits."""
import re

import pytest

from .conftest import MOBILE, NATIONAL_CODE, csrf_from, last_code, sign_in


def test_sign_up_by_sms_code_then_the_account_page(client):
    response = sign_in(client)
    assert response.headers["Location"] == "/panel"
    page = client.get("/account")
    assert page.status_code == 200
    assert "۰۰۱۳۵۴۲۴۱۹" in page.get_data(as_text=True)


def test_session_cookie_flags(client):
    page = client.get("/account/enter")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}])
def test_secure_flag_when_configured(client):
    assert "Secure" in client.get("/account/enter").headers["Set-Cookie"]


def test_a_form_without_its_csrf_token_is_refused(client):
    response = client.post("/account/enter?lang=en", data={"national_code": NATIONAL_CODE, "mobile": MOBILE})
    assert response.status_code == 400
    assert "This form has expired or did not come from our site" in response.get_data(as_text=True)


def test_errors_come_back_in_the_page_language_with_the_form_filled(client):
    page = client.get("/account/enter?lang=en")
    response = client.post("/account/enter?lang=en", data={
        "csrf_token": csrf_from(page), "national_code": "۰۰۱۳۵۴۲۴۱۸", "mobile": "0912 123 4567"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This national code is not valid: its check digit does not match." in body
    assert 'value="۰۰۱۳۵۴۲۴۱۸"' in body and 'value="0912 123 4567"' in body
    persian = client.post("/account/enter", data={
        "csrf_token": csrf_from(page), "national_code": "123", "mobile": MOBILE})
    assert "کد ملی دقیقاً ۱۰ رقم است." in persian.get_data(as_text=True)


def test_the_code_is_bound_to_the_browser_that_asked_for_it(app, client):
    page = client.get("/account/enter")
    client.post("/account/enter", data={"csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "mobile": MOBILE})
    with app.app_context():
        code = last_code()
    other = app.test_client()
    other_page = other.get("/account/enter")
    response = other.post("/account/code", data={"csrf_token": csrf_from(other_page), "code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/account/enter"
    assert other.get("/account").status_code == 302


def test_a_wrong_code_says_how_many_tries_are_left(client):
    page = client.get("/account/enter?lang=en")
    client.post("/account/enter?lang=en", data={"csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "mobile": MOBILE})
    with client.application.app_context():
        wrong = "000000" if last_code() != "000000" else "111111"
    page = client.get("/account/code?lang=en")
    response = client.post("/account/code?lang=en", data={"csrf_token": csrf_from(page), "code": wrong})
    assert response.status_code == 400
    assert "This code is not right; 4 tries left." in response.get_data(as_text=True)
    persian = client.post("/account/code", data={"csrf_token": csrf_from(page), "code": wrong})
    assert "این کد درست نیست؛ ۳ بار دیگر می‌توانید امتحان کنید." in persian.get_data(as_text=True)


def test_the_session_is_renewed_at_sign_in_and_ended_at_sign_out(client):
    client.get("/account/enter")
    before = client.get_cookie("session").value
    sign_in(client)
    assert client.get_cookie("session").value != before
    page = client.get("/account")
    assert client.post("/account/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("app_config", [{"SEAL_OTP_RESEND_SECONDS": 0}])
def test_next_only_goes_to_our_own_paths(client):
    for target, expected in (("/account/password", "/account/password"), ("//evil.example/x", "/panel"),
                             ("https://evil.example/", "/panel")):
        fresh = client.application.test_client()
        page = fresh.get("/account/enter")
        fresh.post(f"/account/enter?next={target}", data={
            "csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "mobile": MOBILE})
        with client.application.app_context():
            code = last_code()
        response = fresh.post(f"/account/code?next={target}", data={"csrf_token": csrf_from(page), "code": code})
        assert response.headers["Location"] == expected


def test_password_set_then_sign_in_with_it(client):
    sign_in(client)
    page = client.get("/account/password?lang=en")
    mismatch = client.post("/account/password?lang=en", data={
        "csrf_token": csrf_from(page), "password": "correct horse battery", "password_again": "correct horse"})
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    saved = client.post("/account/password?lang=en", data={
        "csrf_token": csrf_from(page), "password": "correct horse battery", "password_again": "correct horse battery"})
    assert "Your password was saved." in saved.get_data(as_text=True)
    fresh = client.application.test_client()
    page = fresh.get("/account/password-login")
    wrong = fresh.post("/account/password-login?lang=en", data={
        "csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "password": "nope nope nope"})
    assert "The national code or password is not right." in wrong.get_data(as_text=True)
    right = fresh.post("/account/password-login", data={
        "csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "password": "correct horse battery"})
    assert right.status_code == 302 and fresh.get("/account").status_code == 200


def test_sign_in_posts_are_rate_limited_per_address(client):
    page = client.get("/account/password-login")
    token = csrf_from(page)
    statuses = [client.post("/account/password-login?lang=en", data={
        "csrf_token": token, "national_code": NATIONAL_CODE, "password": "x"}).status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429


def test_the_outbox_page_shows_sent_codes_in_development_only(app, client):
    page = client.get("/account/enter")
    client.post("/account/enter", data={"csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "mobile": MOBILE})
    with app.app_context():
        code = last_code()
    outbox = client.get("/outbox")
    assert outbox.status_code == 200 and code in outbox.get_data(as_text=True)
    app.config["SEAL_OUTBOX_PAGE"] = False
    assert client.get("/outbox").status_code == 404


def test_public_seal_routes_set_no_cookie(client):
    for path in ("/badge/AAAAAAAAAAAAAAAA.svg?code=x", "/verify/AAAAAAAAAAAAAAAA?code=x", "/api/v1/seals/AAAAAAAAAAAAAAAA"):
        assert "Set-Cookie" not in client.get(path).headers, path


def test_a_second_code_too_soon_is_refused_on_the_page_in_persian_digits(client):
    page = client.get("/account/enter")
    data = {"csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "mobile": MOBILE}
    assert client.post("/account/enter", data=data).status_code == 302
    again = client.post("/account/enter", data=data)
    body = again.get_data(as_text=True)
    assert again.status_code == 400
    assert re.search(r"همین الان کدی به این شماره فرستاده شد؛ [۰-۹]+ ثانیهٔ دیگر", body)
    assert 'value="09121234567"' in body


@pytest.mark.parametrize("target, safe", [
    ("/panel", True), ("/panel/applications/1?lang=en", True),
    ("//evil.example", False), ("/%09/evil.example", False), ("/\t/evil.example", False),
    ("/\\evil.example", False), ("https://evil.example/", False), ("javascript:alert(1)", False),
    ("evil.example", False), ("", False), ("/\n/evil.example", False),
])
def test_only_local_paths_are_followed_after_sign_in(target, safe):
    from urllib.parse import unquote

    from seal_server.accounts.views import safe_next

    assert (safe_next(unquote(target)) is not None) == safe


def test_a_copied_session_cookie_dies_with_sign_out(app, client):
    sign_in(client)
    stolen = app.test_client()
    cookie = client.get_cookie("session")
    stolen.set_cookie("session", cookie.value, domain=cookie.domain or "localhost")
    assert stolen.get("/account").status_code == 200
    page = client.get("/account")
    client.post("/account/logout", data={"csrf_token": csrf_from(page)})
    assert stolen.get("/account").status_code == 302


@pytest.mark.parametrize("app_config", [{"SEAL_FRESH_CODE_SECONDS": 0}])
def test_setting_a_password_asks_for_a_fresh_code(client):
    sign_in(client)
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/enter?next=/account/password")


def test_a_password_session_cannot_set_the_password(client):
    sign_in(client)
    page = client.get("/account/password?lang=en")
    client.post("/account/password?lang=en", data={
        "csrf_token": csrf_from(page), "password": "correct horse battery", "password_again": "correct horse battery"})
    fresh = client.application.test_client()
    page = fresh.get("/account/password-login")
    fresh.post("/account/password-login", data={
        "csrf_token": csrf_from(page), "national_code": NATIONAL_CODE, "password": "correct horse battery"})
    assert fresh.get("/account").status_code == 200
    assert fresh.get("/account/password").status_code == 302
