"""Demo data, demo shop pages and demo owner sites, so a newcomer can click a real badge and prove a domain offline.

Enabled with SEAL_DEMO=1 (the run-demo script sets it); never in production.
"""
import json
import os
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from .domains import DomainError, normalize_domain
from .i18n import N_

from .accounts.models import LEGAL, NATURAL, Owner
from .extensions import db
from .seals import service
from .seals.models import Business, Licence, Seal

bp = Blueprint("demo", __name__, url_prefix="/demo")

FOREIGN_DEMO_DOMAIN = "another-shop.example"


def shop_host():
    """Demo shops live on a loopback name other than the authority's, as real shops would."""
    base = urlsplit(current_app.config["SEAL_BASE_URL"]).hostname
    return "127.0.0.1" if base == "localhost" else "localhost"


def _demo_shops():
    """(key, domain, kind, stars, final action, Persian name, English name)."""
    host = shop_host()
    return [
        ("valid", host, "standard", 2, None, "فروشگاه نمونه کتاب", "Sample Book Shop"),
        ("gray", "gray-shop.localhost", "gray", 0, None, "فروشگاه خاکستری", "Gray Shop"),
        ("temporary", "temp-shop.localhost", "temporary", 0, None, "بازارچه موقت", "Pop-up Market"),
        ("suspended", "suspended-shop.localhost", "standard", 1, "suspend", "فروشگاه معلق", "Suspended Shop"),
        ("expired", "expired-shop.localhost", "standard", 1, "expire", "فروشگاه قدیمی", "Old Shop"),
        ("revoked", "revoked-shop.localhost", "standard", 1, "revoke", "فروشگاه لغوشده", "Revoked Shop"),
        ("foreign", FOREIGN_DEMO_DOMAIN, "standard", 3, None, "فروشگاه دیگر", "Another Shop"),
    ]


def load_demo(now):
    """Create one seal in every state; returns [(key, seal)]. Running it twice adds nothing."""
    existing = {seal.domain: seal for seal in db.session.scalars(select(Seal))}
    person = Owner(kind=NATURAL, first_name="مریم", last_name="احمدی", father_name="علی",
                   gender="female", birth_date=date(1990, 3, 21), national_code="0013542419",
                   mobile="09121234567")
    company = Owner(kind=LEGAL, company_name="شرکت بازرگانی نمونه", legal_national_id="10101234567",
                    registration_number="123456")
    made = []
    for index, (key, domain, kind, stars, action, name_fa, name_en) in enumerate(_demo_shops()):
        if domain in existing:
            made.append((key, existing[domain]))
            continue
        business = Business(
            owner=company if index % 2 else person, name_fa=name_fa, name_en=name_en, domain=domain,
            category="کتاب و لوازم التحریر", sales_method="direct", landline="02188776655",
            email=f"info@{domain}", postal_code="1458889311", address="تهران، خیابان نمونه، پلاک ۱",
            province="تهران", city="تهران", response_hours="شنبه تا چهارشنبه ۹ تا ۱۷",
            latitude=35.7, longitude=51.4,
        )
        db.session.add(business)
        if key == "valid":
            business.licences.append(Licence(
                title="پروانه کسب", issuer="اتحادیه صنف کتاب", number="KB-1402-778",
                valid_from=date(2024, 1, 1), valid_to=date(2029, 1, 1), status="verified"))
        issued = now - timedelta(days=800) if action == "expire" else now - timedelta(days=30)
        seal = service.issue_seal(business, now=issued, actor="demo", kind=kind, stars=stars)
        if action == "expire":
            service.expire_due(now, actor="demo")
        elif action:
            getattr(service, action)(seal.public_id, now=now, actor="demo", reason="نمونه برای نمایش")
        made.append((key, seal))
    return made


DEMO_PROVIDER = "sandbox-psp"


def load_demo_provider(made, now):
    """A demo payment provider serving the gray and the valid demo shops; its token, or None when it exists
    already (a token is shown only once)."""
    from .providers import service as providers
    from .providers.models import PaymentProvider

    if db.session.scalar(select(PaymentProvider.id).where(PaymentProvider.name == DEMO_PROVIDER)):
        return None
    provider, token = providers.register(DEMO_PROVIDER, "the demo's sandbox payment provider", now=now,
                                         actor="demo")
    seals = dict(made)
    for key in ("gray", "valid"):
        providers.bind_seal(provider, seals[key], now=now)
    return token


def shop_url(seal):
    """Where the demo shop page of `seal` is served: on its own domain when that is local."""
    base = urlsplit(current_app.config["SEAL_BASE_URL"])
    local = seal.domain in ("127.0.0.1", "localhost") or seal.domain.endswith(".localhost")
    host = seal.domain if local else shop_host()
    port = f":{base.port}" if base.port else ""
    return f"{base.scheme}://{host}{port}/demo/shop/{seal.public_id}"


