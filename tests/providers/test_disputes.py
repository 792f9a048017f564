"""The owner's remedy against a provider that bound their seal without serving the shop: a dispute."""
import json

import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.audit import AuditEvent
from seal_server.cli import cli
from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.onboarding import gray
from seal_server.notify.models import OutboxMessage
from seal_server.onboarding.models import GrayMonthlyVolume
from seal_server.providers.models import PaymentProvider, ProviderMerchant
from tests.accounts.conftest import NATIONAL_CODE, csrf_from, sign_in
from tests.factories import issue, payment_provider
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def gray_shop(app, clock):  # noqa: F811
    """(owner's client, the gray seal's public id, honest token, rogue token): both providers bound, and this
    month the rogue's made-up figure pushed the seal over its cap."""
    owner = app.test_client()
    sign_in(owner)
    with app.app_context():
        seal = issue("gray.example", now=utcnow(), kind="gray", email="info@gray.example")
        seal.business.owner.account_id = db.session.scalar(
            select(Account.id).where(Account.national_code == NATIONAL_CODE))
        db.session.commit()
        honest = payment_provider("mellat", seal, now=utcnow())
        rogue = payment_provider("rogue", seal, now=utcnow())
        public_id = seal.public_id
    return owner, public_id, honest, rogue


def _report(client, token, seal_id, amount, transactions):
    return client.post("/api/v1/gray-volumes", headers=_auth(token), json={
        "seal_id": seal_id, "month": gray.month_of(utcnow()), "amount_rials": amount, "transactions": transactions})


def _volume(client, token):
    return client.get("/api/v1/psp/merchants/gray.example", headers=_auth(token)).json["gray_volume"]


def _dispute(owner, public_id, binding_id, confirm="yes", lang="", form_of=None):
    page = owner.get(f"/panel/seals/{form_of or public_id}/providers{lang}")
    return owner.post(f"/panel/seals/{public_id}/providers/dispute{lang}", data={
        "csrf_token": csrf_from(page), "binding": binding_id, "confirm": confirm})


def _binding(app, name):
    with app.app_context():
        return db.session.scalar(select(ProviderMerchant.id).join(PaymentProvider).where(PaymentProvider.name == name))


