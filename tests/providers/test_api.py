"""The payment providers' API: binding merchants, reading a merchant's seal and this month's gray volume, tokens."""
import pytest
from sqlalchemy import select

from seal_server.audit import AuditEvent
from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from seal_server.onboarding import gray
from seal_server.providers import service
from seal_server.providers.models import PaymentProvider, ProviderMerchant
from seal_server.seals import service as seals
from tests.conftest import deliver_queued
from tests.factories import issue, payment_provider


@pytest.fixture
def shop(ctx):
    """A gray seal (with the business email the owner is told at) and a standard one, issued a day ago."""
    from datetime import timedelta

    now = utcnow() - timedelta(days=1)
    gray_seal = issue("gray.example", now=now, kind="gray", email="info@gray.example")
    standard = issue("standard.example", now=now)
    deliver_queued()
    return gray_seal.public_id, standard.public_id


@pytest.fixture
def token(ctx):
    return payment_provider("mellat", now=utcnow())


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def bind(client, token, domain, seal_id):
    return client.post("/api/v1/psp/merchants", json={"domain": domain, "seal_id": seal_id}, headers=_auth(token))


def test_bind_is_idempotent_and_tells_the_owner_once(app, client, shop, token):
    gray_id, _ = shop
    first = bind(client, token, "gray.example", gray_id)
    assert first.status_code == 201
    assert first.json["domain"] == "gray.example" and first.json["seal_id"] == gray_id
    again = bind(client, token, "https://WWW.Gray.example/shop", gray_id)
    assert again.status_code == 200 and again.json == first.json
    assert db.session.scalar(select(db.func.count()).select_from(ProviderMerchant)) == 1
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "info@gray.example")).all()
    assert [mail.subject for mail in mails if "mellat" in mail.subject] == [
        "mellat درگاه پرداخت gray.example شد | mellat now serves gray.example"]
    listed = client.get("/api/v1/psp/merchants", headers=_auth(token))
    assert listed.json == {"merchants": [first.json]}


@pytest.mark.parametrize("body, status, message", [
    ({"domain": "gray.example", "seal_id": "abcdefghjkmn"}, 404, "no seal with this seal_id"),
    ({"domain": "gray.example", "seal_id": "x\x00"}, 404, "no seal with this seal_id"),
    ({"domain": "other.example"}, 400, "seal_id must be the seal's public id"),
    ({"domain": "other.example", "seal_id": "GRAY"}, 409, "this seal was issued for another domain"),
    ({"domain": "10.0.0.1:80/x y", "seal_id": "GRAY"}, 409, "this seal was issued for another domain"),
    ({"domain": "", "seal_id": "GRAY"}, 409, "this seal was issued for another domain"),
    ({"domain": "x" * 300, "seal_id": "GRAY"}, 409, "this seal was issued for another domain"),
    ({"domain": ["gray.example"], "seal_id": "GRAY"}, 400, "domain must be the merchant's domain name"),
    ({"seal_id": "GRAY"}, 400, "domain must be the merchant's domain name"),
    ([], 400, "send a JSON object"),
])
def test_a_bind_is_refused_unless_the_seal_exists_and_names_the_domain(client, shop, token, body, status, message):
    if isinstance(body, dict) and body.get("seal_id") == "GRAY":
        body = dict(body, seal_id=shop[0])
    response = client.post("/api/v1/psp/merchants", json=body, headers=_auth(token))
    assert response.status_code == status and response.json["error"].startswith(message)
    assert db.session.scalar(select(db.func.count()).select_from(ProviderMerchant)) == 0


def test_a_gray_merchant_answers_status_and_this_months_volume(client, shop, token):
    gray_id, _ = shop
    bind(client, token, "gray.example", gray_id)
    other = payment_provider("saman", db.session.scalar(select(seals.Seal).where(seals.Seal.public_id == gray_id)),
                             now=utcnow())
    month = gray.month_of(utcnow())
    answer = client.get("/api/v1/psp/merchants/gray.example", headers=_auth(token))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert answer.json["gray_volume"] == {"month": month, "amount_rials": 0, "transactions": 0,
                                          "limit_amount_rials": 1_000_000_000, "limit_transactions": 100,
                                          "over_cap": False}
    assert {key: answer.json[key] for key in ("seal_id", "status", "kind", "stars")} == {
        "seal_id": gray_id, "status": "active", "kind": "gray", "stars": 0}
    report = {"seal_id": gray_id, "month": month, "amount_rials": 600_000_000, "transactions": 30}
    assert client.post("/api/v1/gray-volumes", json=report, headers=_auth(token)).status_code == 200
    # last month's figures do not count towards this month
    old = dict(report, month="1404-01", amount_rials=10**12)
    assert client.post("/api/v1/gray-volumes", json=old, headers=_auth(token)).status_code == 200
    volume = client.get("/api/v1/psp/merchants/gray.example", headers=_auth(token)).json["gray_volume"]
    assert (volume["amount_rials"], volume["transactions"], volume["over_cap"]) == (600_000_000, 30, False)
    # the cap is the merchant's, across providers: saman's report takes it over
    client.post("/api/v1/gray-volumes", json=dict(report, amount_rials=400_000_001, transactions=1),
                headers=_auth(other))
    volume = client.get("/api/v1/psp/merchants/GRAY.example", headers=_auth(token)).json["gray_volume"]
    assert (volume["amount_rials"], volume["transactions"], volume["over_cap"]) == (1_000_000_001, 31, True)


