"""Where each seal was shown: one row per (seal, foreign host), added to by every flush."""
from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db


class CopySighting(db.Model):
    """A seal seen on a host that is not its own: how often, first and last; the fake-seal report it raised."""

    __tablename__ = "copy_sightings"

    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), primary_key=True)
    host: Mapped[str] = mapped_column(String(253), primary_key=True)  # the host only, never a path or query
    count: Mapped[int] = mapped_column(BigInteger, index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # pruning finds old sightings by it
    reported_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # set once: one report per (seal, host)
    report_id: Mapped[Optional[int]] = mapped_column(ForeignKey("violation_reports.id"))

    seal = relationship("Seal")
    report = relationship("ViolationReport")


class CopyBatch(db.Model):
    """A batch of counts drained from Redis and added to the table: a batch is added once, whoever retries it."""

    __tablename__ = "copy_batches"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    flushed_at: Mapped[datetime] = mapped_column(UTCDateTime)
