"""A seal's renewals: one row per validity period ended, settled by the payment of its invoice."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

# open (invoice waiting) -> renewed (paid, the seal extended) | held (paid, but the seal or the commitment
# changed meanwhile: a reviewer settles it) -> renewed | refused (with a message to the owner)
OPEN, RENEWED, HELD, REFUSED = "open", "renewed", "held", "refused"


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
    # a reviewer's decision on a held renewal
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    decision_note: Mapped[Optional[str]] = mapped_column(String(500))

    seal = relationship("Seal")
    invoice = relationship("Invoice")


# a cancellation asked by the owner: waiting -> confirmed (the seal revoked) | rejected (with a note)
WAITING, CONFIRMED, REJECTED = "waiting", "confirmed", "rejected"


class Cancellation(db.Model):
    """The owner's signed request to cancel a seal, with the documents the authority asks for."""

    __tablename__ = "cancellations"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=WAITING, index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    owner_name: Mapped[str] = mapped_column(String(200))
    # storage keys and content types: a copy of the ID card, and the signed request letter
    # (legal persons: on letterhead, with the company's stamp and the CEO's signature)
    id_copy_key: Mapped[str] = mapped_column(String(40))
    id_copy_type: Mapped[str] = mapped_column(String(40))
    letter_key: Mapped[str] = mapped_column(String(40))
    letter_type: Mapped[str] = mapped_column(String(40))
    legal_person: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    decision_note: Mapped[Optional[str]] = mapped_column(String(500))

    seal = relationship("Seal")
