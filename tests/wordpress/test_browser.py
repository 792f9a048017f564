"""End to end in headless Chromium, on every WordPress version of the session: the plugin set up
through its settings page, the footer badge served live by the seal server, the site's own copy
while the seal server is down (green only while its signed status holds, then neutral), a
suspension missed during the outage shown after the first retry, and a signed webhook that
turns the site's copy red at once."""
import hashlib
import hmac
import json
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from .conftest import ADMIN_PASSWORD, ADMIN_USER, HERE, SNAPSHOT_SECONDS

pytestmark = [pytest.mark.wordpress, pytest.mark.browser]

WEBHOOK_SECRET = "whsec_" + secrets.token_urlsafe(24)


def log_in(page, site):
    page.goto(site.url + "/wp-login.php")
    page.fill("#user_login", ADMIN_USER)
    page.fill("#user_pass", ADMIN_PASSWORD)
    page.click("#wp-submit")
    page.wait_for_url(re.compile(r"/wp-admin/"))


def settings(page, site):
    page.goto(site.url + "/wp-admin/options-general.php?page=seal-badge")


def footer_badge(browser, site, blocked=None):
    """A visitor's fresh browser on the front page: the footer badge image once it has settled.

    `blocked`: an origin the visitor's browser cannot reach (a filter, a network outage on their side).
    """
    context = browser.new_context()
    if blocked:
        context.route(f"{blocked}/**", lambda route: route.abort())
    page = context.new_page()
    errors, badge_states = [], {}
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: badge_states.update({response.url: response.headers.get("x-seal-state")}))
    page.goto(site.url + "/")
    image = page.locator(".seal-badge-footer img")
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10000)
    return context, page, image, errors, badge_states


def shown(browser, site, blocked=None):
    """(src, X-Seal-State, SVG text) of the footer badge a new visitor ends up with."""
    context, page, image, errors, states = footer_badge(browser, site, blocked)
    src = image.get_attribute("src")
    svg = page.evaluate("src => fetch(src).then(r => r.text())", src) if src.startswith(site.url) else ""
    context.close()
    assert errors == []
    return src, states[src], svg


