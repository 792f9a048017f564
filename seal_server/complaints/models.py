"""A buyer's complaint about one transaction with a sealed shop."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

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
    files = relationship("ComplaintFile", primaryjoin="and_(ComplaintFile.complaint_id == Complaint.id, "
                         "ComplaintFile.evidence_id.is_(None))", order_by="ComplaintFile.id", viewonly=True)


# online arbitration (seed: the buyer pays the fee, the shop has 72 hours to settle, then a ruling):
# awaiting_payment -> open (the shop's 72 hours) -> awaiting_ruling -> ruled;
# open | awaiting_ruling -> settled (the shop recorded a settlement and the buyer confirmed it);
# awaiting_payment -> void (the buyer took the complaint to a competent body instead, before paying).
AWAITING_PAYMENT, ARBITRATING, AWAITING_RULING, RULED, SETTLED, VOID = (
    "awaiting_payment", "open", "awaiting_ruling", "ruled", "settled", "void")
ARBITRATION_STATES = (AWAITING_PAYMENT, ARBITRATING, AWAITING_RULING, RULED, SETTLED, VOID)
BUYER, SHOP = "buyer", "shop"


class Arbitration(db.Model):
    __tablename__ = "arbitrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True)
    invoice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("invoices.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    fee: Mapped[int] = mapped_column(BigInteger)  # rials, from the bands at the time of asking
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    shop_deadline: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)  # paid_at + 72 hours
    # the shop's account of how it settled, and when; the buyer's confirmation closes the case
    settlement: Mapped[Optional[str]] = mapped_column(Text)
    settlement_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    settled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    outcome: Mapped[Optional[str]] = mapped_column(String(8))  # buyer | shop | partial
    award: Mapped[Optional[int]] = mapped_column(BigInteger)  # rials the shop owes the buyer
    reasons: Mapped[Optional[str]] = mapped_column(Text)
    ruled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ruled_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))

    complaint = relationship("Complaint", backref=backref("arbitration", uselist=False))
    invoice = relationship("Invoice")
    evidence = relationship("ArbitrationEvidence", order_by="ArbitrationEvidence.id", back_populates="arbitration")


class ArbitrationEvidence(db.Model):
    """What one side tells the arbiter: a text, with an optional file (a ComplaintFile)."""

    __tablename__ = "arbitration_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    arbitration_id: Mapped[int] = mapped_column(ForeignKey("arbitrations.id"), index=True)
    side: Mapped[str] = mapped_column(String(5))  # buyer | shop
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    arbitration = relationship("Arbitration", back_populates="evidence")
    files = relationship("ComplaintFile", order_by="ComplaintFile.id")


class ComplaintFile(db.Model):
    """A file about a complaint (the buyer's attachments at filing, or arbitration evidence): checked by its
    content like onboarding documents, kept in the upload storage, shown to the two sides and staff only."""

    __tablename__ = "complaint_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    evidence_id: Mapped[Optional[int]] = mapped_column(ForeignKey("arbitration_evidence.id"), index=True)
    side: Mapped[str] = mapped_column(String(5))  # buyer | shop
    key: Mapped[str] = mapped_column(String(40))  # storage key
    content_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))  # the uploaded name, for showing only
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