def test_the_owner_disputes_a_rogue_provider_and_staff_clear_it(app, client, runner, gray_shop,
                                                                staff_client, clock):  # noqa: F811
    owner, public_id, honest, rogue = gray_shop
    assert _report(client, honest, public_id, 300_000_000, 20).json["over_limit"] is False
    assert _report(client, rogue, public_id, 900_000_000, 90).json["over_limit"] is True
    assert _volume(client, honest)["over_cap"] is True
    rogue_binding = _binding(app, "rogue")

    # a confirm step: the box must be ticked
    unconfirmed = _dispute(owner, public_id, rogue_binding, confirm="", lang="?lang=en")
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    assert _volume(client, honest)["over_cap"] is True

    done = _dispute(owner, public_id, rogue_binding)
    assert done.status_code == 302 and "disputed=1" in done.headers["Location"]
    page = owner.get(done.headers["Location"]).get_data(as_text=True)
    assert f'id="disputed-{rogue_binding}"' in page and f'id="dispute-{rogue_binding}"' not in page
    # the rogue's figures no longer count: the totals drop and the cap is no longer passed
    volume = _volume(client, honest)
    assert (volume["amount_rials"], volume["transactions"], volume["over_cap"]) == (300_000_000, 20, False)
    with app.app_context():
        seal = db.session.scalar(select(gray.Seal).where(gray.Seal.public_id == public_id))
        assert gray.flagged_months(seal) == []
        row = db.session.get(ProviderMerchant, rogue_binding)
        assert row.disputed_at is not None and row.disputed_by == seal.business.owner.account_id
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "provider.binding_disputed"))
        assert audit.actor == f"owner:{row.disputed_by}" and audit.after["provider"] == "rogue"
    # the rogue no longer serves the merchant: status, reports and unbinding are 403, the list leaves it out
    assert client.get("/api/v1/psp/merchants/gray.example", headers=_auth(rogue)).status_code == 403
    assert _report(client, rogue, public_id, 2_000_000_000, 1).status_code == 403
    assert client.delete("/api/v1/psp/merchants/gray.example", headers=_auth(rogue)).status_code == 403
    assert client.get("/api/v1/psp/merchants", headers=_auth(rogue)).json == {"merchants": []}
    # ... and cannot simply bind it again
    rebind = client.post("/api/v1/psp/merchants", json={"domain": "gray.example", "seal_id": public_id},
                         headers=_auth(rogue))
    assert rebind.status_code == 409 and "contact the trust seal authority" in rebind.json["error"]
    # disputing twice is refused, politely
    again = _dispute(owner, public_id, rogue_binding, lang="?lang=en")
    assert again.status_code == 400 and "no longer serves your shop" in again.get_data(as_text=True)
    listed = json.loads(runner.invoke(cli, ["provider", "list", "--json"]).output)
    assert [(row["name"], row["merchants"], row["disputed"]) for row in listed] == [("mellat", 1, 0), ("rogue", 0, 1)]
    # the honest provider is untouched
    assert client.get("/api/v1/psp/merchants/gray.example", headers=_auth(honest)).status_code == 200

    # staff see the dispute on the provider's page and clear it with a fresh code
    supervisor, member = staff_client("supervisor")
    with app.app_context():
        rogue_id = db.session.scalar(select(PaymentProvider.id).where(PaymentProvider.name == "rogue"))
    path = f"/staff/providers/{rogue_id}"
    staff_page = supervisor.get(path + "?lang=en")
    assert f'id="clear-{rogue_binding}"' in staff_page.get_data(as_text=True)
    clock.advance(minutes=6)
    stale = supervisor.post(path + "?lang=en", data={"csrf_token": csrf_from(staff_page), "action": "clear",
                                                     "binding": rogue_binding})
    assert stale.status_code == 400 and "authenticator" in stale.get_data(as_text=True)
    cleared = supervisor.post(path, data={"csrf_token": csrf_from(staff_page), "action": "clear",
                                          "binding": rogue_binding, "code": member.code(app, clock.now)})
    assert cleared.status_code == 302
    assert 'id="clear-' not in supervisor.get(path).get_data(as_text=True)
    with app.app_context():
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "provider.dispute_cleared"))
        assert audit.actor == f"staff:{member.id}" and audit.before["provider"] == "rogue"
        subjects = db.session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.recipient == "info@gray.example")).all()
        assert "The authority cleared your dispute of rogue for gray.example" in " ".join(subjects)
        assert not any("You disputed" in subject for subject in subjects)  # the owner's own act: audit only
    # clearing twice finds no dispute
    twice = supervisor.post(path + "?lang=en", data={"csrf_token": csrf_from(staff_page), "action": "clear",
                                                     "binding": rogue_binding})
    assert twice.status_code == 400 and "No such dispute" in twice.get_data(as_text=True)
    # the provider may bind again (201: a new binding the owner is told of), and its reports count again
    assert client.post("/api/v1/psp/merchants", json={"domain": "gray.example", "seal_id": public_id},
                       headers=_auth(rogue)).status_code == 201
    assert _volume(client, rogue)["over_cap"] is True


def test_only_the_seals_owner_may_dispute(app, client, gray_shop):
    owner, public_id, honest, rogue = gray_shop
    rogue_binding = _binding(app, "rogue")
    stranger = app.test_client()
    sign_in(stranger, national_code="0067749828", mobile="09121111111")
    csrf = csrf_from(stranger.get("/panel"))
    answer = stranger.post(f"/panel/seals/{public_id}/providers/dispute",
                           data={"csrf_token": csrf, "binding": rogue_binding, "confirm": "yes"})
    assert answer.status_code == 404
    # a binding of another seal cannot be disputed through one's own seal
    with app.app_context():
        other = issue("other.example", now=utcnow())
        other.business.owner.account_id = db.session.scalar(
            select(Account.id).where(Account.national_code == NATIONAL_CODE))
        db.session.commit()
        other_id = other.public_id
    crossed = _dispute(owner, other_id, rogue_binding, lang="?lang=en", form_of=public_id)
    assert crossed.status_code == 400
    for junk in ("", "abc", "-1", "۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹", "0"):
        assert _dispute(owner, public_id, junk).status_code == 400
    # no CSRF token, no dispute
    assert owner.post(f"/panel/seals/{public_id}/providers/dispute",
                      data={"binding": rogue_binding, "confirm": "yes"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ProviderMerchant.id).where(ProviderMerchant.disputed_at.is_not(None))) is None
        assert db.session.scalar(select(db.func.count()).select_from(GrayMonthlyVolume)) == 0
    assert app.test_client().post(f"/panel/seals/{public_id}/providers/dispute").status_code in (302, 400)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_disputes_are_rate_limited(app, gray_shop):
    owner, public_id, _, _ = gray_shop
    answers = [_dispute(owner, public_id, "0").status_code for _ in range(11)]
    assert answers[:10] == [400] * 10 and answers[10] == 429
