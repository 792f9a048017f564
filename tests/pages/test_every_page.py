"""Every page in headless Chromium, in Persian and English, 1280 and 390 px wide: no sideways scrolling,
no console error, no Content-Security-Policy violation, and no serious or critical axe-core finding.

PAGES below is the list to extend: one line per page, its address (placeholders are filled from what
`_demo_data` builds once for this module), who sees it, and the HTTP status it answers with. Staff pages
are seen by an admin holding every role (the browser context for each kind of visitor is made once and reused).

One live server, one browser and one data set serve the whole module, so the ~150 visits take about a
minute. SEAL_PAGE_SCREENSHOTS=DIR saves a full-page PNG of every visit there, for looking at them by eye.
axe-core comes from npm (package.json, installed by scripts/bootstrap) and is injected from node_modules
through the debugging protocol, so the pages keep their own Content-Security-Policy while it runs.
"""
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import select

from seal_server.billing.models import Invoice
from seal_server.clock import utcnow
from seal_server.complaints import arbitration
from seal_server.complaints.views import FOLLOWED
from seal_server.demo import load_demo, load_demo_provider, shop_url
from seal_server.extensions import db
from seal_server.onboarding import domain as domain_proof
from seal_server.onboarding import issuance, proof
from seal_server.onboarding.models import Application, DomainCheck
from seal_server.providers.models import PaymentProvider
from seal_server.seals import service
from tests.accounts.conftest import MOBILE, NATIONAL_CODE, csrf_from, sign_in
from tests.conftest import LiveServer, _empty_tables, deliver_queued, make_app
from tests.onboarding.conftest import BUSINESS, NATURAL, new_application, post_form
from tests.onboarding.payflow import path_of, walk_to_submitted
from tests.onboarding.test_map import PNG, TILES
from tests.staff.conftest import ADMIN_CODE, enrol
from tests.staff.conftest import sign_in as staff_sign_in

pytestmark = pytest.mark.browser

PUBLIC, OWNER, STAFF, BUYER = "public", "owner", "staff", "buyer"


LANGUAGES = ("fa", "en")
WIDTHS = (1280, 390)


class Page(NamedTuple):
    path: str  # format placeholders come from `_demo_data`; a full URL for pages on another host
    who: str = PUBLIC
    status: int = 200
    before: str = ""  # a name in BEFORE: steps that bring the visitor to this page (its session state)
    languages: tuple = LANGUAGES


