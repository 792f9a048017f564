"""The audit log: who changed what, when, from what to what, in an append-only hash chain.

Each row stores SHA-256 over the previous row's hash and its own content, so a row
edited or deleted in the database breaks the chain at that point (`verify_chain`).
Rows are chained as they are written: on PostgreSQL a transaction-scoped advisory
lock orders writers; SQLite allows one writer at a time anyway.
"""
import hashlib
import json
from datetime import datetime, timezone
from typing import Optional

from flask import g, has_request_context, request
from sqlalchemy import JSON, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from .coltypes import UTCDateTime
from .events.actors import Actor
from .extensions import db

GENESIS = "0" * 64
_CHAIN_LOCK = 0x5EA1A0D1  # pg_advisory_xact_lock key of the audit chain


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80))  # "kind:id", for reading
    actor_kind: Mapped[str] = mapped_column(String(20), default="system", server_default="system", index=True)
    actor_id: Mapped[Optional[str]] = mapped_column(String(60), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(index=True)
    before: Mapped[Optional[dict]] = mapped_column(JSON)
    after: Mapped[Optional[dict]] = mapped_column(JSON)
    reason: Mapped[Optional[str]] = mapped_column(String(500))
    request_id: Mapped[Optional[str]] = mapped_column(String(64))
    ip: Mapped[Optional[str]] = mapped_column(String(45))
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64))
    hash: Mapped[Optional[str]] = mapped_column(String(64), index=True, unique=True)


def row_digest(row, prev_hash):
    """SHA-256 over the previous hash and this row's content (canonical JSON)."""
    content = {
        "id": row.id, "at": row.at.astimezone(timezone.utc).isoformat() if row.at else None, "actor_kind": row.actor_kind,
        "actor_id": row.actor_id, "action": row.action, "subject_type": row.subject_type,
        "subject_id": row.subject_id, "before": row.before, "after": row.after, "reason": row.reason,
        "request_id": row.request_id, "ip": row.ip,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + "\n" + canonical).encode()).hexdigest()


def _request_facts():
    if not has_request_context():
        return None, None
    return getattr(g, "request_id", None), request.remote_addr


def record_event(*, actor, action, subject_type, subject_id, now, before=None, after=None, reason=None):
    """Add a chained audit row to the current transaction (flushes it)."""
    actor = Actor.parse(actor)
    request_id, ip = _request_facts()
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    row = AuditEvent(
        at=now, actor=str(actor)[:80], actor_kind=actor.kind, actor_id=actor.id, action=action,
        subject_type=subject_type, subject_id=subject_id, before=before, after=after,
        reason=reason[:500] if reason else reason, request_id=request_id, ip=ip,
    )
    session.add(row)
    session.flush()  # takes SQLite's write lock and gives the row its id
    prev = session.scalar(
        select(AuditEvent.hash).where(AuditEvent.id < row.id).order_by(AuditEvent.id.desc()).limit(1))
    row.prev_hash = prev or GENESIS
    row.hash = row_digest(row, row.prev_hash)
    session.flush()
    return row


def verify_chain(batch=1000):
    """(rows checked, first broken row id or None): walks the chain in id order."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)).all()
        if not rows:
            return checked, None
        for row in rows:
            if row.prev_hash != prev or row.hash != row_digest(row, prev):
                return checked, row.id
            prev, last_id = row.hash, row.id
            checked += 1
        db.session.expunge_all()
