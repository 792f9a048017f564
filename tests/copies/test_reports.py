"""A host over SEAL_COPY_REPORT_THRESHOLD raises exactly one fake-seal report and tells the owner once."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from seal_server import tasks
from seal_server.conformity.models import ViolationReport
from seal_server.copies import service
from seal_server.copies.models import CopySighting
from seal_server.events.models import Delivery, Event
from seal_server.extensions import db
from tests.conftest import _empty_tables, make_app
from tests.copies.conftest import from_
from tests.factories import issue

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def app_config():
    return {"SEAL_COPY_REPORT_THRESHOLD": 3}


def count(model, **where):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.fixture
def sealed(app, now):
    """A seal whose owner has an email address and a webhook endpoint."""
    from seal_server.events.models import WebhookEndpoint
    from tests.copies.conftest import addresses

    with app.app_context():
        seal = issue("shop.example", now=now, email="owner@shop.example")
        db.session.add(WebhookEndpoint(seal_id=seal.id, url="http://127.0.0.1:9/hook", event_kinds=[],
                                       secret="s" * 40, active=True, created_at=now))
        db.session.commit()
        return addresses(seal)


def test_over_the_threshold_one_report_and_one_event(app, client, sealed):
    for _ in range(2):
        client.get(sealed["badge"], headers=from_("copycat.example"))
    with app.app_context():
        assert tasks.tick(datetime.now(timezone.utc))["copies"]["reports"] == 0  # 2 < 3
    client.get(sealed["verify"], headers=from_("copycat.example"))
    client.get(sealed["badge"], headers=from_("shop.example"))
    with app.app_context():
        assert tasks.tick(datetime.now(timezone.utc))["copies"]["reports"] == 1
        report = db.session.scalar(select(ViolationReport))
        assert (report.kind, report.status, report.contact, report.challenge) == ("fake_seal", "new", None, None)
        assert "copycat.example" in report.description and "3" in report.description
        sighting = db.session.scalar(select(CopySighting))
        assert sighting.report_id == report.id and sighting.reported_at is not None
        event = db.session.scalar(select(Event).where(Event.kind == "seal.copy_detected"))
        assert event.payload["copy"]["host"] == "copycat.example" and event.payload["copy"]["count"] == 3
        assert event.payload["copy"]["report"] == report.tracking_code and event.actor_kind == "system"
        channels = db.session.scalars(select(Delivery.channel).where(Delivery.event_id == event.id)).all()
        assert sorted(channels) == ["email", "webhook"]
    for _ in range(10):  # more sightings, more ticks: still the one report
        client.get(sealed["badge"], headers=from_("copycat.example"))
    with app.app_context():
        tasks.tick(datetime.now(timezone.utc))
        tasks.tick(datetime.now(timezone.utc))
        assert count(ViolationReport) == 1 and count(Event, kind="seal.copy_detected") == 1
        assert db.session.scalar(select(CopySighting.count)) == 13


def test_the_report_reaches_the_staff_triage_queue(app, client, sealed):
    from seal_server.conformity.service import new_violation_reports

    for _ in range(3):
        client.get(sealed["badge"], headers=from_("copycat.example"))
    with app.app_context():
        tasks.tick(datetime.now(timezone.utc))
        assert [report.kind for report in new_violation_reports()] == ["fake_seal"]


def test_concurrent_ticks_raise_one_report_per_seal_and_host(database_url, now):
    apps = [make_app(database_url, SEAL_COPY_REPORT_THRESHOLD=3) for _ in range(3)]
    with apps[0].app_context():
        seals = [issue(f"shop{n}.example", now=now).public_id for n in range(2)]
        service.add_counts([(pid, f"copy{n}.example", 5, T0, T0 + timedelta(minutes=n))
                            for pid in seals for n in range(4)])
    start, errors, made = threading.Barrier(3), [], []

    def run(app):
        try:
            start.wait()
            with app.app_context():
                made.append(service.report_copies(T0 + timedelta(hours=1), 3))
                db.session.remove()
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(made) == 8
    with apps[0].app_context():
        assert count(ViolationReport, kind="fake_seal") == 8
        assert count(Event, kind="seal.copy_detected") == 8
        assert db.session.scalar(select(func.count()).select_from(CopySighting)
                                 .where(CopySighting.report_id.is_(None))) == 0
    for app in apps[1:]:
        with app.app_context():
            db.engine.dispose()
    _empty_tables(apps[0])


def test_threshold_setting_is_checked():
    from seal_server.config import ConfigError, from_environ

    assert from_environ({"SEAL_COPY_REPORT_THRESHOLD": "25"})["SEAL_COPY_REPORT_THRESHOLD"] == 25
    for bad in ("0", "-3", "many", "1e3"):
        with pytest.raises(ConfigError, match="SEAL_COPY_REPORT_THRESHOLD"):
            from_environ({"SEAL_COPY_REPORT_THRESHOLD": bad})
    assert from_environ({})["SEAL_COPY_REPORT_THRESHOLD"] == 100
    with pytest.raises(ConfigError, match="SEAL_COPY_MAX_KEYS"):
        from_environ({"SEAL_COPY_MAX_KEYS": "5"})