PAGES = {
    # the public side
    "home": Page("/"),
    "registry": Page("/registry"),
    "registry search": Page("/registry?q=shop"),
    "verify valid": Page("/verify/{valid}"),
    "verify gray": Page("/verify/{gray}"),
    "verify temporary": Page("/verify/{temporary}"),
    "verify suspended": Page("/verify/{suspended}"),
    "verify expired": Page("/verify/{expired}"),
    "verify revoked": Page("/verify/{revoked}"),
    "verify invalid": Page("/verify/zzzzzzzzzzzz?code=x", status=404),
    "report complaint": Page("/report/{valid}&kind=complaint"),
    "report violation": Page("/report/{valid}&kind=violation"),
    "file a complaint": Page("/complaints/new/{valid}"),
    "follow a complaint": Page("/complaints/follow?tracking_code={complaint}"),
    "followed complaint in arbitration": Page("/complaints/{arbitrated}", BUYER),
    "violation report form": Page("/verify/{valid_violation}"),
    "not found": Page("/no-such-page", status=404),
    "demo shops": Page("/demo/"),
    "demo shop": Page("{shop}", languages=("fa",)),  # a Persian shop's own page, not the authority's
    "demo owner sites": Page("/demo/sites"),
    "sign in": Page("/account/enter"),
    "sign in with password": Page("/account/password-login"),
    "enter the code": Page("/account/code", before="sign in"),
    "outbox": Page("/outbox"),
    "post office letters": Page("/operator/letters"),
    "voice calls": Page("/operator/calls"),
    # the owner's panel
    "account": Page("/account", OWNER),
    "password": Page("/account/password", OWNER),
    "panel": Page("/panel", OWNER),
    "draft application": Page("/panel/applications/{draft}", OWNER),
    "identity step": Page("/panel/applications/{draft}/identity", OWNER),
    "documents step": Page("/panel/applications/{draft}/documents", OWNER),
    "business step": Page("/panel/applications/{draft}/business", OWNER),
    "domain step": Page("/panel/applications/{draft}/domain", OWNER),
    "contact step": Page("/panel/applications/{draft}/contact", OWNER),
    "commitment step": Page("/panel/applications/{draft}/commitment", OWNER),
    "payment step": Page("/panel/applications/{draft}/payment", OWNER),
    "postal step": Page("/panel/applications/{draft}/postal", OWNER),
    "issued seal": Page("/panel/applications/{issued}", OWNER),
    "renew seal": Page("/panel/seals/{issued_seal}/renew", OWNER),
    "cancel seal": Page("/panel/seals/{issued_seal}/cancel", OWNER),
    "invoice": Page("/billing/invoices/{invoice}", OWNER),
    "sandbox bank": Page("{bank}", OWNER),
    "complaints": Page("/panel/complaints", OWNER),
    "seal notifications and webhooks": Page("/panel/seals/{issued_seal}/notifications", OWNER),
    "outbox deliveries": Page("/operator/deliveries"),
    "outbox dead deliveries": Page("/operator/deliveries?view=dead"),
    # the staff console (an admin holding every role)
    "staff sign in": Page("/staff/sign-in"),
    "staff home": Page("/staff", STAFF),
    "staff people": Page("/staff/people", STAFF),
    "review queue": Page("/staff/queue", STAFF),
    "review page": Page("/staff/applications/{issued}", STAFF),
    "background checks sandbox": Page("/staff/checks", STAFF),
    "gray seals over their limits": Page("/staff/gray", STAFF),
    "account recovery": Page("/staff/accounts", STAFF),
    "seals": Page("/staff/seals", STAFF),
    "one seal": Page("/staff/seals/{valid_id}", STAFF),
    "audit log": Page("/staff/audit", STAFF),
    "staff complaints": Page("/staff/complaints", STAFF),
    "staff complaints in arbitration": Page("/staff/complaints?arbitration=any", STAFF),
    "staff complaint awaiting a ruling": Page("/staff/complaints/{to_rule}", STAFF),
    "bank inquiry sandbox": Page("/staff/bank-sandbox", STAFF),
    "licences": Page("/panel/seals/{issued_seal}/licences", OWNER),
    "rating request": Page("/panel/seals/{issued_seal}/rating", OWNER),
    "non-conformities": Page("/panel/seals/{issued_seal}/nonconformities", OWNER),
    "licences to verify": Page("/staff/licences", STAFF),
    "rating requests": Page("/staff/ratings", STAFF),
    "a rating request's HTTPS check": Page("/staff/ratings/{rating_request}", STAFF),
    "answered non-conformities": Page("/staff/nonconformities", STAFF),
    "violation reports": Page("/staff/violations", STAFF),
    "register a change": Page("/panel/seals/{issued_seal}/changes", OWNER),
    "change the address": Page("/panel/seals/{issued_seal}/changes/new/address", OWNER),
    "change the domain": Page("/panel/seals/{issued_seal}/changes/new/domain", OWNER),
    "a change under review": Page("/panel/seals/{issued_seal}/changes/{name_change}", OWNER),
    "a domain change's proof": Page("/panel/seals/{issued_seal}/changes/{domain_change}", OWNER),
    "changes to review": Page("/staff/changes", STAFF),
    "payment providers": Page("/staff/providers", STAFF),
    "payment providers of a seal": Page("/panel/seals/{issued_seal}/providers", OWNER),
    "payment provider": Page("/staff/providers/{provider}", STAFF),
    "transfer seal": Page("/panel/seals/{issued_seal}/transfer", OWNER),
    "one transfer": Page("/panel/transfers/{transfer}", OWNER),
    "upgrade gray seal": Page("/panel/seals/{gray_seal}/upgrade", OWNER),
    "held renewals": Page("/staff/renewals", STAFF),
    "held renewal": Page("/staff/renewals/{held_renewal}", STAFF),
    "seal on other sites": Page("/panel/seals/{issued_seal}/copies", OWNER),
    "seals on other sites": Page("/staff/copies", STAFF),
}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = os.environ.get("SEAL_PAGE_SCREENSHOTS")
AXE_RUN = "axe.run(document, {resultTypes: ['violations']})"
DOT_BY_DIGIT = re.compile(r"[0-9۰-۹]\s*·|·\s*[0-9۰-۹]")
BROKEN_DOMAINS = """() => [...document.querySelectorAll('.domain, .domain-name')].filter(el => {
    const line = parseFloat(getComputedStyle(el).lineHeight) || 20;
    return el.getClientRects().length > 1 || el.getBoundingClientRect().height > 1.5 * line;
}).map(el => el.textContent)"""
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def site(database_url, tmp_path_factory):
    """One app, one live server and one data set for the module (tables emptied at its end)."""
    uploads = tmp_path_factory.mktemp("uploads")
    app = make_app(database_url, SEAL_DEMO=True, RATELIMIT_ENABLED=False, SEAL_MAP_TILES_URL=TILES,
                   SEAL_UPLOAD_DIR=str(uploads), SEAL_DEMO_SITES_DIR=str(uploads / "sites"),
                   SEAL_OTP_SENDS_PER_NUMBER_HOUR=1000, SEAL_OTP_SENDS_PER_IP_HOUR=1000, SEAL_OTP_RESEND_SECONDS=0)
    server = LiveServer(app).start()
    try:
        yield app, server, _demo_data(app)
    finally:
        server.stop()
        _empty_tables(app)


