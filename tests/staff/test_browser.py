"""In headless Chromium: an admin invites a reviewer, the reviewer enrols and signs in with TOTP, rejects the
domain step with a reason, the owner reads it in Persian, proves the domain again and resubmits, the reviewer
approves, and the owner's badge answers valid."""
import re

import pytest
from sqlalchemy import select

from seal_server.extensions import db
from seal_server.onboarding import issuance
from seal_server.onboarding.models import Application
from seal_server.seals.service import urls_for
from seal_server.staff import totp
from seal_server.staff.models import Staff
from tests.accounts.conftest import sign_in as owner_sign_in
from tests.onboarding.conftest import fetch_from, new_application
from tests.onboarding.payflow import walk_to_submitted

from .conftest import ADMIN_CODE, PASSWORD, REVIEWER_CODE, enrol

REASON = "تگ متا در صفحهٔ اصلی سایت پیدا نشد؛ دوباره اثبات کنید"


@pytest.fixture
def app_config(site):
    return fetch_from(site)


def _next_code(app, staff_id, secret):
    """The authenticator's code for the step after the last one the server accepted (the app shows it soon)."""
    with app.app_context():
        last = db.session.get(Staff, staff_id).totp_last_step
    return totp.code_at(secret, (last + 1) * totp.STEP_SECONDS)


def _staff_sign_in(page, base, national_code, code):
    page.goto(f"{base}/staff/sign-in")
    page.fill("input[name=national_code]", national_code)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", code)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/staff$"))


@pytest.mark.browser
def test_review_walk(app, live_server, browser, site, tmp_path):
    base = live_server.url
    app.config["SEAL_UPLOAD_DIR"] = str(tmp_path / "uploads")
    owner = app.test_client()
    owner_sign_in(owner)
    application_id = new_application(owner)
    assert "missing" not in walk_to_submitted(app, owner, application_id).headers["Location"]
    from seal_server.clock import utcnow

    admin_member = enrol(app, ADMIN_CODE, ["admin"], utcnow(), name="Admin")

    admin = browser.new_context().new_page()
    _staff_sign_in(admin, base, ADMIN_CODE, _next_code(app, admin_member.id, admin_member.secret))
    admin.click("a[href^='/staff/people']")
    admin.fill("input[name=national_code]", REVIEWER_CODE)
    admin.fill("input[name=name]", "رضا کارشناس")
    admin.check("form.stacked input[name=roles][value=reviewer]")
    admin.click("form.stacked button[type=submit]")
    link = admin.locator("#enrol-link").inner_text()

    reviewer = browser.new_context().new_page()
    reviewer.goto(link)
    assert reviewer.locator(".qr svg").count() == 1
    secret = reviewer.locator("#totp-secret").inner_text()
    reviewer.fill("input[name=password]", PASSWORD)
    reviewer.fill("input[name=repeat]", PASSWORD)
    reviewer.fill("input[name=code]", totp.code_at(secret, utcnow()))
    reviewer.click("form.stacked button[type=submit]")
    assert reviewer.locator("ol.recovery-codes li").count() == 10
    with app.app_context():
        reviewer_id = db.session.scalar(select(Staff.id).where(Staff.national_code == REVIEWER_CODE))
    _staff_sign_in(reviewer, base, REVIEWER_CODE, _next_code(app, reviewer_id, secret))

    reviewer.click("a[href^='/staff/queue']")
    reviewer.click(f"a[href^='/staff/applications/{application_id}']")
    reviewer.fill("#step-domain input[name=reason]", REASON)
    reviewer.click("#step-domain form:has(input[value=reject]) button")
    reviewer.wait_for_url(re.compile(rf"/staff/applications/{application_id}$"))
    assert reviewer.locator("#application-status").inner_text() == "draft"

    # the owner's browser carries the session the owner signed in with (a second SMS would wait a minute)
    context = browser.new_context()
    context.add_cookies([{"name": "session", "value": owner.get_cookie("session").value, "url": base}])
    shop_owner = context.new_page()
    overview = f"{base}/panel/applications/{application_id}"
    shop_owner.goto(overview)
    assert shop_owner.locator("html").get_attribute("lang") == "fa"
    assert shop_owner.locator(".field-error", has_text=REASON).count() == 1
    assert shop_owner.locator(".step-rejected").inner_text() == "رد شده"

    shop_owner.click("a[href$='/domain']")
    shop_owner.click("form[action*='/domain/start']:has(input[value=meta]) button")
    tag = shop_owner.locator("code.token", has_text="seal-verification").inner_text()
    site.page("/", f"<!doctype html><html><head><title>فروشگاه</title>{tag}</head><body>shop</body></html>")
    shop_owner.click("form[action*='/domain/check'] button")
    shop_owner.wait_for_url(overview)
    shop_owner.click("form[action$='/submit'] button")
    shop_owner.wait_for_url(overview)
    with app.app_context():
        assert db.session.get(Application, application_id).status == "submitted"

    reviewer.reload()
    reviewer.click("#approve")
    reviewer.wait_for_url(re.compile(rf"/staff/applications/{application_id}$"))
    assert reviewer.locator("#application-status").inner_text() == "approved"
    with app.app_context():
        seal = issuance.seal_of(db.session.get(Application, application_id))
        badge = urls_for(seal)["badge_url"].replace(app.config["SEAL_BASE_URL"], "")
    answer = app.test_client().get(badge, headers={"Referer": "https://shop.example/"})
    assert answer.status_code == 200 and answer.headers["X-Seal-State"] == "valid"
