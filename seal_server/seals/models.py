"""Businesses, their seals and their licences."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..coltypes import UTCDateTime
from ..extensions import db

GRAY, STANDARD, TEMPORARY = "gray", "standard", "temporary"
KINDS = (GRAY, STANDARD, TEMPORARY)

ACTIVE, SUSPENDED, REVOKED, EXPIRED = "active", "suspended", "revoked", "expired"
STATUSES = (ACTIVE, SUSPENDED, REVOKED, EXPIRED)


class Business(db.Model):
    __tablename__ = "businesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    domain: Mapped[str] = mapped_column(String(253), index=True)
    category: Mapped[Optional[str]] = mapped_column(String(100))
    sales_method: Mapped[Optional[str]] = mapped_column(String(10))  # direct | indirect | both
    landline: Mapped[Optional[str]] = mapped_column(String(11))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    postal_code: Mapped[Optional[str]] = mapped_column(String(10))
    address: Mapped[Optional[str]] = mapped_column(Text)
    province: Mapped[Optional[str]] = mapped_column(String(60))
    city: Mapped[Optional[str]] = mapped_column(String(60))
    response_hours: Mapped[Optional[str]] = mapped_column(String(120))
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("Owner", back_populates="businesses")
    seals = relationship("Seal", back_populates="business", order_by="Seal.id")
    licences = relationship("Licence", back_populates="business", order_by="Licence.id")


class Seal(db.Model):
    __tablename__ = "seals"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    stars: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), index=True)
    status_reason: Mapped[Optional[str]] = mapped_column(String(500))
    serial: Mapped[int] = mapped_column(Integer, default=1)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the owner is letting this seal lapse and asked for no expiry reminders
    reminders_muted: Mapped[bool] = mapped_column(default=False, server_default=false())

    business = relationship("Business", back_populates="seals")


class SealHold(db.Model):
    """One reason a seal is suspended (staff, complaints, second-year fee); the seal is active only with none."""

    __tablename__ = "seal_holds"
    __table_args__ = (UniqueConstraint("seal_id", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[Optional[str]] = mapped_column(String(500))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Licence(db.Model):
    __tablename__ = "licences"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(60))
    valid_from: Mapped[Optional[date]] = mapped_column(Date)
    valid_to: Mapped[Optional[date]] = mapped_column(Date)
    # the owner's scan (a storage key) and the staff's verdict: pending | verified | rejected
    scan_key: Mapped[Optional[str]] = mapped_column(String(40))
    scan_type: Mapped[Optional[str]] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    created_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by: Mapped[Optional[int]] = mapped_column(Integer)
    decision_note: Mapped[Optional[str]] = mapped_column(String(500))
    # set when the owner was told the licence is about to expire (once per licence)
    expiry_notice_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    business = relationship("Business", back_populates="licences")