def _demo_data(app):
    """Seals in every state and one owner with an issued seal, a draft in progress and an open bank page."""
    now = utcnow()
    data = {}
    with app.app_context():
        made = load_demo(now)
        load_demo_provider(made, now)
        data["provider"] = db.session.scalar(select(PaymentProvider.id))
        seals = dict(made)
        data |= {key: f"{seal.public_id}?code={service.code_for(seal)}" for key, seal in seals.items()}
        data["shop"] = shop_url(seals["valid"])
        data["valid_violation"] = data["valid"].replace("?", "/violation?", 1)
    owner = app.test_client()
    sign_in(owner)
    data["issued"] = new_application(owner)
    assert walk_to_submitted(app, owner, data["issued"]).status_code == 302
    with app.app_context():
        _, issued = issuance.approve(data["issued"], now=now, actor="test")
        data["complaint"] = _open_complaint(issued, now)
        _, data["to_rule"] = _arbitrated_complaint(issued, now - timedelta(days=4), "900002")
        data["arbitrated"], arbitrated_id = _arbitrated_complaint(issued, now, "900001")
        arbitration.sweep(now)  # the older one's 72 hours have passed: it awaits a ruling
        data["invoice"] = db.session.scalars(select(Invoice.number).where(Invoice.account_id.is_not(None))
                                             .order_by(Invoice.id.desc())).first()  # the owner's, not a buyer's fee
        data["issued_seal"] = issuance.seal_of(db.session.get(Application, data["issued"])).public_id
        # the owner's page offers to dispute a provider; the provider's staff page shows a dispute to clear
        from seal_server.providers import service as providers

        demo_provider = db.session.get(PaymentProvider, data["provider"])
        providers.bind_seal(demo_provider, issuance.seal_of(db.session.get(Application, data["issued"])), now=now)
        disputed = demo_provider.merchants[0]
        disputed.disputed_at = now
        db.session.commit()
    data["draft"] = draft = new_application(owner)
    base = f"/panel/applications/{draft}"
    assert post_form(owner, base + "/identity", NATURAL).status_code == 302
    assert post_form(owner, base + "/business", {**BUSINESS, "domain": "my-shop.example"}).status_code == 302
    with app.app_context():
        application = db.session.get(Application, draft)
        challenge = domain_proof.start(application, proof.META, None, now)
        # a check the worker is running (its lease far ahead, so the page's own worker leaves it): the
        # domain page shows its progress and polls it
        db.session.add(DomainCheck(application_id=draft, challenge_id=challenge.id, account_id=application.account_id,
                                   state="running", slot=0, requested_at=now, started_at=now,
                                   lease_until=now + timedelta(days=3650), runs=1, verified=False))
        db.session.commit()
    to_invoice = owner.post(base + "/payment", data={"csrf_token": csrf_from(owner.get(base)), "size": "standard"})
    invoice = path_of(to_invoice.headers["Location"])
    to_bank = owner.post(invoice + "/pay", data={"csrf_token": csrf_from(owner.get(invoice))})
    data["bank"] = path_of(to_bank.headers["Location"])
    data["owner_session"] = owner.get_cookie("session").value
    with app.app_context():
        data["issued_seal"] = issuance.seal_of(db.session.get(Application, data["issued"])).public_id
        # the owner's page offers to dispute a provider; the provider's staff page shows a dispute to clear
        from seal_server.providers import service as providers

        demo_provider = db.session.get(PaymentProvider, data["provider"])
        providers.bind_seal(demo_provider, issuance.seal_of(db.session.get(Application, data["issued"])), now=now)
        disputed = demo_provider.merchants[0]
        disputed.disputed_at = now
        db.session.commit()
        data["valid_id"] = data["valid"].split("?")[0]
        data["name_change"], data["domain_change"] = _open_changes(service.get_seal(data["issued_seal"]), now)
        _copies_seen(now, [data["issued_seal"], data["valid_id"]])
    buyer = app.test_client()
    with buyer.session_transaction() as session:
        session[FOLLOWED] = arbitrated_id
    data["buyer_session"] = buyer.get_cookie("session").value
    with app.app_context():
        data.update(_seal_life_data(data, now))
    staff = app.test_client()
    member = enrol(app, ADMIN_CODE, ["admin", "supervisor", "reviewer", "support", "arbiter"], now)
    assert staff_sign_in(staff, member, now).status_code == 302
    data["staff_session"] = staff.get_cookie("session").value
    with app.app_context():
        data["rating_request"] = _rating_being_checked(service.get_seal(data["issued_seal"]).id, member.id, now)
    return data


