"""Expiry reminders from the server: 30, 7 and 1 days before expiry and on the day (SEAL_REMINDER_DAYS).

Each reminder is an event with a unique key (seal, validity period, day), so it is sent
once however late, often or concurrently the clock runs; a renewed seal has a new
period and is far from expiry, so it gets none for the old one.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..iran.calendar import TEHRAN
from ..seals.models import ACTIVE, Seal
from .actors import CLOCK_ACTOR
from .service import emit


def calendar_days_left(expires_at, now):
    """Days from today to the expiry day, both in Tehran time: 0 on the day itself."""
    return (expires_at.astimezone(TEHRAN).date() - now.astimezone(TEHRAN).date()).days


def reminder_day(days_left, reminder_days):
    """The reminder due with `days_left` days to go: the nearest configured day not before it, or None."""
    if days_left < 0:
        return None
    due = [day for day in reminder_days if days_left <= day]
    return min(due) if due else None


def dedupe_key(seal, day):
    return f"seal.expiry_reminder:{seal.id}:{seal.expires_at.isoformat()}:{day}"


def send_due_reminders(now):
    """Emit every reminder due at `now`; returns the seal ids reminded. Idempotent and safe concurrently."""
    reminder_days = current_app.config["SEAL_REMINDER_DAYS"]
    horizon = now + timedelta(days=max(reminder_days) + 1)
    seals = db.session.scalars(select(Seal).where(
        Seal.status == ACTIVE, Seal.reminders_muted.is_(False), Seal.expires_at > now,
        Seal.expires_at <= horizon).order_by(Seal.id)).all()
    reminded = []
    for seal in seals:
        days_left = calendar_days_left(seal.expires_at, now)
        day = reminder_day(days_left, reminder_days)
        if day is None:
            continue
        try:
            event = emit("seal.expiry_reminder", seal, {"days": days_left, "reminder_day": day}, CLOCK_ACTOR,
                         now=now, dedupe_key=dedupe_key(seal, day), audit=False)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # a concurrent tick sent it
            continue
        if event is not None:
            reminded.append(seal.public_id)
    return reminded


def set_muted(seal, muted, *, now, actor):
    """The owner lets a seal lapse and wants no reminders (or wants them back)."""
    from ..audit import record_event

    before = seal.reminders_muted
    seal.reminders_muted = bool(muted)
    record_event(actor=actor, action="seal.reminders_muted" if muted else "seal.reminders_unmuted",
                 subject_type="seal", subject_id=seal.id, now=now, before={"reminders_muted": before},
                 after={"reminders_muted": bool(muted)})
    db.session.commit()