def test_a_standard_merchant_has_no_volume_and_its_suspension_shows(client, shop, token):
    _, standard_id = shop
    bind(client, token, "standard.example", standard_id)
    answer = client.get("/api/v1/psp/merchants/standard.example", headers=_auth(token)).json
    assert answer["gray_volume"] is None and answer["kind"] == "standard" and answer["stars"] == 1
    seals.suspend(standard_id, now=utcnow(), actor="test", reason="بررسی شکایت")
    assert client.get("/api/v1/psp/merchants/standard.example", headers=_auth(token)).json["status"] == "suspended"


def test_a_merchant_the_provider_does_not_serve_is_403(client, shop, token):
    gray_id, _ = shop
    other = payment_provider("saman", now=utcnow())
    bind(client, other, "gray.example", gray_id)
    for domain in ("gray.example", "nosuch.example", "not a domain", "a%0Ab/c", "x" * 300):
        answer = client.get(f"/api/v1/psp/merchants/{domain}", headers=_auth(token))
        assert answer.status_code == 403 and "has not bound a merchant" in answer.json["error"], domain
        assert client.delete(f"/api/v1/psp/merchants/{domain}", headers=_auth(token)).status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(ProviderMerchant)) == 1  # saman's stays


def test_unbind_stops_reports_and_reads(client, shop, token):
    gray_id, _ = shop
    bind(client, token, "gray.example", gray_id)
    assert client.delete("/api/v1/psp/merchants/gray.example", headers=_auth(token)).status_code == 204
    assert client.get("/api/v1/psp/merchants/gray.example", headers=_auth(token)).status_code == 403
    report = {"seal_id": gray_id, "month": gray.month_of(utcnow()), "amount_rials": 1, "transactions": 1}
    assert client.post("/api/v1/gray-volumes", json=report, headers=_auth(token)).status_code == 403
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["provider.merchant_bound", "provider.merchant_unbound"]


@pytest.mark.parametrize("path, method", [("/api/v1/psp/merchants", "get"), ("/api/v1/psp/merchants", "post"),
                                          ("/api/v1/psp/merchants/gray.example", "get"),
                                          ("/api/v1/psp/merchants/gray.example", "delete"),
                                          ("/api/v1/gray-volumes", "post")])
@pytest.mark.parametrize("header", [None, "Bearer psp_nottherealtoken0123456789", "Basic x", "Bearer " + "x" * 5000])
def test_every_provider_route_needs_a_live_token(client, shop, path, method, header):
    response = getattr(client, method)(path, json={}, headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.json["error"].startswith("a valid provider token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_rotation_ends_the_old_token_at_once_and_disabling_ends_the_new(client, shop, token):
    gray_id, _ = shop
    bind(client, token, "gray.example", gray_id)
    provider = db.session.scalar(select(PaymentProvider))
    new = service.rotate(provider, now=utcnow(), actor="test")
    assert client.get("/api/v1/psp/merchants/gray.example", headers=_auth(token)).status_code == 401
    assert client.get("/api/v1/psp/merchants/gray.example", headers=_auth(new)).status_code == 200  # bindings stay
    service.disable(provider, now=utcnow(), actor="test")
    assert client.get("/api/v1/psp/merchants/gray.example", headers=_auth(new)).status_code == 401
    stored = db.session.scalars(select(PaymentProvider.token_digest)).all()
    assert new not in stored and len(stored[0]) == 64
    audit = " ".join(str((row.before, row.after, row.reason)) for row in db.session.scalars(select(AuditEvent)))
    assert token not in audit and new not in audit


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_the_rate_limit_counts_per_token(client, shop, token):
    other = payment_provider("saman", now=utcnow())
    for _ in range(120):
        client.get("/api/v1/psp/merchants", headers=_auth(token))
    limited = client.get("/api/v1/psp/merchants", headers=_auth(token))
    assert limited.status_code == 429 and limited.json["error"].startswith("too many requests")
    assert client.get("/api/v1/psp/merchants", headers=_auth(other)).status_code == 200


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_made_up_tokens_share_the_callers_allowance(client, token):
    """A new random token on every request is not a new allowance: bad tokens count against the address."""
    for number in range(120):
        assert client.get("/api/v1/psp/merchants", headers=_auth(f"psp_made-up-{number}")).status_code == 401
    limited = client.get("/api/v1/psp/merchants", headers=_auth("psp_made-up-once-more"))
    assert limited.status_code == 429
    assert client.get("/api/v1/psp/merchants", headers=_auth(token)).status_code == 200  # a real provider is not