def site_copy_state(site):
    """The X-Seal-State of the site's own copy, asked over HTTP like a visitor's browser would."""
    with urllib.request.urlopen(site.url + "/wp-json/seal-badge/v1/badge?size=medium&lang=fa", timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("image/svg+xml")
        return answer.headers["X-Seal-State"]


def tool(site, *args):
    done = subprocess.run(["php", str(HERE / "tools.php"), *args], env=site.env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def post_webhook(site, url, event, secret, *, at=None):
    body = json.dumps(event).encode()
    stamp = str(int(at if at is not None else time.time()))
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Seal-Event-Id": event["id"],
        "Seal-Signature": f"t={stamp},v1={signature}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_admin_pages_run_without_script_errors(browser, wordpress):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, wordpress)
    for path in ("/wp-admin/", "/wp-admin/options-general.php?page=seal-badge", "/wp-admin/plugins.php"):
        page.goto(wordpress.url + path)
        page.wait_for_load_state("load")
    assert page.evaluate("typeof window._") in ("function", "undefined")
    context.close()
    assert errors == [], "scripts failed on admin pages (e.g. underscore.js not found)"


def test_footer_badge_live_copy_lapse_missed_suspension_and_webhook(browser, wordpress, seal_server):
    seal = seal_server.seals["active"]
    admin = browser.new_context()
    page = admin.new_page()
    log_in(page, wordpress)

    # The owner pastes the authority's snippet and the webhook secret; the plugin syncs.
    settings(page, wordpress)
    page.fill("#seal-badge-snippet", seal["snippet"])
    page.fill("#seal-badge-webhook-secret", WEBHOOK_SECRET)
    page.click("#seal-badge-save")
    page.wait_for_url(re.compile(r"seal-badge=saved"))
    assert page.input_value("#seal-badge-id") == seal["id"]
    assert page.input_value("#seal-badge-server") == seal_server.url
    live_status = page.locator(".seal-badge-test")
    assert "Connected to the seal server" in live_status.inner_text()
    assert "فروشگاه نمونه" in live_status.inner_text()
    assert page.locator(".seal-badge-status--active").count() == 1
    assert page.locator(".seal-badge-route").count() == 0, "the site loaded its own badge copy"
    webhook_url = page.input_value("#seal-badge-webhook-url")
    assert webhook_url.startswith(wordpress.url) and "seal-badge/v1/webhook" in webhook_url
    assert WEBHOOK_SECRET not in page.content()

    # A visitor sees the live badge from the seal server, valid for this site.
    context, visitor, image, errors, states = footer_badge(browser, wordpress)
    src = image.get_attribute("src")
    assert src.startswith(f"{seal_server.url}/badge/{seal['id']}.svg?code=")
    assert states[src] == "valid"
    assert "نماد اعتماد الکترونیکی" in image.get_attribute("alt")
    assert "/wp-json/seal-badge/v1/badge?" in image.get_attribute("data-seal-fallback"), "pretty permalinks"
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
        # The live badge fails to load and the script swaps in the site's copy: green, its signature holds.
        src, state, _ = shown(browser, wordpress)
        assert src.startswith(wordpress.url + "/wp-json/seal-badge/v1/badge?")
        assert state == "valid", "the copy kept by the site is the valid badge fetched earlier"

        # "Test connection" reports the outage; pages name the site's copy directly; a retry is due in 5 minutes.
        settings(page, wordpress)
        page.click("#seal-badge-test")
        page.wait_for_url(re.compile(r"seal-badge=tested"))
        assert "could not be reached" in page.locator(".seal-badge-test").inner_text()
        src, state, _ = shown(browser, wordpress)
        assert src.startswith(wordpress.url) and state == "valid"

        # A day later the signed status has lapsed: never green again, the neutral badge instead.
        tool(wordpress, "age-status", str(24 * 3600))
        src, state, svg = shown(browser, wordpress)
        assert src.startswith(wordpress.url) and state == "unverified"
        assert "تأیید ممکن نیست" in svg and "#6b7280" in svg

        # Meanwhile the authority suspends the seal; the site is still cut off.
        seal_server.cli(["suspend", seal["id"], "--reason", "suspended during the outage"])
    finally:
        seal_server.start()
    try:
        # The authority answers again; the retry (due within 5 minutes) runs through WP-Cron and shows red.
        assert 0 < tool(wordpress, "retry-now")["delay"] <= 300
        urllib.request.urlopen(f"{wordpress.url}/wp-cron.php?doing_wp_cron", timeout=30).read()
        deadline = time.monotonic() + 20
        while site_copy_state(wordpress) != "suspended" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert site_copy_state(wordpress) == "suspended"
        src, state, _ = shown(browser, wordpress)
        assert src.startswith(seal_server.url) and state == "suspended", "the live badge is first choice again"

        # Reinstated and synced: green again. Then suspended with no sync: only the webhook tells the site.
        seal_server.cli(["reinstate", seal["id"]])
        time.sleep(SNAPSHOT_SECONDS + 0.5)
        settings(page, wordpress)
        page.click("#seal-badge-test")
        page.wait_for_url(re.compile(r"seal-badge=tested"))
        assert site_copy_state(wordpress) == "valid"
        seal_server.cli(["suspend", seal["id"], "--reason", "told by webhook"])
        time.sleep(SNAPSHOT_SECONDS + 0.5)
        event = {"id": "evt_" + secrets.token_hex(8), "type": "seal.suspended",
                 "created_at": "2026-11-30T12:00:00+00:00", "data": {"id": seal["id"], "status": "suspended"}}
        assert post_webhook(wordpress, webhook_url, event, "whsec_not_the_secret_at_all_0000")[0] == 401
        assert post_webhook(wordpress, webhook_url, event, WEBHOOK_SECRET, at=time.time() - 600)[0] == 400
        assert site_copy_state(wordpress) == "valid", "refused deliveries change nothing"
        # A visitor who cannot reach the authority gets the site's copy: still green, the site was not told.
        assert shown(browser, wordpress, blocked=seal_server.url)[1] == "valid"
        assert post_webhook(wordpress, webhook_url, event, WEBHOOK_SECRET) == (200, {"received": True,
                                                                                   "status": "suspended"})
        assert site_copy_state(wordpress) == "suspended", "red without waiting for cron"
        src, state, svg = shown(browser, wordpress, blocked=seal_server.url)
        assert src.startswith(wordpress.url) and state == "suspended", "the footer's copy is red at once"
        assert post_webhook(wordpress, webhook_url, event, WEBHOOK_SECRET) == (200, {"duplicate": True})
    finally:
        seal_server.cli(["reinstate", seal["id"]])
        admin.close()