@bp.get("/")
def index():
    seals = db.session.scalars(select(Seal).order_by(Seal.id)).all()
    return render_template("demo/index.html", shops=[(seal, shop_url(seal)) for seal in seals])


@bp.get("/shop/<public_id>")
def shop(public_id):
    try:
        seal = service.get_seal(public_id)
    except service.SealNotFound:
        abort(404)
    response = current_app.make_response(
        render_template("demo/shop.html", seal=seal, snippet=service.snippet(seal)))
    # A shop's page loads the badge from the authority's origin, so the demo page allows it too.
    authority = current_app.config["SEAL_BASE_URL"]
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; img-src 'self' {authority}; script-src 'self' {authority}; "
        "style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    return response


# A demo owner site: the home page and one file an applicant would put on their own server. The domain
# checker reaches it when SEAL_FETCH_HOSTS sends every name to this server (scripts/run-demo does).
SITE_HOME = """<!doctype html>
<html lang="fa">
<head>
<meta charset="utf-8">
<title>My shop</title>
</head>
<body><h1>My shop</h1></body>
</html>
"""
MAX_SITE_TEXT = 20000
SITE_CSP = "sandbox; default-src 'none'"


def _sites_dir():
    return current_app.config.get("SEAL_DEMO_SITES_DIR") or os.path.join(current_app.instance_path, "demo-sites")


def _site_file(domain):
    return os.path.join(_sites_dir(), domain + ".json")  # a normalized domain holds only [a-z0-9.-]


def read_site(domain):
    try:
        with open(_site_file(domain), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def clean_site(form):
    """(site, errors): the demo site as typed, or msgids per field."""
    site = {key: (form.get(key) or "").replace("\r\n", "\n") for key in ("domain", "home", "file_path", "file_body")}
    errors = {}
    try:
        site["domain"] = normalize_domain(site["domain"])
    except DomainError as error:
        errors["domain"] = (str(error), {})
    path = site["file_path"].strip()
    site["file_path"] = path
    if path and (not path.startswith("/") or ".." in path or len(path) > 200 or not path.isascii()
                 or any(ch.isspace() for ch in path)):
        errors["file_path"] = (N_("Write a path such as /.well-known/seal-verification/CODE.txt."), {})
    if len(site["home"]) > MAX_SITE_TEXT or len(site["file_body"]) > MAX_SITE_TEXT:
        errors["_form"] = (N_("Keep the home page and the file under %(count)s characters."), {"count": MAX_SITE_TEXT})
    return site, errors


@bp.route("/sites", methods=["GET", "POST"])
def sites():
    """Edit a demo owner site: what the domain checker finds at http://DOMAIN/ and at the file's path."""
    form, errors, saved = {"home": SITE_HOME, "file_path": "/.well-known/seal-verification/"}, {}, None
    if request.method == "POST":
        form, errors = clean_site(request.form)
        if not errors:
            os.makedirs(_sites_dir(), exist_ok=True)
            with open(_site_file(form["domain"]), "w", encoding="utf-8") as handle:
                json.dump(form, handle, ensure_ascii=False)
            return redirect(url_for("demo.sites", domain=form["domain"], lang=request.args.get("lang")))
    elif request.args.get("domain"):
        try:
            saved = read_site(normalize_domain(request.args["domain"]))
        except DomainError:
            saved = None
        form = saved or form
    listed = sorted(name[:-5] for name in os.listdir(_sites_dir()) if name.endswith(".json")) \
        if os.path.isdir(_sites_dir()) else []
    return render_template("demo/sites.html", form=form, errors=errors, saved=saved, listed=listed), \
        (400 if errors else 200)


def _own_hosts():
    return {urlsplit(current_app.config["SEAL_BASE_URL"]).hostname, "localhost", "127.0.0.1"}


@bp.before_app_request
def serve_demo_site():
    """A request for a demo owner site's host gets that site: the home page at /, the file at its path."""
    host = request.host.rsplit(":", 1)[0].lower() if not request.host.endswith("]") else request.host
    if host in _own_hosts() or host.endswith(".localhost"):
        return None
    try:
        site = read_site(normalize_domain(host))
    except DomainError:
        return None
    if site is None:
        return None
    if request.path == "/":
        response = current_app.response_class(site["home"], mimetype="text/html")
    elif site.get("file_path") and request.path == site["file_path"]:
        response = current_app.response_class(site["file_body"], mimetype="text/plain")
    else:
        response = current_app.response_class("Not found", status=404, mimetype="text/plain")
    response.headers["Content-Security-Policy"] = SITE_CSP
    return response
