"""A buyer's complaint about one transaction with a sealed shop."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

# pending: waiting for the buyer's one-time code; unconfirmed: the bank did not confirm the transaction
# (nothing was opened); open: the business's clock runs; answered: the buyer may accept or reject;
# accepted / rejected: the buyer's verdict.
PENDING, UNCONFIRMED, OPEN, ANSWERED, ACCEPTED, REJECTED = (
    "pending", "unconfirmed", "open", "answered", "accepted", "rejected")
STATES = (PENDING, UNCONFIRMED, OPEN, ANSWERED, ACCEPTED, REJECTED)
CONFIRMED_STATES = (OPEN, ANSWERED, ACCEPTED, REJECTED)


class Complaint(db.Model):
    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_state_non_responses", "state", "non_responses"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    ip: Mapped[Optional[str]] = mapped_column(String(45), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)  # rials
    payment_ref: Mapped[str] = mapped_column(String(30), index=True)
    card_last4: Mapped[str] = mapped_column(String(4))
    order_number: Mapped[Optional[str]] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12))
    # the latest one-time code to the buyer's mobile (filing, then following)
    code_hash: Mapped[Optional[str]] = mapped_column(String(64))
    code_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # the clock's window ends, fixed at confirmation so tick can move every complaint in one statement each
    deadline_1: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    deadline_2: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    deadline_3: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    non_responses: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    answered_on_time: Mapped[Optional[bool]] = mapped_column()
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # escalation to a competent body: which one, when, and the generated Persian letter (PDF)
    referred_to: Mapped[Optional[str]] = mapped_column(String(20))
    referred_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    referral_pdf: Mapped[Optional[bytes]] = mapped_column(LargeBinary)

    seal = relationship("Seal")
