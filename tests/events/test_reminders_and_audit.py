"""Expiry reminders once per seal, period and day; the audit chain finds edited and deleted rows."""
import threading
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from seal_server.audit import AuditEvent, verify_chain
from seal_server.cli import cli
from seal_server.events import reminders, worker
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.iran.calendar import TEHRAN
from seal_server.seals import service
from seal_server.seals.models import Seal
from tests.factories import issue

DAYS = (30, 7, 1, 0)


def _reminders(seal=None):
    stmt = select(Event.payload).where(Event.kind == "seal.expiry_reminder").order_by(Event.id)
    if seal is not None:
        stmt = stmt.where(Event.subject_id == seal.id)
    return [payload["reminder_day"] for payload in db.session.scalars(stmt)]


@given(st.integers(min_value=-5, max_value=400))
def test_the_reminder_due_is_the_nearest_configured_day(days_left):
    day = reminders.reminder_day(days_left, DAYS)
    if days_left < 0 or days_left > 30:
        assert day is None
    else:
        assert day in DAYS and days_left <= day
        assert all(not (days_left <= other < day) for other in DAYS)


def test_calendar_days_count_in_tehran():
    expires = datetime(2027, 3, 21, 0, 30, tzinfo=TEHRAN)  # just after midnight of Nowruz in Tehran
    assert reminders.calendar_days_left(expires, datetime(2027, 3, 20, 20, 31, tzinfo=timezone.utc)) == 0
    assert reminders.calendar_days_left(expires, datetime(2027, 3, 20, 20, 29, tzinfo=TEHRAN)) == 1


def test_each_reminder_once_even_when_the_clock_runs_late_or_twice(app, ctx, now, smtp):
    seal = issue(now=now, email="info@shop.example", days=40)
    expires = seal.expires_at
    for moment in (expires - timedelta(days=31), expires - timedelta(days=30), expires - timedelta(days=29),
                   expires - timedelta(days=29)):
        reminders.send_due_reminders(moment)
    assert _reminders(seal) == [30]
    reminders.send_due_reminders(expires - timedelta(days=2))  # the clock was stopped across the 7-day mark
    assert _reminders(seal) == [30, 7]
    for moment in (expires - timedelta(hours=20), expires - timedelta(hours=1), expires - timedelta(minutes=1)):
        reminders.send_due_reminders(moment)
    assert _reminders(seal) in ([30, 7, 1, 0], [30, 7, 0])
    worker.deliver_due(expires)
    subjects = [message["Subject"] for message in smtp.messages if "expires" in message["Subject"]]
    assert len(subjects) == len(_reminders(seal)) and any("30 days" in subject for subject in subjects)


def test_concurrent_ticks_send_one_reminder(app, ctx, now):
    seal = issue(now=now, days=20)
    moment = seal.expires_at - timedelta(days=6)
    db.session.commit()
    db.session.remove()
    errors = []

    def run():
        try:
            with app.app_context():
                reminders.send_due_reminders(moment)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and _reminders() == [7]


def test_muted_and_renewed_seals_get_no_reminder(ctx, now):
    muted = issue("muted.example", now=now, days=10)
    reminders.set_muted(muted, True, now=now, actor="owner:1")
    renewed = issue("renewed.example", now=now, days=10)
    db.session.execute(update(Seal).where(Seal.id == renewed.id).values(expires_at=now + timedelta(days=740)))
    db.session.commit()
    reminders.send_due_reminders(now + timedelta(days=5))
    assert _reminders() == []


def test_the_audit_chain_finds_an_edited_and_a_deleted_row(app, ctx, now):
    seal = issue(now=now)
    for step in range(3):
        service.suspend(seal.public_id, now=now, actor="staff:1", reason=f"r{step}")
        service.reinstate(seal.public_id, now=now, actor="staff:1")
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert verify_chain() == (len(rows), None)
    assert (rows[1].actor_kind, rows[1].actor_id, rows[0].actor_kind) == ("staff", "1", "system")
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["audit", "verify"]).output.strip() == f"ok {len(rows)} rows"
    original = rows[2].reason
    db.session.execute(update(AuditEvent).where(AuditEvent.id == rows[2].id).values(reason="nothing happened"))
    db.session.commit()
    assert verify_chain() == (2, rows[2].id)
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1 and f"broken at row {rows[2].id}" in result.output
    db.session.execute(update(AuditEvent).where(AuditEvent.id == rows[2].id).values(reason=original))
    db.session.commit()
    assert verify_chain() == (len(rows), None), "put back, the row verifies again"
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == rows[4].id))
    db.session.commit()
    assert verify_chain() == (4, rows[5].id)


def test_a_request_leaves_its_id_and_address_on_the_audit_row(app, now):
    from tests.accounts.conftest import csrf_from, sign_in

    owner = app.test_client()
    sign_in(owner)
    with app.app_context():
        from seal_server.accounts.models import Account

        seal = issue(now=now)
        seal.business.owner.account_id = db.session.scalar(select(Account.id))
        db.session.commit()
        public_id, account_id = seal.public_id, seal.business.owner.account_id
    page = owner.get(f"/panel/seals/{public_id}/notifications")
    owner.post(f"/panel/seals/{public_id}/reminders", data={"csrf_token": csrf_from(page), "muted": "1"},
               headers={"X-Request-Id": "req42"})
    with app.app_context():
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "seal.reminders_muted"))
        assert (row.actor_kind, row.actor_id, row.request_id, row.ip) == ("owner", str(account_id), "req42",
                                                                          "127.0.0.1")
        assert (row.before, row.after) == ({"reminders_muted": False}, {"reminders_muted": True})
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= 2