def _open_changes(seal, now):
    """A change of names waiting for staff, and a domain change waiting for its meta-tag proof."""
    from seal_server.changes import service as changes

    account = seal.business.owner.account
    names = changes.request_change(seal, account, "names", {"name_fa": "فروشگاه تازه", "name_en": "Fresh Shop"},
                                   now=now)
    domain = changes.request_change(seal, account, "domain", {"domain": "moved-shop.example"}, now=now)
    challenge = changes.start_proof(domain, proof.META, None, now)
    # its proof being fetched by the worker (a lease far ahead): the page shows the progress and polls it
    db.session.add(DomainCheck(kind="change", subject_id=domain.id, application_id=challenge.application_id,
                               challenge_id=challenge.id, account_id=account.id, state="running", slot=1,
                               requested_at=now, started_at=now, lease_until=now + timedelta(days=3650), runs=1))
    db.session.commit()
    return names.id, domain.id


def _rating_being_checked(seal_id, staff_id, now):
    """An open rating request whose HTTPS check the worker is running for the staff member."""
    from seal_server.conformity.models import RatingRequest

    item = RatingRequest(seal_id=seal_id, level="advanced", status="open", requested_at=now, paid_at=now,
                         due_at=now + timedelta(days=14))
    db.session.add(item)
    db.session.flush()
    db.session.add(DomainCheck(kind="https", subject_id=item.id, staff_id=staff_id, state="running", slot=0,
                               requested_at=now, started_at=now, lease_until=now + timedelta(days=3650), runs=1))
    db.session.commit()
    return item.id


