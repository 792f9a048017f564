"""A seal's renewals: one row per validity period ended, settled by the payment of its invoice."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

# open (invoice waiting) -> renewed (paid, the seal extended) | held (paid, but the seal changed meanwhile:
# a reviewer settles it) | void (the owner let it go)
OPEN, RENEWED, HELD = "open", "renewed", "held"


class Renewal(db.Model):
    __tablename__ = "renewals"
    # one renewal per validity period: two owners' tabs (or two payments) cannot renew it twice
    __table_args__ = (UniqueConstraint("seal_id", "old_expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=OPEN, index=True)
    old_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    terms_version: Mapped[str] = mapped_column(String(20))
    terms_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    held_reason: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    renewed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    seal = relationship("Seal")
    invoice = relationship("Invoice")
