"""Gray seals' monthly limits: registered payment providers report volumes of the merchants they bound; passing a
limit tells the owner once."""
import pytest
from sqlalchemy import select

from seal_server.extensions import db
from tests.conftest import deliver_queued
from seal_server.notify.models import OutboxMessage
from seal_server.seals.models import Seal
from tests.accounts.conftest import MOBILE
from tests.factories import issue, payment_provider

from .conftest import BUSINESS, new_application
from .payflow import walk_to_submitted

TOKENS = {}


@pytest.fixture
def gray_seal(app, owner, now):
    """A gray seal issued through the panel, served by two registered providers (mellat and saman)."""
    application_id = new_application(owner)
    walk_to_submitted(app, owner, application_id, dict(BUSINESS, seal_kind="gray"), postal=False)
    with app.app_context():
        seal = db.session.scalars(select(Seal)).one()
        TOKENS["mellat"] = payment_provider("mellat", seal, now=now)
        TOKENS["saman"] = payment_provider("saman", seal, now=now)
        deliver_queued()
        return seal.public_id, application_id


def _report(client, body, token=None):
    return client.post("/api/v1/gray-volumes", json=body,
                       headers={"Authorization": f"Bearer {token or TOKENS['mellat']}"})


def _notices(app):
    with app.app_context():
        deliver_queued()
        return db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == MOBILE, OutboxMessage.body.contains("gray") | OutboxMessage.body.contains(
                "خاکستری"))).all()


def test_reports_add_up_across_providers_and_the_owner_is_told_once(app, client, owner, gray_seal):
    seal_id, application_id = gray_seal
    month = {"seal_id": seal_id, "month": "1405-09"}
    first = _report(client, {**month, "amount_rials": 600_000_000, "transactions": 40})
    assert first.status_code == 200 and first.json["over_limit"] is False
    again = _report(client, {**month, "amount_rials": 700_000_000, "transactions": 60})  # the provider's new figure
    assert again.json == {"seal_id": seal_id, "month": "1405-09", "amount_rials": 700_000_000,
                          "transactions": 60, "over_limit": False}
    assert _notices(app) == []
    other = _report(client, {**month, "amount_rials": 300_000_001, "transactions": 1},
                    token=TOKENS["saman"])
    assert other.json["amount_rials"] == 1_000_000_001 and other.json["over_limit"] is True
    assert len(_notices(app)) == 1
    _report(client, {**month, "amount_rials": 800_000_000, "transactions": 70})
    assert len(_notices(app)) == 1  # once a month
    page = owner.get(f"/panel/applications/{application_id}?lang=en").get_data(as_text=True)
    assert "monthly limit (100,000,000 toman or 100 transactions) in 1405-09; apply for a one-star seal" in page


def test_more_than_100_transactions_is_over_the_limit(app, client, gray_seal):
    seal_id, _ = gray_seal
    assert _report(client, {"seal_id": seal_id, "month": "1405-10", "amount_rials": 0,
                            "transactions": 101}).json["over_limit"] is True
    assert len(_notices(app)) == 1


@pytest.mark.parametrize("body, status, message", [
    ({"seal_id": "nosuchseal00", "month": "1405-09", "amount_rials": 1, "transactions": 1}, 404,
     "no seal with this seal_id"),
    ({"month": "2026-11", "amount_rials": 1, "transactions": 1}, 400, "month must be a Jalali year and month"),
    ({"month": "1405-13", "amount_rials": 1, "transactions": 1}, 400, "month must be a Jalali year and month"),
    ({"month": "1405-09", "amount_rials": -5, "transactions": 1}, 400, "amount_rials must be a whole"),
    ({"month": "1405-09", "amount_rials": 1.5, "transactions": 1}, 400, "amount_rials must be a whole"),
    ({"month": "1405-09", "amount_rials": 1, "transactions": "9"}, 400, "transactions must be a whole"),
    ({"month": "1405-09", "amount_rials": 10**30, "transactions": 1}, 400, "amount_rials must be a whole"),
    ({"month": "1405-09", "amount_rials": 1, "transactions": 10**20}, 400, "transactions must be a whole"),
    ({"month": "1405-09", "amount_rials": 1, "transactions": 2**31}, 400, "transactions must be a whole"),
    ({"month": "1405-09\n", "amount_rials": 1, "transactions": 1}, 400, "month must be a Jalali year and month"),
    ({"seal_id": "abc\x00", "month": "1405-09", "amount_rials": 1, "transactions": 1}, 404,
     "no seal with this seal_id"),
    ({"seal_id": ["x"], "month": "1405-09", "amount_rials": 1, "transactions": 1}, 404, "no seal with this seal_id"),
])
def test_bad_reports_are_refused_clearly(client, gray_seal, body, status, message):
    seal_id, _ = gray_seal
    body = {"seal_id": seal_id} | body
    response = _report(client, body)
    assert response.status_code == status and response.json["error"].startswith(message)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789abcdef"},
                                     {"Authorization": "Basic mellat"}])
def test_reports_need_a_provider_token(client, gray_seal, headers):
    if headers.get("Authorization") == "Basic mellat":
        headers = {"Authorization": f"Basic {TOKENS['mellat']}"}
    response = client.post("/api/v1/gray-volumes", json={"seal_id": gray_seal[0]}, headers=headers)
    assert response.status_code == 401 and "token" in response.json["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_retired_setting_lets_nobody_report(app, client, gray_seal):
    app.config["SEAL_GRAY_REPORT_TOKENS"] = "bank:bank-token-0123456789abcdef"
    response = client.post("/api/v1/gray-volumes", json={"seal_id": gray_seal[0]},
                           headers={"Authorization": "Bearer bank-token-0123456789abcdef"})
    assert response.status_code == 401


def test_a_provider_reports_only_for_merchants_it_bound(app, client, gray_seal, now):
    with app.app_context():
        other = payment_provider("pasargad", now=now)
    response = _report(client, {"seal_id": gray_seal[0], "month": "1405-09", "amount_rials": 1, "transactions": 1},
                       token=other)
    assert response.status_code == 403 and "bind it first" in response.json["error"]
    with app.app_context():
        from seal_server.onboarding.models import GrayMonthlyVolume

        assert db.session.scalars(select(GrayMonthlyVolume)).all() == []


def test_a_standard_seal_has_no_volume_limit(app, client, now):
    with app.app_context():
        seal = issue(domain="standard.example", now=now)
        public_id = seal.public_id
        token = payment_provider("mellat", seal, now=now)
    response = _report(client, {"seal_id": public_id, "month": "1405-09", "amount_rials": 1, "transactions": 1},
                       token=token)
    assert response.status_code == 409 and "not a gray seal" in response.json["error"]


@pytest.mark.parametrize("data", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, "{", "\xff"])
def test_a_deeply_nested_or_broken_body_gets_a_json_400(client, gray_seal, data):
    response = client.post("/api/v1/gray-volumes", data=data, content_type="application/json",
                           headers={"Authorization": f"Bearer {TOKENS['mellat']}"})
    assert response.status_code == 400 and response.is_json and "JSON object" in response.json["error"]
