"""Counts through Redis (database 12): processes push, tick drains each batch into the table exactly once."""
import logging
from datetime import datetime, timezone

import pytest

from seal_server import tasks
from seal_server.copies import service
from tests.conftest import _empty_tables, make_app
from tests.copies.conftest import addresses, from_, memory, sightings
from tests.factories import issue


@pytest.fixture
def two_processes(database_url, redis_db, redis_url, now):
    """Two apps on one database and one Redis stand for two gunicorn processes."""
    apps = [make_app(database_url, SEAL_REDIS_URL=redis_url) for _ in range(2)]
    with apps[0].app_context():
        sealed = addresses(issue("shop.example", now=now))
    yield apps, sealed
    for app in apps:
        app.extensions["seal_bus"].stop()
    _empty_tables(apps[0])


def test_processes_push_to_redis_and_tick_drains_into_the_table(two_processes, redis_db):
    apps, sealed = two_processes
    pid = sealed["id"]
    for n, app in enumerate(apps):
        for _ in range(n + 2):
            app.test_client().get(sealed["badge"], headers=from_("copycat.example"))
        app.test_client().get(sealed["api"], headers=from_(f"other{n}.example"))
        assert app.extensions["seal_copies"].flush() == 2  # to Redis, not the database
        assert memory(app) == {}
    assert sightings(apps[0]) == {}
    assert int(redis_db.hget("seal:copies:12:live:counts", f"{pid} copycat.example")) == 5
    assert 0 < redis_db.ttl("seal:copies:12:live:counts") <= 7 * 86400

    with apps[1].app_context():
        done = tasks.tick(datetime.now(timezone.utc))["copies"]
    assert (done["batches"], done["rows"]) == (1, 3)
    assert sightings(apps[0]) == {(pid, "copycat.example"): 5, (pid, "other0.example"): 1,
                                  (pid, "other1.example"): 1}
    assert redis_db.keys("seal:copies:*") == []
    with apps[0].app_context():
        assert tasks.tick(datetime.now(timezone.utc))["copies"]["batches"] == 0
    assert sightings(apps[0])[(pid, "copycat.example")] == 5


def test_a_batch_drained_twice_is_added_once(two_processes, redis_db):
    """A tick that added a batch but died before forgetting it in Redis: the next one adds nothing again."""
    apps, sealed = two_processes
    apps[0].test_client().get(sealed["badge"], headers=from_("copycat.example"))
    apps[0].extensions["seal_copies"].flush()
    counts = apps[0].extensions["seal_copies"]
    with apps[0].app_context():
        [(batch, rows)] = counts.redis.drain()
        assert service.add_counts(rows, batch=batch, now=datetime.now(timezone.utc)) == 1
        # ...and died here; the batch is still listed in Redis
        assert tasks.tick(datetime.now(timezone.utc))["copies"]["batches"] == 1
    assert sightings(apps[0]) == {(sealed["id"], "copycat.example"): 1}
    assert redis_db.keys("seal:copies:*") == []


def test_first_and_last_seen_are_the_earliest_and_latest_of_every_push(two_processes):
    apps, sealed = two_processes
    early, late = datetime(2026, 11, 1, tzinfo=timezone.utc), datetime(2026, 11, 20, tzinfo=timezone.utc)
    apps[0].extensions["seal_copies"].memory.add(sealed["id"], "copycat.example", late)
    apps[1].extensions["seal_copies"].memory.add(sealed["id"], "copycat.example", early)
    for app in apps:
        app.extensions["seal_copies"].flush()
    with apps[0].app_context():
        tasks.tick(datetime.now(timezone.utc))
        from seal_server.copies.service import sightings_of
        from seal_server.seals.service import get_seal

        [row] = sightings_of(get_seal(sealed["id"]))
        assert (row.count, row.first_seen, row.last_seen) == (2, early, late)


@pytest.fixture
def redis_down_app(database_url, now):
    from tests.scale.test_redis_bus import free_port

    app = make_app(database_url, SEAL_REDIS_URL=f"redis://127.0.0.1:{free_port()}/12")
    with app.app_context():
        sealed = addresses(issue("shop.example", now=now))
    yield app, sealed
    app.extensions["seal_bus"].stop()
    _empty_tables(app)


def test_with_redis_down_counts_go_to_the_database_and_the_outage_is_logged_once(redis_down_app, copy_log):
    app, sealed = redis_down_app
    client = app.test_client()
    for _ in range(2):
        client.get(sealed["badge"], headers=from_("copycat.example"))
        assert client.get(sealed["badge"], headers=from_("copycat.example")).status_code == 200
        app.extensions["seal_copies"].flush()
    assert sightings(app) == {(sealed["id"], "copycat.example"): 4}
    assert copy_log.text.count("copy counts go to the database") == 1
    with app.app_context():
        assert tasks.tick(datetime.now(timezone.utc))["copies"]["batches"] == 0  # no Redis to drain: no failure
