"""End to end in headless Chromium: a fresh owner from sign-up to a copied snippet, paid at the sandbox bank,
then a page of the shop holding that snippet shows a valid badge."""
import re

import pytest

from seal_server.clock import utcnow
from seal_server.onboarding import issuance

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

from .conftest import fetch_from
from .test_contact import landline_code
from .test_map import PNG, TILES

DOMAIN = "shop.example"


@pytest.fixture
def app_config(site):
    return {**fetch_from(site), "SEAL_MAP_TILES_URL": TILES}


def _submit(page):
    page.click("form.stacked button[type=submit]")


def _read(page, url, pattern, server):
    """Open another tab on a sandbox page (outbox, post office) and read the newest code on it."""
    server.wait_for_outbox()
    other = page.context.new_page()
    other.goto(url)
    text = other.locator("ol.outbox li pre").first.inner_text()
    other.close()
    return re.search(pattern, text).group(1)


def _pay(page, overview):
    """From an invoice page through the sandbox bank and back."""
    page.click("form[action$='/pay'] button")
    page.wait_for_url(re.compile(r"/billing/sandbox/"))
    page.click("button[value=paid]")
    page.wait_for_url(re.compile(r"/billing/invoices/"))
    assert page.locator(".status-text-active").count() == 1
    page.goto(overview)


@pytest.mark.browser
def test_owner_goes_from_sign_up_to_a_copied_snippet_and_a_valid_badge(app, live_server, page, site):
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(f"{base}/account/enter")
    page.fill("input[name=national_code]", "۰۰۱۳۵۴۲۴۱۹")
    page.fill("input[name=mobile]", "09121234567")
    _submit(page)
    page.wait_for_url(re.compile(r"/account/code"))
    page.fill("input[name=code]", _read(page, f"{base}/outbox", r"\b(\d{6})\b", live_server))
    _submit(page)
    page.wait_for_url(re.compile(r"/panel$"))
    page.click("form[action^='/panel/applications'] button")
    page.wait_for_url(re.compile(r"/panel/applications/\d+$"))
    overview = page.url
    application_id = int(overview.rsplit("/", 1)[1])

    page.click("a[href$='/identity']")
    page.check("input[name=person_kind][value=natural]")
    for name, value in (("first_name", "مریم"), ("last_name", "احمدی"), ("father_name", "علی"),
                        ("birth_date", "۱۳۷۰/۰۵/۲۱"), ("address", "تهران، خیابان آزادی، پلاک ۱۰"),
                        ("postal_code", "۱۵۸۷۶۵۴۳۲۱"), ("landline", "۰۲۱۸۸۷۷۶۶۵۵")):
        page.fill(f"input[name={name}]", value)
    page.check("input[name=gender][value=female]")
    _submit(page)
    page.wait_for_url(overview)

    page.click("a[href$='/business']")
    page.check("input[name=seal_kind][value=standard]")
    page.fill("input[name=domain]", DOMAIN)
    page.fill("input[name=name_fa]", "فروشگاه نمونه")
    page.fill("input[name=name_en]", "Sample Shop")
    page.select_option("select[name=category]", "general")
    page.check("input[name=sales_method][value=direct]")
    page.check("input[name=owns_domain]")
    _submit(page)
    page.wait_for_url(overview)

    page.click("a[href$='/domain']")
    page.click("form[action*='/domain/start']:has(input[value=meta]) button")
    tag = page.locator("code.token", has_text="seal-verification").inner_text()
    site.page("/", f"<!doctype html><html><head><title>فروشگاه</title>{tag}</head><body>shop</body></html>")
    page.click("form[action*='/domain/check'] button")
    page.wait_for_url(overview)

    page.route("http://tiles.test/**", lambda route: route.fulfill(status=200, content_type="image/png", body=PNG))
    page.click("a[href$='/contact']")
    page.fill("input[name=landline]", "02188776655")
    page.fill("input[name=email]", "info@shop.example")
    page.select_option("select[name=province]", "THR")
    assert page.locator("optgroup[data-province=ESF]").get_attribute("disabled") is not None  # the script filters
    page.select_option("select[name=city]", "تهران")
    page.fill("input[name=address]", "خیابان آزادی، کوچه ۳، پلاک ۱۰، واحد ۲")
    page.fill("input[name=postal_code]", "1587654321")
    page.fill("input[name=response_hours]", "شنبه تا چهارشنبه، ۹ تا ۱۷")
    page.wait_for_function("document.querySelectorAll('#location-map img.leaflet-tile-loaded').length > 0")
    page.click("#location-map", position={"x": 200, "y": 160})  # the map fills both coordinates
    assert page.input_value("input[name=latitude]") and page.input_value("input[name=longitude]")
    _submit(page)
    page.click("form[action$='/email/send'] button")
    page.fill("input[name=code]", _read(page, f"{base}/outbox", r"\b(\d{6})\b", live_server))
    page.click("form[action$='/email/check'] button")
    assert page.locator("p.notice", has_text="info@shop.example").count() == 1
    page.click("form[action$='/landline/call'] button")
    with app.app_context():
        live_server.wait_for_outbox()
        page.fill("input[name=code]", landline_code(app))
    page.click("form[action$='/landline/check'] button")
    assert page.locator("p.notice").count() == 2

    page.goto(overview)
    page.click("a[href$='/postal']")
    page.click("form[action$='/postal/invoice'] button")
    page.wait_for_url(re.compile(r"/billing/invoices/"))
    _pay(page, overview)
    page.click("a[href$='/postal']")
    page.fill("input[name=code]", _read(page, f"{base}/operator/letters", r"\b([A-Z0-9]{10})\s*$", live_server))
    page.click("form[action$='/postal/check'] button")
    page.wait_for_url(overview)

    page.click("a[href$='/commitment']")
    page.check("input[name=accept]")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(overview)

    page.click("a[href$='/payment']")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/billing/invoices/"))
    assert "۱۷۵٬۰۰۰ تومان" in page.content()  # a one-star seal pays its two years at once
    _pay(page, overview)
    assert page.locator(".step-done").count() == 8

    page.click("form[action$='/submit'] button")
    page.wait_for_url(overview)
    with app.app_context():
        _, seal = issuance.approve(application_id, now=utcnow(), actor="e2e")
        public_id = seal.public_id
    page.reload()
    assert page.locator("h2#seal-title").count() == 1
    page.click("#copy-snippet")
    page.wait_for_function("document.getElementById('copy-status').textContent.length > 0")
    assert page.locator("#copy-status").inner_text() == "کپی شد"
    snippet = page.evaluate("navigator.clipboard.readText()")
    assert snippet.startswith('<a referrerpolicy="origin"') and f"/badge/{public_id}.svg?code=" in snippet
    preview = page.locator("#seal-preview")
    assert preview.evaluate("img => img.complete && img.naturalWidth > 0")

    # the shop's own page, served on loopback under its registered name, as a visitor's browser loads it
    site.page("/", f"<!doctype html><html><head><title>Shop</title></head><body><footer>{snippet}</footer></body></html>")
    visitor = page.context.browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {DOMAIN} 127.0.0.1"])
    try:
        shop = visitor.new_page()
        with shop.expect_response(re.compile(rf"/badge/{public_id}\.svg")) as badge:
            shop.goto(f"http://{DOMAIN}:{site.port}/")
        assert badge.value.status == 200 and badge.value.headers["x-seal-state"] == "valid"
        assert shop.locator("footer img").evaluate("img => img.complete && img.naturalWidth > 0")
    finally:
        visitor.close()