def _seal_life_data(data, now):
    """A cancelled transfer of the owner's seal (its history), a gray seal of theirs, a renewal held for review."""
    from seal_server.accounts.models import Account
    from seal_server.billing.models import Invoice as Bill
    from seal_server.renewals.models import Renewal
    from seal_server.seals.models import Business
    from seal_server.transfers import service as transfers
    from tests.onboarding.conftest import OTHER_CODE

    application = db.session.get(Application, data["issued"])
    seal = issuance.seal_of(application)
    account = db.session.get(Account, application.account_id)
    transfer = transfers.offer(seal, account, OTHER_CODE, now=now)
    transfer.status, transfer.ended_at, transfer.ended_by = "cancelled", now, "seller"
    business = Business(owner_id=application.owner_id, name_fa="فروشگاه خاکستری", name_en="Gray Shop",
                        domain="gray-shop.example")
    db.session.add(business)
    gray = service.issue_seal(business, now=now, actor="test", kind="gray")
    bill = Bill(number="HELD-1", account_id=account.id, purpose="renewal", status="paid", total=1_750_000,
                created_at=now, paid_at=now)
    db.session.add(bill)
    db.session.flush()
    held = Renewal(seal_id=seal.id, account_id=account.id, invoice_id=bill.id, status="held",
                   old_expires_at=seal.expires_at, terms_version="old", terms_accepted_at=now,
                   held_reason="the commitment changed after the owner accepted it for this renewal", created_at=now)
    db.session.add(held)
    db.session.commit()
    return {"transfer": transfer.id, "gray_seal": gray.public_id, "held_renewal": held.id}


def _copies_seen(now, public_ids):
    """Other sites that showed these seals (one long host name, one IDN, one over the threshold: reported; the
    hosts past SEAL_COPY_HOSTS_PER_SEAL counted together as "other sites")."""
    from datetime import timedelta

    from seal_server.copies import service as copies

    hosts = {"copycat.example": 250, "a-very-long-subdomain-name.of-a-site-that-copied.example": 7,
             "xn--mgbtj4c7ad63e.example": 3, "*": 42}
    copies.add_counts([(public_id, host, count, now - timedelta(days=40), now) for public_id in public_ids
                       for host, count in hosts.items()])
    copies.report_copies(now, 100)


def _open_complaint(seal, now):
    """A buyer's confirmed complaint against the owner's seal, so the panel shows an answer form."""
    from seal_server.complaints import service as complaints
    from tests.complaints.conftest import form, sms_code

    pending = complaints.file_complaint(seal, form(now), ip="127.0.0.1", now=now, today=now.date())
    return complaints.confirm_filing(pending.tracking_code, sms_code(), now=now).tracking_code


def _arbitrated_complaint(seal, at, payment_ref):
    """A complaint whose answer the buyer rejected and whose arbitration fee is paid, with evidence from both
    sides (a file from the shop); (tracking code, id)."""
    from seal_server.complaints import service as complaints
    from tests.complaints.conftest import PDF, arbitrate, form, sms_code

    pending = complaints.file_complaint(seal, form(at, payment_ref=payment_ref), ip="127.0.0.2", now=at,
                                        today=at.date())
    deliver_queued(at)  # the code's SMS, sent at its own time (a code is never sent late)
    complaint = complaints.confirm_filing(pending.tracking_code, sms_code(), now=at)
    account_id = seal.business.owner.account_id
    complaints.answer(complaint.id, account_id, "The parcel was posted on time.", now=at)
    complaints.verdict(complaint, False, now=at)
    arbitrate(complaint, at)
    arbitration.shop_evidence(complaint.id, account_id, "The courier's proof of delivery is attached.",
                              [(PDF, "delivery.pdf")], now=at)
    arbitration.add_evidence(complaint, "buyer", "The box arrived empty; photo to follow.", [], now=at)
    return complaint.tracking_code, complaint.id


