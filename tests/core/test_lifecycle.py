import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from seal_server.audit import AuditEvent
from seal_server.extensions import db
from seal_server.seals import service
from seal_server.seals.models import Seal
from seal_server.tasks import tick
from tests.factories import issue, make_business


def audit_actions(seal):
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == seal.id).order_by(AuditEvent.id)
    ).all()


def test_issue_gives_one_star_two_years_and_an_audit_row(ctx, now):
    seal = issue(now=now)
    assert (seal.status, seal.kind, seal.stars, seal.serial) == ("active", "standard", 1, 1)
    assert seal.expires_at - seal.issued_at == timedelta(days=730)
    assert len(seal.public_id) == 12
    assert audit_actions(seal) == ["seal.issued"]


def test_gray_and_temporary_seals(ctx, now):
    gray = issue("gray.example", now=now, kind="gray")
    temporary = issue("temp.example", now=now, kind="temporary")
    assert gray.stars == 0 and temporary.stars == 0
    assert temporary.expires_at - temporary.issued_at == timedelta(days=ctx.config["SEAL_TEMPORARY_DAYS"])


@pytest.mark.parametrize("app_config", [{"SEAL_VALIDITY_DAYS": 365}])
def test_validity_is_configurable(ctx, now):
    assert issue(now=now).expires_at - now == timedelta(days=365)


def test_public_ids_are_random(ctx, now):
    ids = {issue(f"s{i}.example", now=now).public_id for i in range(20)}
    assert len(ids) == 20
    assert all(pid.isalnum() and pid.islower() for pid in ids)


def test_one_live_seal_per_domain(ctx, now):
    issue(now=now)
    with pytest.raises(service.SealError, match="already holds a live seal"):
        issue(now=now)


def test_a_revoked_domain_can_be_sealed_again(ctx, now):
    first = issue(now=now)
    service.revoke(first.public_id, now=now, actor="test", reason="closed")
    second = issue(now=now)
    assert second.public_id != first.public_id


def test_full_lifecycle_with_audit(ctx, now):
    seal = issue(now=now)
    service.suspend(seal.public_id, now=now, actor="staff:1", reason="5 non-responses")
    assert seal.status == "suspended"
    service.reinstate(seal.public_id, now=now, actor="staff:1")
    assert seal.status == "active"
    service.revoke(seal.public_id, now=now, actor="staff:2", reason="fraud")
    assert seal.status == "revoked"
    assert audit_actions(seal) == ["seal.issued", "seal.suspended", "seal.reinstated", "seal.revoked"]
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.actor, last.before, last.after, last.reason) == (
        "staff:2", {"status": "active"}, {"status": "revoked"}, "fraud")
    assert last.at == now


@pytest.mark.parametrize("action, start", [
    ("reinstate", "active"), ("suspend", "suspended"), ("suspend", "revoked"),
    ("reinstate", "revoked"), ("revoke", "revoked"), ("suspend", "expired"),
])
def test_forbidden_transitions(ctx, now, action, start):
    seal = issue(now=now)
    seal.status = start
    db.session.commit()
    with pytest.raises(service.InvalidTransition):
        service.change_status(seal.public_id, action, now=now, actor="test", reason="x")
    assert audit_actions(seal) == ["seal.issued"]


def test_unknown_and_malformed_ids(ctx, now):
    for bad in ["zzzzzzzzzzzz", "short", "../../etc", "", "AAAAAAAAAAAA"]:
        with pytest.raises(service.SealNotFound):
            service.suspend(bad, now=now, actor="test", reason="x")


def test_tick_expires_due_seals_once(ctx, now):
    due = issue("due.example", now=now - timedelta(days=731))
    suspended_due = issue("sus.example", now=now - timedelta(days=731))
    service.suspend(suspended_due.public_id, now=now - timedelta(days=10), actor="t", reason="x")
    fresh = issue("fresh.example", now=now)
    result = tick(now)
    assert sorted(result["expired"]) == sorted([due.public_id, suspended_due.public_id])
    assert tick(now)["expired"] == []
    db.session.expire_all()
    assert db.session.get(Seal, fresh.id).status == "active"
    assert db.session.get(Seal, due.id).status == "expired"
    assert audit_actions(due).count("seal.expired") == 1


def test_concurrent_suspends_give_one_transition(app, now):
    with app.app_context():
        public_id = issue(now=now).public_id
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    outcomes = []

    def suspend():
        with app.app_context():
            barrier.wait()
            try:
                service.suspend(public_id, now=now, actor="race", reason="race")
                outcomes.append("done")
            except service.InvalidTransition:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=suspend) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["done"] + ["refused"] * (threads_count - 1)
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
        assert seal.status == "suspended"
        suspends = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seal.suspended"))
        assert suspends == 1


def test_concurrent_ticks_expire_once(app, now):
    with app.app_context():
        for i in range(5):
            issue(f"old{i}.example", now=now - timedelta(days=800))
    results = []

    def run():
        with app.app_context():
            results.append(tick(now)["expired"])
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(len(r) for r in results) == 5
    with app.app_context():
        expires = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seal.expired"))
        assert expires == 5


def test_issue_rejects_bad_arguments(ctx, now):
    with pytest.raises(service.SealError):
        service.issue_seal(make_business("a.example"), now=now, actor="t", kind="platinum")
    with pytest.raises(service.SealError):
        service.issue_seal(make_business("b.example"), now=now, actor="t", stars=6)
    with pytest.raises(service.SealError):
        service.issue_seal(make_business("c.example"), now=now, actor="t", days=0)
