"""A seal carries holds: suspension reasons are a set, and lifting one never lifts another."""
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from seal_server.audit import AuditEvent
from seal_server.extensions import db
from seal_server.seals import service
from seal_server.seals.models import Seal
from tests.factories import issue


def actions(seal):
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == seal.id).order_by(AuditEvent.id)).all()


def test_two_holds_need_two_lifts(ctx, now):
    seal = issue(now=now)
    assert service.add_hold(seal.public_id, service.HOLD_COMPLAINTS, now=now, actor="clock")
    service.suspend(seal.public_id, now=now, actor="staff:1", reason="fraud reports")
    assert (seal.status, service.holds_of(seal)) == ("suspended", {"complaints", "staff"})
    service.reinstate(seal.public_id, now=now, actor="staff:1")
    db.session.refresh(seal)
    assert (seal.status, service.holds_of(seal)) == ("suspended", {"complaints"})
    assert service.lift_hold(seal.public_id, service.HOLD_COMPLAINTS, now=now, actor="clock")
    db.session.refresh(seal)
    assert (seal.status, service.holds_of(seal)) == ("active", set())
    assert actions(seal) == ["seal.issued", "seal.suspended", "seal.hold_added", "seal.hold_lifted",
                             "seal.reinstated"]


def test_adding_or_lifting_twice_changes_nothing(ctx, now):
    seal = issue(now=now)
    assert service.add_hold(seal.public_id, service.HOLD_SECOND_YEAR, now=now, actor="clock", note="unpaid")
    assert not service.add_hold(seal.public_id, service.HOLD_SECOND_YEAR, now=now, actor="clock")
    assert seal.status_reason == "unpaid"
    assert not service.lift_hold(seal.public_id, service.HOLD_COMPLAINTS, now=now, actor="clock")
    assert service.lift_hold(seal.public_id, service.HOLD_SECOND_YEAR, now=now, actor="clock")
    assert not service.lift_hold(seal.public_id, service.HOLD_SECOND_YEAR, now=now, actor="clock")
    assert actions(seal) == ["seal.issued", "seal.suspended", "seal.reinstated"]


def test_staff_cannot_reinstate_a_seal_held_only_for_complaints(ctx, now):
    seal = issue(now=now)
    service.add_hold(seal.public_id, service.HOLD_COMPLAINTS, now=now, actor="clock")
    with pytest.raises(service.InvalidTransition):
        service.reinstate(seal.public_id, now=now, actor="staff:1")
    with pytest.raises(service.InvalidTransition):
        service.suspend(seal.public_id, now=now, actor="staff:1", reason="x")
        service.suspend(seal.public_id, now=now, actor="staff:1", reason="x")
    assert service.get_seal(seal.public_id).status == "suspended"


def test_revoked_seals_take_no_holds_and_unknown_holds_are_refused(ctx, now):
    seal = issue(now=now)
    with pytest.raises(service.SealError):
        service.add_hold(seal.public_id, "whim", now=now, actor="clock")
    service.revoke(seal.public_id, now=now, actor="staff:1", reason="fraud")
    with pytest.raises(service.InvalidTransition):
        service.add_hold(seal.public_id, service.HOLD_COMPLAINTS, now=now, actor="clock")


def test_a_seal_suspended_without_holds_is_reinstated_by_staff(ctx, now):
    seal = issue(now=now)
    service.change_status(seal.public_id, "suspend", now=now, actor="cli", reason="old way")
    service.reinstate(seal.public_id, now=now, actor="cli")
    assert seal.status == "active"


def test_concurrent_add_and_lift_never_leave_an_active_held_seal(app, now):
    with app.app_context():
        seal = issue(now=now)
        public_id = seal.public_id
        service.suspend(public_id, now=now, actor="staff:1", reason="x")
    barrier = threading.Barrier(2)
    errors = []

    def run(door):
        with app.app_context():
            barrier.wait()
            for _ in range(5):
                try:
                    door()
                    break
                except service.InvalidTransition:
                    db.session.rollback()
                except OperationalError as error:  # SQLite's busy writer: retry like a tick would
                    db.session.rollback()
                    errors.append(error)
            db.session.remove()

    threads = [
        threading.Thread(target=run, args=(lambda: service.add_hold(
            public_id, service.HOLD_COMPLAINTS, now=now, actor="clock"),)),
        threading.Thread(target=run, args=(lambda: service.reinstate(public_id, now=now, actor="staff:1"),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        assert service.holds_of(seal) == {"complaints"}
        assert seal.status == "suspended"
