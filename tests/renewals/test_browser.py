"""In headless Chromium: an expired shop's badge, the reminder's link, renewal paid at the sandbox bank,
and the very snippet pasted before renewal answering valid on the shop's own page."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.clock import utcnow
from seal_server.events.reminders import send_due_reminders
from seal_server.extensions import db
from seal_server.seals import service as seals
from seal_server.seals.models import Seal
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import make_business
from tests.onboarding.servers import Site
from tests.onboarding.test_browser_seal import _read

DOMAIN = "shop.example"
NATIONAL_CODE, MOBILE = "0013542419", "09121234567"


@pytest.fixture
def site():
    server = Site()
    yield server
    server.close()


@pytest.mark.browser
def test_a_reminders_link_renews_and_the_same_snippet_answers_valid(app, live_server, page, browser, site):
    base = live_server.url
    page.goto(f"{base}/account/enter?lang=en")
    page.fill("input[name=national_code]", NATIONAL_CODE)
    page.fill("input[name=mobile]", MOBILE)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/account/code"))
    page.fill("input[name=code]", _read(page, f"{base}/outbox", r"\b(\d{6})\b", live_server))
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/panel"))

    with app.app_context():
        business = make_business(DOMAIN)
        business.owner.account_id = db.session.scalar(select(Account.id).where(Account.mobile == MOBILE))
        seal = seals.issue_seal(business, now=utcnow() - timedelta(days=729), actor="test", days=730)
        public_id, snippet = seal.public_id, str(seals.snippet(seal))
        assert send_due_reminders(utcnow()) == [public_id]  # the last day's reminder
    link = _read(page, f"{base}/outbox", r"(/panel/seals/[a-z0-9]+/renew)", live_server)
    assert link == f"/panel/seals/{public_id}/renew"
    with app.app_context():  # the owner misses the day: the seal expires
        row = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        row.expires_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        seals.expire_due(utcnow())

    site.page("/", f"<!doctype html><html><head><title>Shop</title></head><body><footer>{snippet}</footer></body></html>")
    visitor = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {DOMAIN} 127.0.0.1"])

    def badge_on_the_shop():
        shop = visitor.new_page()
        try:
            with shop.expect_response(re.compile(rf"/badge/{public_id}\.svg")) as badge:
                shop.goto(f"http://{DOMAIN}:{site.port}/")
            return badge.value.headers["x-seal-state"]
        finally:
            shop.close()

    try:
        assert badge_on_the_shop() == "expired"
        page.goto(base + link + "?lang=en")
        # issued from the command line, the seal has no accepted commitment yet: accepted on the same form
        assert page.locator("li.condition-fails").evaluate_all("items => items.map(i => i.dataset.condition)") \
            == ["commitment"]
        assert "This seal has expired" in page.content()
        page.click("form.stacked button[type=submit]")
        assert "Accept the current commitment to renew." in page.content()
        page.check("input[name=accept]")
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(re.compile(r"/billing/invoices/"))
        assert "175,000 toman" in page.content()
        page.click("form[action*='/pay'] button")
        page.wait_for_url(re.compile(r"/billing/sandbox/"))
        page.click("button[value=paid]")
        page.wait_for_url(re.compile(r"/billing/invoices/"))
        assert page.locator(".status-text-active").count() == 1
        assert badge_on_the_shop() == "valid"
        page.goto(base + link + "?lang=en")
        assert "Renewed on" in page.content()
    finally:
        visitor.close()
