"""Staff register payment providers (token shown once, fresh code), rotate and disable them; the CLI does the same."""
import json
import re

from sqlalchemy import select

from seal_server.audit import AuditEvent
from seal_server.cli import cli
from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.providers import service
from seal_server.providers.models import PaymentProvider
from tests.accounts.conftest import csrf_from
from tests.factories import issue, payment_provider
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)


def _token_on(page):
    return re.search(r'id="provider-token">([^<]+)<', page.get_data(as_text=True)).group(1)


def test_a_supervisor_registers_a_provider_and_sees_the_token_once(app, client, staff_client, clock):  # noqa: F811
    supervisor, member = staff_client("supervisor")
    csrf = csrf_from(supervisor.get("/staff/providers"))
    bad = supervisor.post("/staff/providers?lang=en", data={"csrf_token": csrf, "name": "Bank Mellat!",
                                                           "contact": "tech@mellat.example"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Latin letters" in text and 'value="tech@mellat.example"' in text
    page = supervisor.post("/staff/providers", data={"csrf_token": csrf, "name": "mellat",
                                                     "contact": "tech@mellat.example"})
    assert page.status_code == 200
    token = _token_on(page)
    with app.app_context():
        provider = db.session.scalar(select(PaymentProvider))
        assert provider.name == "mellat" and token not in provider.token_digest
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "provider.registered"))
        assert row.actor == f"staff:{member.id}" and token not in str(row.after)
        seal = issue("shop.example", now=utcnow())
        service.bind_seal(provider, seal, now=utcnow())
        provider_id = provider.id
    detail = supervisor.get(f"/staff/providers/{provider_id}")
    body = detail.get_data(as_text=True)
    assert token not in body and "shop.example" in body and 'id="provider-token"' not in body
    duplicate = supervisor.post("/staff/providers?lang=en", data={"csrf_token": csrf, "name": "mellat",
                                                                 "contact": "x"})
    assert duplicate.status_code == 400 and "already registered" in duplicate.get_data(as_text=True)


def test_rotate_and_disable_need_a_fresh_code(app, client, staff_client, clock):  # noqa: F811
    admin, member = staff_client("admin")
    with app.app_context():
        old = payment_provider("saman", now=clock.now)
        provider_id = db.session.scalar(select(PaymentProvider.id))
    path = f"/staff/providers/{provider_id}"
    csrf = csrf_from(admin.get(path))
    clock.advance(minutes=6)
    stale = admin.post(path + "?lang=en", data={"csrf_token": csrf, "action": "rotate"})
    assert stale.status_code == 400 and "authenticator" in stale.get_data(as_text=True)
    assert client.get("/api/v1/psp/merchants", headers={"Authorization": f"Bearer {old}"}).status_code == 200
    rotated = admin.post(path, data={"csrf_token": csrf, "action": "rotate", "code": member.code(app, clock.now)})
    new = _token_on(rotated)
    assert new != old
    assert client.get("/api/v1/psp/merchants", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert client.get("/api/v1/psp/merchants", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert admin.post(path, data={"csrf_token": csrf, "action": "disable"}).status_code == 302  # code still fresh
    assert client.get("/api/v1/psp/merchants", headers={"Authorization": f"Bearer {new}"}).status_code == 401
    assert admin.post(path, data={"csrf_token": csrf, "action": "explode"}).status_code == 400
    assert admin.get("/staff/providers/999").status_code == 404


def test_a_reviewer_may_not_manage_providers(app, staff_client, clock):  # noqa: F811
    reviewer, _ = staff_client("reviewer")
    assert reviewer.get("/staff/providers").status_code == 403
    csrf = csrf_from(reviewer.get("/staff"))
    assert reviewer.post("/staff/providers", data={"csrf_token": csrf, "name": "mellat", "contact": "x"}
                         ).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(PaymentProvider)) is None


def test_the_cli_adds_rotates_lists_and_disables(app, runner, client):
    added = runner.invoke(cli, ["provider", "add", "pasargad", "--contact", "it@bpi.example", "--json"])
    assert added.exit_code == 0, added.output
    token = json.loads(added.output)["token"]
    assert client.get("/api/v1/psp/merchants", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = runner.invoke(cli, ["provider", "add", "pasargad"])
    assert again.exit_code == 1 and "already registered" in again.output
    rotated = runner.invoke(cli, ["provider", "rotate", "pasargad", "--json"])
    assert json.loads(rotated.output)["token"] != token
    assert client.get("/api/v1/psp/merchants", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    listed = json.loads(runner.invoke(cli, ["provider", "list", "--json"]).output)
    assert [(row["name"], row["status"], row["merchants"]) for row in listed] == [("pasargad", "active", 0)]
    assert "token" not in listed[0]
    assert runner.invoke(cli, ["provider", "disable", "pasargad"]).exit_code == 0
    long = runner.invoke(cli, ["provider", "add", "saman", "--contact", "x" * 300])
    assert long.exit_code == 1 and long.output == "Error: Keep the contact under 200 characters.\n"
    missing = runner.invoke(cli, ["provider", "rotate", "nosuch"])
    assert missing.exit_code == 1 and missing.output == "Error: No such payment provider.\n"


def test_import_env_keeps_the_old_tokens_and_binds_the_seals_they_reported(app, runner, client):
    old = "bank-token-0123456789abcdef"
    with app.app_context():
        seal = issue("gray.example", now=utcnow(), kind="gray")
        from seal_server.onboarding.models import GrayMonthlyVolume

        db.session.add(GrayMonthlyVolume(seal_id=seal.id, month="1405-08", provider="mellat", amount=5,
                                         transactions=1, updated_at=utcnow()))
        db.session.commit()
    app.config["SEAL_GRAY_REPORT_TOKENS"] = f"mellat:{old}, saman:other-token-0123456789abcdef"
    done = runner.invoke(cli, ["provider", "import-env"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == ["mellat\tregistered, 1 merchants bound", "saman\tregistered, 0 merchants bound"]
    answer = client.get("/api/v1/psp/merchants/gray.example", headers={"Authorization": f"Bearer {old}"})
    assert answer.status_code == 200 and answer.json["kind"] == "gray"
    assert runner.invoke(cli, ["provider", "import-env"]).output.splitlines()[0] == "mellat\talready registered"


def test_the_owner_sees_who_serves_the_shop_and_nobody_else_does(app, now):
    from tests.accounts.conftest import sign_in
    owner_client = app.test_client()
    sign_in(owner_client)
    with app.app_context():
        from seal_server.accounts.models import Account

        seal = issue("shop.example", now=utcnow())
        seal.business.owner.account_id = db.session.scalar(select(Account.id))
        db.session.commit()
        payment_provider("mellat", seal, now=utcnow())
        public_id = seal.public_id
    page = owner_client.get(f"/panel/seals/{public_id}/providers?lang=en")
    assert page.status_code == 200 and "mellat" in page.get_data(as_text=True)
    assert "tech@mellat.example" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    stranger = app.test_client()
    sign_in(stranger, national_code="0067749828", mobile="09121111111")
    assert stranger.get(f"/panel/seals/{public_id}/providers").status_code == 404
    assert app.test_client().get(f"/panel/seals/{public_id}/providers").status_code == 302