def _enter_the_code_page(page, base, lang):
    page.goto(f"{base}/account/enter{lang}")
    page.fill("input[name=national_code]", NATIONAL_CODE)
    page.fill("input[name=mobile]", MOBILE)
    page.click("form.stacked button[type=submit]")


BEFORE = {"sign in": _enter_the_code_page}


@pytest.fixture(scope="module")
def visitors(site, browser):
    """One browser context per (kind of visitor, width), made on first use and reused."""
    app, server, data = site
    made = {}

    def visitor(who, width, fresh=False):
        key = (who, width)
        if fresh or key not in made:
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.route("http://tiles.test/**", lambda route: route.fulfill(
                status=200, content_type="image/png", body=PNG))
            context.add_init_script(WATCH_CSP)
            # through the debugging protocol, like Playwright's own scripts: the page's CSP still holds for it
            context.add_init_script(path=str(AXE))
            _signed_in(context, who, server, data)
            page = context.new_page()
            if fresh:
                return context, page
            made[key] = (context, page)
        return made[key]

    yield visitor
    for context, _ in made.values():
        context.close()


def _signed_in(context, who, server, data):
    if who == OWNER:
        context.add_cookies([{"name": "session", "value": data["owner_session"], "url": server.url}])
    elif who == STAFF:
        context.add_cookies([{"name": "session", "value": data["staff_session"], "url": server.url}])
    elif who == BUYER:  # following a complaint: the follow page's session, no account
        context.add_cookies([{"name": "session", "value": data["buyer_session"], "url": server.url}])


def _overflow(page):
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(el => {
            const box = el.getBoundingClientRect();
            return box.width && (box.right > width + 1 || box.left < -1);
        }).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
        return {scroll: document.documentElement.scrollWidth, width, wide};
    }""")


def faults(page, url, lang, status=200):
    """Open `url` in `page` and list what is wrong with it (empty when nothing is)."""
    found = []
    on_console = lambda message: message.type == "error" and found.append(f"console: {message.text}")  # noqa: E731
    on_error = lambda error: found.append(f"script error: {error}")  # noqa: E731
    page.on("console", on_console)
    page.on("pageerror", on_error)
    try:
        response = page.goto(url)
        page.wait_for_load_state("load")
        if response.status != status:
            found.append(f"status {response.status}, not {status}")
        if status != 200:  # the page's own error status is what it should be, not a fault
            found = [fault for fault in found if "the server responded with a status of" not in fault]
        if page.locator("html").get_attribute("lang") != lang:
            found.append(f"html lang is not {lang}")
        layout = _overflow(page)
        if layout["scroll"] > layout["width"]:
            found.append(f"scrolls sideways: {layout}")
        for violation in page.evaluate(AXE_RUN + ".then(r => r.violations)"):
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                found.append(f"axe {violation['id']} ({violation['impact']}): {targets}")
        found += [f"CSP: {blocked}" for blocked in page.evaluate("window.__cspViolations || []")]
        found += [f"a domain name broken across lines: {text}" for text in page.evaluate(BROKEN_DOMAINS)]
        if DOT_BY_DIGIT.search(page.locator("body").inner_text()):
            found.append("a middle dot beside digits reads as a Persian zero")
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
    return found


@pytest.mark.parametrize("name, lang, width", [
    (name, lang, width) for name, spec in PAGES.items() for lang in spec.languages for width in WIDTHS])
def test_page(name, lang, width, site, visitors):
    spec = PAGES[name]
    _, server, data = site
    path = spec.path.format(**data)
    url = path if path.startswith("http") else server.url + path
    if lang != "fa":
        url += ("&" if "?" in url else "?") + "lang=" + lang
    context, page = visitors(spec.who, width, fresh=bool(spec.before))
    try:
        if spec.before:
            BEFORE[spec.before](page, server.url, "" if lang == "fa" else "?lang=" + lang)
        assert faults(page, url, lang, spec.status) == []
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            page.screenshot(path=os.path.join(SHOTS, f"{name.replace(' ', '-')}-{lang}-{width}.png"), full_page=True)
    finally:
        if spec.before:
            context.close()


BROKEN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>broken</title></head><body>
<link rel="stylesheet" href="/static/none.css"><img src="/static/none.png"><div style="width: 2000px">wide</div><p>۳ · ۴</p>
<p style="width: 5em">a <span class="domain">very-long-shop-name.example</span></p>
<script>console.error('boom')</script></body></html>"""


