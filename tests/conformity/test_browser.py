"""In headless Chromium: an owner adds a licence with its scan and asks for an advanced rating with evidence,
pays at the sandbox bank; a reviewer signs in with TOTP, verifies the licence, runs the HTTPS check against
the shop's real TLS server and grants the stars; the badge, fetched from the live server, draws them within
60 seconds."""
import re
import ssl
import time
import urllib.request
from datetime import timedelta

import pytest
import trustme
from sqlalchemy import select

from seal_server.conformity import https
from seal_server.conformity.models import RatingRequest
from seal_server.extensions import db
from seal_server.onboarding.fetcher import SafeFetcher, table_resolver
from seal_server.seals import service as seal_service
from tests.onboarding.servers import Site
from tests.staff.conftest import REVIEWER_CODE, enrol
from tests.staff.test_browser import _staff_sign_in

pytestmark = pytest.mark.browser

GOLD = 'fill="#ca8a04"'  # a filled star on the badge (empty ones are fill="none")
SCAN = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def shop_tls(monkeypatch):
    """shop.example served over HTTPS on loopback with a certificate from a throwaway CA the fetcher trusts."""
    ca = trustme.CA()
    site = Site()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("shop.example").configure_cert(context)
    site.server.socket = context.wrap_socket(site.server.socket, server_side=True)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    monkeypatch.setattr(https, "fetcher_from_config", lambda config: SafeFetcher(
        resolver=table_resolver((("shop.example", "127.0.0.1"),)), allow_loopback=True,
        ports={"http": 80, "https": site.port}, ssl_context=trusting))
    yield site
    site.close()


def _badge_stars(url):
    request = urllib.request.Request(url, headers={"Referer": "https://shop.example/products"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.headers["X-Seal-State"], answer.read().decode().count(GOLD)


def test_owner_asks_pays_reviewer_grants_and_the_badge_shows_the_stars(app, live_server, browser, owner, clock,
                                                                       shop_tls, tmp_path):
    base = live_server.url
    app.config["SEAL_UPLOAD_DIR"] = str(tmp_path / "uploads")
    client, public_id = owner
    with app.app_context():
        seal = seal_service.get_seal(public_id)
        badge_url = seal_service.urls_for(seal, base)["badge_url"]
    assert _badge_stars(badge_url) == ("valid", 1)

    context = browser.new_context()
    context.add_cookies([{"name": "session", "value": client.get_cookie("session").value, "url": base}])
    shop_owner = context.new_page()
    shop_owner.goto(f"{base}/panel/seals/{public_id}/licences")
    shop_owner.fill("input[name=title]", "پروانه کسب")
    shop_owner.fill("input[name=issuer]", "اتحادیه صنف کتاب")
    shop_owner.fill("input[name=number]", "KB-۱۴۰۴-۷۷")
    shop_owner.fill("input[name=valid_from]", "۱۴۰۴/۰۱/۰۱")
    shop_owner.fill("input[name=valid_to]", "۱۴۰۸/۰۱/۰۱")
    scan = tmp_path / "licence.png"
    scan.write_bytes(SCAN)
    shop_owner.set_input_files("input[name=scan]", str(scan))
    shop_owner.click("form.stacked button[type=submit]")
    shop_owner.wait_for_url(re.compile(rf"/panel/seals/{public_id}/licences"))
    assert shop_owner.locator("text=پروانه کسب").count() >= 1

    shop_owner.goto(f"{base}/panel/seals/{public_id}/rating")
    shop_owner.check("input[name=level][value=advanced]")
    shop_owner.fill("textarea[name=evidence]", "فعالیت از ۱۳۹۵؛ نماد پیشین و فاکتورهای همان سال")
    shop_owner.click("form.stacked button[type=submit]")
    shop_owner.wait_for_url(re.compile(r"/billing/invoices/"))
    shop_owner.click("form[action*='/pay'] button[type=submit]")
    shop_owner.click("button[name=outcome][value=paid]")
    shop_owner.wait_for_load_state("load")
    with app.app_context():
        item = db.session.scalar(select(RatingRequest))
        assert item.status == "open" and item.due_at == item.paid_at + timedelta(days=14)
        request_id = item.id
    shop_owner.goto(f"{base}/panel/seals/{public_id}/rating?lang=en")
    assert shop_owner.locator("td", has_text="Being reviewed").count() == 1

    member = enrol(app, REVIEWER_CODE, ["reviewer"], clock.now, name="رضا کارشناس")
    reviewer = browser.new_context().new_page()
    _staff_sign_in(reviewer, base, REVIEWER_CODE, member.code(app, clock.now))
    reviewer.click("a[href^='/staff/licences']")
    reviewer.click("button[name=verdict][value=verified]")
    reviewer.wait_for_url(re.compile(r"/staff/licences"))
    reviewer.click("a[href^='/staff/ratings']")
    reviewer.click(f"a[href*='/staff/ratings/{request_id}']")
    reviewer.click("button[name=action][value=check-https]")
    reviewer.wait_for_url(re.compile(rf"/staff/ratings/{request_id}"))
    # the worker checks the real TLS chain; the page follows the job and reloads itself once it is done
    reviewer.wait_for_selector("#domain-check", state="detached", timeout=30000)
    with app.app_context():
        assert db.session.get(RatingRequest, request_id).https_ok is True
    reviewer.check("input[name=long_activity]")
    reviewer.click("button[name=action][value=decide]")
    reviewer.wait_for_url(re.compile(r"/staff/ratings(\?|$)"))

    # HTTPS, five years of activity, a verified licence: four stars (the fifth needs two years sealed)
    deadline = time.monotonic() + 60
    while _badge_stars(badge_url) != ("valid", 4):
        assert time.monotonic() < deadline, f"the badge still shows {_badge_stars(badge_url)}"
        time.sleep(0.5)
    with app.app_context():
        assert seal_service.get_seal(public_id).stars == 4
        assert db.session.get(RatingRequest, request_id).granted_stars == 4
    context.close()
