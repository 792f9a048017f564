"""Ownership transfers: the seal's owner names a new owner, who is checked like an applicant."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

# offered (waiting for the named person) -> accepted (their application is open) -> approved (the seal moved);
# offered | accepted -> cancelled (by either side, or staff rejected the application)
OFFERED, ACCEPTED, APPROVED, CANCELLED = "offered", "accepted", "approved", "cancelled"
OPEN = (OFFERED, ACCEPTED)


class Transfer(db.Model):
    __tablename__ = "seal_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    from_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    from_owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))
    # the new owner as the current owner named them; only the account with this national code may accept
    to_national_code: Mapped[str] = mapped_column(String(10), index=True)
    to_account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("accounts.id"), index=True)
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applications.id"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=OFFERED, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ended_by: Mapped[Optional[str]] = mapped_column(String(10))  # seller | buyer | staff
    end_note: Mapped[Optional[str]] = mapped_column(String(500))

    seal = relationship("Seal")
    application = relationship("Application")
