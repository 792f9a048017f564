"""Small builders for test data."""
from seal_server.accounts.models import LEGAL, NATURAL, Owner
from seal_server.extensions import db
from seal_server.seals import service
from seal_server.seals.models import Business


def make_business(domain="shop.example", *, legal=False, **fields):
    if legal:
        owner = Owner(kind=LEGAL, company_name="شرکت نمونه", legal_national_id="10101234565",
                      registration_number="1234")
    else:
        owner = Owner(kind=NATURAL, first_name="مریم", last_name="احمدی", national_code="0013542419",
                      mobile="09121234567")
    values = {"name_fa": "فروشگاه نمونه", "name_en": "Sample Shop", "domain": domain}
    values.update(fields)
    business = Business(owner=owner, **values)
    db.session.add(business)
    return business


def issue(domain="shop.example", *, now, kind="standard", days=None, **fields):
    """A freshly issued seal for a new business on `domain`."""
    return service.issue_seal(make_business(domain, **fields), now=now, actor="test", kind=kind, days=days)


def payment_provider(name="mellat", *seals, now):
    """A registered payment provider bound to `seals`; returns its token."""
    from seal_server.providers import service as providers

    provider, token = providers.register(name, f"tech@{name}.example", now=now, actor="test")
    for seal in seals:
        providers.bind_seal(provider, seal, now=now)
    return token
