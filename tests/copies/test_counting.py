"""Counting on the badge, verification page and API: in memory, nothing written on the hot path, then tick."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from seal_server import tasks
from seal_server.copies import counter, service
from seal_server.copies.models import CopySighting
from seal_server.extensions import db
from tests.conftest import _empty_tables, make_app
from tests.copies.conftest import addresses, from_, memory, sightings
from tests.factories import issue

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)


def test_badge_page_and_api_count_other_sites_by_host(app, client, sealed):
    pid = sealed["id"]
    for _ in range(3):
        client.get(sealed["badge"], headers=from_("copycat.example"))
    client.get(sealed["badge"], headers={"Referer": "https://www.copycat.example/cart?user=ali"})
    client.get(sealed["verify"], headers=from_("copycat.example"))
    client.get(sealed["verify"], headers=from_("copycat.example"))  # served from the answer cache: counted too
    client.get(sealed["api"], headers=from_("other.example"))
    client.get(sealed["api"])  # no Referer
    client.get(sealed["badge"], headers=from_("shop.example"))  # its own site
    client.get(sealed["badge"], headers=from_("www.shop.example"))
    client.get(sealed["badge"], headers={"Referer": "garbage"})  # foreign on the badge, but not a URL: not counted
    client.get(sealed["badge"], headers=from_("seal.test"))  # the authority's own pages
    client.get(sealed["badge"].replace("code=", "code=x"), headers=from_("copycat.example"))  # a wrong code
    assert memory(app) == {(pid, "copycat.example"): 6, (pid, "other.example"): 1}
    assert sightings(app) == {}  # nothing reaches the database before a flush

    with app.app_context():
        done = tasks.tick(datetime.now(timezone.utc))
    assert done["copies"]["keys"] == 2
    assert sightings(app) == {(pid, "copycat.example"): 6, (pid, "other.example"): 1}
    assert memory(app) == {}


def _statements(app, requests):
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        requests()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_the_badge_path_writes_nothing_and_a_warm_badge_queries_nothing(app, client, sealed):
    cold = _statements(app, lambda: client.get(sealed["badge"], headers=from_("copycat.example")))
    assert cold and all(statement.lstrip().upper().startswith("SELECT") for statement in cold), cold

    def warm():
        for n in range(50):
            response = client.get(sealed["badge"], headers=from_(f"copy{n % 7}.example"))
            assert response.headers["X-Seal-State"] == "foreign"
    assert _statements(app, warm) == []
    assert sum(memory(app).values()) == 51


def test_the_page_and_api_write_nothing_when_counting(app, client, sealed):
    client.get(sealed["verify"], headers=from_("copycat.example"))
    client.get(sealed["api"], headers=from_("copycat.example"))
    seen = _statements(app, lambda: [client.get(sealed[route], headers=from_("copycat.example"))
                                     for route in ("verify", "api") for _ in range(5)])
    assert seen == []
    assert memory(app) == {(sealed["id"], "copycat.example"): 12}


@pytest.fixture
def small_app(database_url):
    app = make_app(database_url, SEAL_COPY_MAX_KEYS=10)
    yield app
    _empty_tables(app)


def test_memory_is_bounded_and_the_overflow_counted(small_app, now, copy_log):
    with small_app.app_context():
        sealed = addresses(issue("shop.example", now=now))
    client = small_app.test_client()
    for n in range(15):
        client.get(sealed["badge"], headers=from_(f"copy{n}.example"))
    client.get(sealed["badge"], headers=from_("copy0.example"))  # a key it holds still counts
    assert len(memory(small_app)) == 10 and memory(small_app)[(sealed["id"], "copy0.example")] == 2
    with small_app.app_context():
        done = service.sweep(datetime.now(timezone.utc))
    assert done["dropped"] == 5 and done["keys"] == 10
    assert "5 sightings dropped" in copy_log.text


def test_counts_add_up_across_flushes_with_the_earliest_first_and_latest_last(ctx):
    seal = issue("shop.example", now=T0)
    pid = seal.public_id
    service.add_counts([(pid, "copy.example", 2, T0, T0 + timedelta(hours=1))])
    service.add_counts([(pid, "copy.example", 3, T0 - timedelta(hours=2), T0 + timedelta(minutes=5)),
                        (pid, "copy.example", 1, T0, T0 + timedelta(hours=3)),  # a repeated key in one flush
                        ("unknownseal2", "copy.example", 9, T0, T0)])  # a seal that is not there: skipped
    row = db.session.scalar(select(CopySighting))
    assert (row.count, row.first_seen, row.last_seen) == (6, T0 - timedelta(hours=2), T0 + timedelta(hours=3))


def test_tick_twice_adds_nothing_twice(app, client, sealed):
    client.get(sealed["badge"], headers=from_("copycat.example"))
    with app.app_context():
        tasks.tick(datetime.now(timezone.utc))
        tasks.tick(datetime.now(timezone.utc))
    assert sightings(app) == {(sealed["id"], "copycat.example"): 1}


def test_two_processes_flushing_at_once_lose_and_double_nothing(database_url, now):
    """Two apps (own engines and connections) stand for two processes flushing the same keys at once."""
    apps = [make_app(database_url), make_app(database_url)]
    with apps[0].app_context():
        seals = [issue(f"shop{n}.example", now=now).public_id for n in range(3)]
    rows = [(pid, f"copy{n}.example", 1, T0, T0 + timedelta(seconds=n)) for pid in seals for n in range(20)]
    start, errors = threading.Barrier(4), []

    def flush(app, reverse):
        try:
            start.wait()
            with app.app_context():
                for _ in range(5):
                    service.add_counts(list(reversed(rows)) if reverse else rows)
                db.session.remove()
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=flush, args=(apps[n % 2], n % 2)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    counts = sightings(apps[0])
    assert len(counts) == 60 and set(counts.values()) == {20}  # 4 flushers x 5 flushes each
    for app in apps[1:]:
        with app.app_context():
            db.engine.dispose()
    _empty_tables(apps[0])


def test_a_flush_the_database_refuses_keeps_the_counts_and_logs_once(app, client, sealed, copy_log, monkeypatch):
    from sqlalchemy.exc import OperationalError

    client.get(sealed["badge"], headers=from_("copycat.example"))

    def down(rows):
        raise OperationalError("INSERT", {}, Exception("database is down"))

    working = service.add_counts
    monkeypatch.setattr(service, "add_counts", down)
    counts = app.extensions["seal_copies"]
    assert counts.flush() == 0
    client.get(sealed["badge"], headers=from_("copycat.example"))
    assert counts.flush() == 0
    assert copy_log.text.count("could not be written to the database") == 1
    assert memory(app) == {(sealed["id"], "copycat.example"): 2}
    monkeypatch.setattr(service, "add_counts", working)
    assert counts.flush() == 1
    assert "reach the database again" in copy_log.text
    assert sightings(app) == {(sealed["id"], "copycat.example"): 2}


@pytest.fixture
def timed_app(database_url):
    app = make_app(database_url, SEAL_COPY_FLUSH_SECONDS=1)
    yield app
    app.extensions["seal_copies"].stop()
    _empty_tables(app)


def test_each_process_flushes_on_its_own_timer_without_tick(timed_app, now):
    import time

    with timed_app.app_context():
        sealed = addresses(issue("shop.example", now=now))
    timed_app.test_client().get(sealed["badge"], headers=from_("copycat.example"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not sightings(timed_app):
        time.sleep(0.1)
    assert sightings(timed_app) == {(sealed["id"], "copycat.example"): 1}


def test_exit_hands_on_what_memory_holds(app, client, sealed):
    client.get(sealed["badge"], headers=from_("copycat.example"))
    counter.flush_all()  # what atexit and gunicorn's worker_exit call
    assert sightings(app) == {(sealed["id"], "copycat.example"): 1}
