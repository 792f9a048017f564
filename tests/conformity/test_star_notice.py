"""A star whose ground is lost is taken back after 14 days' notice, through the seal service; a ground
regained in the meantime keeps it."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from seal_server import tasks
from seal_server.conformity import https, service
from seal_server.conformity.models import StarNotice
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.seals import service as seal_service
from tests.factories import issue


@pytest.fixture
def app_config():
    return {"SEAL_STAR_RECHECK": True}


@pytest.fixture
def certificate(monkeypatch):
    """Whether the shop's HTTPS certificate is good, as the check will find it."""
    state = {"ok": True}
    monkeypatch.setattr(https, "check_https", lambda domain, now, fetcher=None: (state["ok"], "test"))
    return state


def test_a_lost_certificate_costs_the_star_after_fourteen_days(ctx, now, certificate):
    seal = issue("shop.example", now=now)
    seal_service.set_stars(seal.public_id, 2, expected=1, now=now, actor="test")
    assert tasks.tick(now)["stars"]["noticed"] == []
    certificate["ok"] = False
    assert tasks.tick(now + timedelta(hours=2))["stars"]["noticed"] == []  # checked once a day
    day = now + timedelta(days=1, hours=1)
    assert tasks.tick(day)["stars"]["noticed"] == [seal.public_id]
    assert db.session.scalar(select(Event).where(Event.kind == "seal.star_notice")).payload["stars_due"] == 1
    assert tasks.tick(day + timedelta(days=13))["stars"]["withdrawn"] == []
    assert seal_service.get_seal(seal.public_id).stars == 2
    assert tasks.tick(day + timedelta(days=14))["stars"]["withdrawn"] == [seal.public_id]
    assert seal_service.get_seal(seal.public_id).stars == 1
    assert db.session.scalar(select(StarNotice)).outcome == "withdrawn"
    changed = db.session.scalars(select(Event).where(Event.kind == "seal.stars_changed").order_by(Event.id)).all()
    assert len(changed) == 2 and changed[-1].payload["reason"] == "a star's ground was lost"


def test_a_ground_regained_within_the_notice_keeps_the_star(ctx, now, certificate):
    seal = issue("shop.example", now=now)
    seal_service.set_stars(seal.public_id, 2, expected=1, now=now, actor="test")
    certificate["ok"] = False
    assert tasks.tick(now)["stars"]["noticed"] == [seal.public_id]
    certificate["ok"] = True
    assert tasks.tick(now + timedelta(days=2))["stars"]["restored"] == [seal.public_id]
    assert tasks.tick(now + timedelta(days=20))["stars"]["withdrawn"] == []
    assert seal_service.get_seal(seal.public_id).stars == 2
    assert service.open_notice(seal) is None
