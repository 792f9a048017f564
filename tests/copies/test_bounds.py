"""The table stays bounded against forged Referers: hosts past SEAL_COPY_HOSTS_PER_SEAL fold into one "other
sites" row, and tick prunes old small sightings (never a reported one)."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from seal_server import tasks
from seal_server.copies import rules, service
from seal_server.copies.models import CopySighting
from seal_server.extensions import db
from tests.conftest import _empty_tables, make_app
from tests.copies.conftest import addresses, from_, sightings
from tests.factories import issue

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
CAP = 20


@pytest.fixture
def app_config():
    return {"SEAL_COPY_HOSTS_PER_SEAL": CAP, "SEAL_COPY_REPORT_THRESHOLD": 5, "SEAL_COPY_MAX_KEYS": 5000}


def test_a_forged_flood_of_1000_hosts_keeps_cap_rows_and_folds_the_rest(app, client, sealed):
    pid = sealed["id"]
    for _ in range(6):  # a real copier, seen first and often (over the threshold)
        client.get(sealed["badge"], headers=from_("copycat.example"))
    with app.app_context():
        tasks.tick(datetime.now(timezone.utc))
    for n in range(1000):
        client.get(sealed["badge"], headers=from_(f"forged{n}.example"))
    client.get(sealed["badge"], headers=from_("copycat.example"))  # a host it has keeps counting on its own row
    with app.app_context():
        done = tasks.tick(datetime.now(timezone.utc))
    counts = sightings(app)
    assert len(counts) == CAP + 1 and counts[(pid, "copycat.example")] == 7
    named = {host for (_, host) in counts} - {"copycat.example", rules.OTHER_SITES}
    assert len(named) == CAP - 1  # the room left, filled in a fixed order
    assert counts[(pid, rules.OTHER_SITES)] == 1000 - len(named)
    assert sum(counts.values()) == 1007  # nothing lost, nothing doubled
    assert done["copies"]["reports"] == 0  # copycat was reported at the first tick; "other sites" never is

    for n in range(1000, 1300):  # a second wave goes to the same row
        client.get(sealed["badge"], headers=from_(f"forged{n}.example"))
    with app.app_context():
        tasks.tick(datetime.now(timezone.utc))
    counts = sightings(app)
    assert len(counts) == CAP + 1 and sum(counts.values()) == 1307


def test_a_new_host_already_at_the_threshold_is_never_folded(ctx):
    seal = issue("shop.example", now=T0)
    pid = seal.public_id
    service.add_counts([(pid, f"h{n:02}.example", 1, T0, T0) for n in range(CAP)])
    service.add_counts([(pid, "newcopier.example", 5, T0, T0), (pid, "small.example", 1, T0, T0)])
    rows = {row.host: row.count for row in db.session.scalars(select(CopySighting))}
    assert rows["newcopier.example"] == 5 and rows[rules.OTHER_SITES] == 1 and "small.example" not in rows
    assert service.report_copies(T0, 5) == 1  # and it is reported


def test_hosts_kept_is_a_pure_rule():
    assert rules.hosts_kept(2, {"a": 1, "b": 3, "c": 2}, 100) == {"b", "c"}
    assert rules.hosts_kept(0, {"a": 1, "big": 100}, 100) == {"big"}
    assert rules.hosts_kept(1, {"x": 1, "a": 1}, 100) == {"a"}  # ties by name
    assert rules.hosts_kept(-3, {"a": 1}, 100) == set()


def test_two_flushers_flooding_one_seal_keep_the_cap_and_exact_totals(database_url, now):
    """Two apps (own engines) stand for two processes flushing floods for the same seal at once."""
    config = {"SEAL_COPY_HOSTS_PER_SEAL": CAP}
    apps = [make_app(database_url, **config), make_app(database_url, **config)]
    with apps[0].app_context():
        pid = issue("shop.example", now=now).public_id
    start, errors = threading.Barrier(4), []

    def flush(app, n):
        try:
            start.wait()
            with app.app_context():
                for round_ in range(5):
                    service.add_counts([(pid, f"t{n}r{round_}h{h}.example", 1, T0, T0) for h in range(30)]
                                       + [(pid, "shared.example", 1, T0, T0)])
                db.session.remove()
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=flush, args=(apps[n % 2], n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    counts = sightings(apps[0])
    assert len(counts) <= CAP + 1 and (pid, rules.OTHER_SITES) in counts
    assert sum(counts.values()) == 4 * 5 * 31
    for app in apps[1:]:
        with app.app_context():
            db.engine.dispose()
    _empty_tables(apps[0])


def test_tick_prunes_old_small_sightings_only(app, ctx):
    seal = issue("shop.example", now=T0)
    pid, old, recent = seal.public_id, T0 - timedelta(days=91), T0 - timedelta(days=89)
    service.add_counts([(pid, "old-small.example", 2, old, old), (pid, "recent-small.example", 2, recent, recent),
                        (pid, "old-big.example", 50, old, old), (pid, "old-reported.example", 5, old, old),
                        (pid, rules.OTHER_SITES, 3, old, old)])
    assert service.report_copies(old, 5) == 2  # old-big and old-reported
    assert service.sweep(T0)["pruned"] == 2  # old-small and the old small "other sites"
    left = set(db.session.scalars(select(CopySighting.host)))
    assert left == {"recent-small.example", "old-big.example", "old-reported.example"}
    assert service.sweep(T0)["pruned"] == 0


def test_the_settings_are_validated():
    from seal_server.config import ConfigError, from_environ

    assert from_environ({})["SEAL_COPY_HOSTS_PER_SEAL"] == 200 and from_environ({})["SEAL_COPY_RETENTION_DAYS"] == 90
    for name, bad in (("SEAL_COPY_HOSTS_PER_SEAL", "0"), ("SEAL_COPY_RETENTION_DAYS", "0"),
                      ("SEAL_COPY_HOSTS_PER_SEAL", "lots")):
        with pytest.raises(ConfigError, match=name):
            from_environ({name: bad})


def test_a_flood_through_redis_folds_the_same_way(database_url, redis_db, redis_url, now):
    apps = [make_app(database_url, SEAL_REDIS_URL=redis_url, SEAL_COPY_HOSTS_PER_SEAL=CAP) for _ in range(2)]
    with apps[0].app_context():
        sealed = addresses(issue("shop.example", now=now))
    for n, app in enumerate(apps):  # two processes, each with its half of the forged hosts, push to Redis
        for h in range(n, 300, 2):
            app.test_client().get(sealed["badge"], headers=from_(f"forged{h}.example"))
        assert app.extensions["seal_copies"].flush() == 150
    with apps[1].app_context():
        tasks.tick(datetime.now(timezone.utc))
    counts = sightings(apps[0])
    assert len(counts) == CAP + 1 and counts[(sealed["id"], rules.OTHER_SITES)] == 300 - CAP
    for app in apps:
        app.extensions["seal_bus"].stop()
    _empty_tables(apps[0])
