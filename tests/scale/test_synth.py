"""`seal-server synth`: synthetic seals that the public routes serve like any other."""
from sqlalchemy import func, select

from seal_server.accounts.models import Owner
from seal_server.cli import synth
from seal_server.extensions import db
from seal_server.seals import rules, service
from seal_server.seals.models import ACTIVE, Business, Seal
from seal_server.seals.synth import SynthError, synthesize
from tests.factories import issue


def test_synth_adds_active_seals_with_owners_and_businesses(ctx, client, now):
    issue(now=now)  # ids continue after existing rows
    first, last = synthesize(40, now=now)
    assert last - first == 39
    seals = db.session.scalars(select(Seal).where(Seal.id.between(first, last))).all()
    assert len(seals) == 40
    assert all(rules.is_public_id(seal.public_id) for seal in seals)
    assert len({seal.public_id for seal in seals}) == 40
    assert {seal.status for seal in seals} == {ACTIVE}
    assert {seal.kind for seal in seals} == {"standard", "gray"}
    assert all(seal.expires_at > now >= seal.issued_at for seal in seals)
    assert all(seal.domain == seal.business.domain and seal.business.owner.display_name for seal in seals)
    assert db.session.scalar(select(func.count()).select_from(Owner)) == 41
    assert db.session.scalar(select(func.count()).select_from(Business)) == 41

    seal = seals[7]
    badge = client.get(f"/badge/{seal.public_id}.svg?code={service.code_for(seal)}",
                       headers={"Referer": f"https://{seal.domain}/"})
    assert badge.headers["X-Seal-State"] == "valid"
    api = client.get(f"/api/v1/seals/{seal.public_id}?code={service.code_for(seal)}").get_json()
    assert (api["name_fa"], api["owner"]) == (seal.business.name_fa, seal.business.owner.display_name)
    # a seal made afterwards by the service gets the next id (PostgreSQL's sequences were moved on)
    later = issue(now=now, domain="after.example")
    assert later.id == last + 1


def test_synth_refuses_production_and_silly_counts(ctx, now):
    for count, env in ((10, "production"), (0, "development")):
        try:
            synthesize(count, now=now, env=env)
        except SynthError as error:
            assert ("production" in str(error)) == (env == "production")
        else:
            raise AssertionError("synthesize should have refused")
    assert db.session.scalar(select(func.count()).select_from(Seal)) == 0


def test_synth_command(runner, ctx):
    result = runner.invoke(synth, ["--seals", "12"])
    assert result.exit_code == 0, result.output
    assert '"seals": 12' in result.output
    assert db.session.scalar(select(func.count()).select_from(Seal)) == 12
    ctx.config["SEAL_ENV"] = "production"
    refused = runner.invoke(synth, ["--seals", "12"])
    assert refused.exit_code != 0 and "production" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Seal)) == 12


def _keys_and_indexes():
    """Every index and constraint of the loaded tables, as PostgreSQL would recreate them."""
    from sqlalchemy import text

    tables = "'owners'::regclass, 'businesses'::regclass, 'seals'::regclass"
    return sorted(db.session.execute(text(
        f"SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN ({tables}) "
        f"UNION ALL SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        f"WHERE indrelid IN ({tables})")).all())


def test_a_big_load_rebuilds_the_keys_and_indexes_it_dropped(ctx, client, now, monkeypatch):
    from seal_server.seals import synth as synth_module

    monkeypatch.setattr(synth_module, "REBUILD_INDEX_FROM", 10)
    postgresql = db.engine.dialect.name == "postgresql"
    before = _keys_and_indexes() if postgresql else None
    synthesize(15, now=now)
    seal = db.session.scalars(select(Seal).order_by(Seal.id.desc())).first()
    html = client.get("/registry", query_string={"q": seal.domain}).get_data(as_text=True)
    assert seal.domain in html
    if postgresql:
        after = _keys_and_indexes()
        assert after == before and any("gin_trgm_ops" in definition for _, definition in after)
        assert any(name == "seals_public_id_key" for name, _ in after)
        assert sum("FOREIGN KEY" in definition for _, definition in after) >= 2
