"""Registered changes of a sealed business's identity or contact data: one row per change."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

# pending (the owner's turn: a code, a payment, a domain proof) -> verifying (the authority's turn: a letter in
# the post, a staff review) -> applied | refused (staff) | cancelled (the owner, or a newer change of the seal)
PENDING, VERIFYING, APPLIED, CANCELLED, REFUSED = "pending", "verifying", "applied", "cancelled", "refused"
OPEN_STATES = (PENDING, VERIFYING)
STATES = (PENDING, VERIFYING, APPLIED, CANCELLED, REFUSED)


class SealChange(db.Model):
    """One change the owner registered: its kind, the value before and the value asked for, and its check."""

    __tablename__ = "seal_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), index=True)
    # "<seal id>:<kind>" while open, else NULL: one open change per kind and seal, even for two tabs at once
    open_key: Mapped[Optional[str]] = mapped_column(String(40), unique=True)
    old_value: Mapped[dict] = mapped_column(JSON, default=dict)
    new_value: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # the one-time code of this change (email, SMS, voice call, postal letter): only its digest is kept
    code_digest: Mapped[Optional[str]] = mapped_column(String(64))
    code_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    codes_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    invoice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("invoices.id"), unique=True)
    challenge_id: Mapped[Optional[int]] = mapped_column(ForeignKey("domain_challenges.id"))
    # the staff review (refusal reason shown to the owner)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[Optional[str]] = mapped_column(String(500))

    seal = relationship("Seal")
    invoice = relationship("Invoice")
    challenge = relationship("DomainChallenge")
