"""End to end in headless Chromium: the plugin set up through its settings page, the footer badge
served live by the seal server, and the site's own copy once the seal server is down."""
import re

import pytest

from .conftest import ADMIN_PASSWORD, ADMIN_USER

pytestmark = [pytest.mark.wordpress, pytest.mark.browser]


def log_in(page, site):
    page.goto(site.url + "/wp-login.php")
    page.fill("#user_login", ADMIN_USER)
    page.fill("#user_pass", ADMIN_PASSWORD)
    page.click("#wp-submit")
    page.wait_for_url(re.compile(r"/wp-admin/"))


def settings(page, site):
    page.goto(site.url + "/wp-admin/options-general.php?page=seal-badge")


def footer_badge(browser, site):
    """A visitor's fresh browser on the front page: the footer badge image once it has settled."""
    context = browser.new_context()
    page = context.new_page()
    errors, badge_states = [], {}
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: badge_states.update({response.url: response.headers.get("x-seal-state")}))
    page.goto(site.url + "/")
    image = page.locator(".seal-badge-footer img")
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10000)
    return context, page, image, errors, badge_states


def test_footer_badge_live_then_first_party_copy_when_the_authority_is_down(browser, wordpress, seal_server):
    seal = seal_server.seals["active"]
    admin = browser.new_context()
    page = admin.new_page()
    log_in(page, wordpress)

    # The owner pastes the authority's snippet; the plugin extracts server, id and code and syncs.
    settings(page, wordpress)
    page.fill("#seal-badge-snippet", seal["snippet"])
    page.click("#seal-badge-save")
    page.wait_for_url(re.compile(r"seal-badge=saved"))
    assert page.input_value("#seal-badge-id") == seal["id"]
    assert page.input_value("#seal-badge-server") == seal_server.url
    live_status = page.locator(".seal-badge-test")
    assert "Connected to the seal server" in live_status.inner_text()
    assert "فروشگاه نمونه" in live_status.inner_text()
    assert page.locator(".seal-badge-status--active").count() == 1

    # A visitor sees the live badge from the seal server, valid for this site.
    context, visitor, image, errors, states = footer_badge(browser, wordpress)
    src = image.get_attribute("src")
    assert src.startswith(f"{seal_server.url}/badge/{seal['id']}.svg?code=")
    assert states[src] == "valid"
    assert "نماد اعتماد الکترونیکی" in image.get_attribute("alt")
    with context.expect_page() as opened:
        visitor.click(".seal-badge-footer a")
    verification = opened.value
    verification.wait_for_load_state()
    assert verification.url.startswith(f"{seal_server.url}/verify/{seal['id']}?code=")
    assert "فروشگاه نمونه" in verification.content()
    assert errors == []
    context.close()

    seal_server.stop()
    try:
        # The page still names the live badge; it fails to load and the script swaps in the site's copy.
        context, visitor, image, errors, states = footer_badge(browser, wordpress)
        src = image.get_attribute("src")
        assert src.startswith(wordpress.url) and "rest_route=" in src and "badge.svg" in src
        assert states[src] == "valid", "the copy kept by the site is the valid badge fetched earlier"
        assert image.evaluate("img => img.naturalWidth") > 0
        link = visitor.locator(".seal-badge-footer a").get_attribute("href")
        assert link.startswith(f"{seal_server.url}/verify/{seal['id']}"), "the link still goes to the authority"
        assert errors == []
        context.close()

        # "Test connection" now reports the outage, and pages name the site's copy directly.
        settings(page, wordpress)
        page.click("#seal-badge-test")
        page.wait_for_url(re.compile(r"seal-badge=tested"))
        assert "could not be reached" in page.locator(".seal-badge-test").inner_text()
        context, visitor, image, errors, states = footer_badge(browser, wordpress)
        src = image.get_attribute("src")
        assert "rest_route=" in src and image.get_attribute("data-seal-fallback") is None
        assert states[src] == "valid"
        context.close()
    finally:
        seal_server.start()
        admin.close()
