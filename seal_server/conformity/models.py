"""Rating requests and notices of a star about to be taken back."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

AWAITING_PAYMENT, OPEN, DECIDED, CANCELLED = "awaiting_payment", "open", "decided", "cancelled"
LIVE_REQUEST = (AWAITING_PAYMENT, OPEN)


class RatingRequest(db.Model):
    """An owner's paid request for more stars, answered by staff within two weeks of payment."""

    __tablename__ = "rating_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))  # basic (up to 3 stars) | advanced (up to 5)
    status: Mapped[str] = mapped_column(String(20), index=True)
    evidence: Mapped[Optional[str]] = mapped_column(Text)  # the owner's account of years of activity
    invoice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("invoices.id"), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    https_ok: Mapped[Optional[bool]] = mapped_column()
    https_note: Mapped[Optional[str]] = mapped_column(String(300))
    long_activity: Mapped[Optional[bool]] = mapped_column()  # staff accepted more than five years of activity
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by: Mapped[Optional[int]] = mapped_column(Integer)
    granted_stars: Mapped[Optional[int]] = mapped_column(Integer)
    decision_note: Mapped[Optional[str]] = mapped_column(String(500))

    seal = relationship("Seal")


class StarNotice(db.Model):
    """A seal's star whose ground was lost: the owner is told, and the star goes 14 days later unless restored."""

    __tablename__ = "star_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    stars_now: Mapped[int] = mapped_column(Integer)
    stars_due: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    noticed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    outcome: Mapped[Optional[str]] = mapped_column(String(12))  # withdrawn | restored

    seal = relationship("Seal")


class StarCheck(db.Model):
    """When a seal's star grounds were last checked again (at most once a day per seal)."""

    __tablename__ = "star_checks"

    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    https_ok: Mapped[Optional[bool]] = mapped_column()


NC_OPEN, NC_ANSWERED, NC_CLOSED = "open", "answered", "closed"
NC_LEVELS = (1, 2, 3)


class NonConformity(db.Model):
    """A failing the authority recorded against a seal; shown on the record until staff accept the owner's fix."""

    __tablename__ = "nonconformities"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)  # public: shown on the verification page
    internal_note: Mapped[Optional[str]] = mapped_column(Text)  # staff only, never public
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[Optional[int]] = mapped_column(Integer)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by: Mapped[Optional[int]] = mapped_column(Integer)
    rejection: Mapped[Optional[str]] = mapped_column(String(500))  # why the last answer was not accepted

    seal = relationship("Seal")


VIOLATION_KINDS = ("illegal_goods", "fraud", "fake_seal", "other")
REPORT_NEW, REPORT_DISMISSED, REPORT_NONCONFORMITY, REPORT_SUSPENDED = "new", "dismissed", "nonconformity", "suspended"


class ViolationReport(db.Model):
    """A report of a violation by anyone, from the verification page; no purchase needed."""

    __tablename__ = "violation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    contact: Mapped[Optional[str]] = mapped_column(String(200))  # optional, never shown publicly
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    challenge: Mapped[Optional[str]] = mapped_column(String(200), unique=True)  # each proof of work counts once
    status: Mapped[str] = mapped_column(String(15), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by: Mapped[Optional[int]] = mapped_column(Integer)

    seal = relationship("Seal")