def test_the_guard_sees_what_it_guards(site, visitors):
    """A page with every fault the guard looks for: each is reported."""
    _, server, _ = site
    context, page = visitors(PUBLIC, 390, fresh=True)
    context.route(f"{server.url}/broken", lambda route: route.fulfill(
        status=200, content_type="text/html", body=BROKEN,
        headers={"Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'none'"}))
    try:
        found = "\n".join(faults(page, f"{server.url}/broken", "fa"))
    finally:
        context.close()
    for expected in ("html lang is not fa", "scrolls sideways", "axe image-alt (critical)", "CSP: img-src",
                     "console: boom", "middle dot", "status of 404", "a domain name broken across lines"):
        assert expected in found, found


def test_every_badge_label_fits_its_badge(browser):
    """Drawn by Chromium, no text of any badge look, language or size runs past the badge's edge."""
    from seal_server.seals import badge

    looks = [("valid", "standard", 5), ("valid", "gray", 0), ("valid", "temporary", 0), ("unverified", "standard", 2),
             ("suspended", "standard", 1), ("expired", "standard", 1), ("revoked", "standard", 1),
             ("foreign", "standard", 1), ("invalid", "", 0)]
    drawn = "".join(badge.render(state, kind, stars, lang, size).body.decode()
                    for state, kind, stars in looks for lang in LANGUAGES for size in badge.SIZES)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(f"<!doctype html><meta charset='utf-8'><body>{drawn}</body>")
        overflowing = page.evaluate("""() => [...document.querySelectorAll('svg')].flatMap(svg => {
            const width = svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].filter(text => {
                const box = text.getBBox();
                return box.x < 0 || box.x + box.width > width;
            }).map(text => `${svg.getAttribute('aria-label')} (${width}px): ${text.textContent}`);
        })""")
    finally:
        context.close()
    assert overflowing == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_snippet_box_is_wide_monospace_and_selected_on_focus(site, visitors, width):
    _, server, data = site
    _, page = visitors(OWNER, width)
    page.goto(f"{server.url}/panel/applications/{data['issued']}")
    box = page.locator("#snippet-text")
    shape = box.evaluate("""box => {
        const own = box.getBoundingClientRect(), room = box.closest('section').getBoundingClientRect();
        const button = document.getElementById('copy-snippet').getBoundingClientRect();
        return {share: own.width / room.width, font: getComputedStyle(box).fontFamily,
                beside: button.top < own.bottom && button.bottom > own.top,
                whole: box.scrollHeight <= box.clientHeight};
    }""")
    assert "monospace" in shape["font"]
    if width >= 1280:
        assert shape["share"] > 0.75 and shape["beside"] and shape["whole"], shape
    else:
        assert shape["share"] > 0.95, shape  # the button goes under it on a phone
    box.focus()
    assert box.evaluate("box => box.selectionStart === 0 && box.selectionEnd === box.value.length")
