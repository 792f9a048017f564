"""Demo data and demo shop pages, so a newcomer can click a real badge offline.

Enabled with SEAL_DEMO=1 (the run-demo script sets it); never in production.
"""
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

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
                valid_from=date(2024, 1, 1), valid_to=date(2029, 1, 1)))
        issued = now - timedelta(days=800) if action == "expire" else now - timedelta(days=30)
        seal = service.issue_seal(business, now=issued, actor="demo", kind=kind, stars=stars)
        if action == "expire":
            service.expire_due(now, actor="demo")
        elif action:
            getattr(service, action)(seal.public_id, now=now, actor="demo", reason="نمونه برای نمایش")
        made.append((key, seal))
    return made


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
