"""The audit log: who changed what, when, from what to what."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from .coltypes import UTCDateTime
from .extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(index=True)
    before: Mapped[Optional[dict]] = mapped_column(JSON)
    after: Mapped[Optional[dict]] = mapped_column(JSON)
    reason: Mapped[Optional[str]] = mapped_column(String(500))


def record_event(*, actor, action, subject_type, subject_id, now, before=None, after=None, reason=None):
    """Add an audit row to the current transaction."""
    event = AuditEvent(
        at=now, actor=actor, action=action, subject_type=subject_type,
        subject_id=subject_id, before=before, after=after, reason=reason,
    )
    db.session.add(event)
    return event
