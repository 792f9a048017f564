"""Invoices, their lines, payments, and the sandbox gateway's own record of charges."""
from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

# invoice status: open -> confirming (one payment is being verified) -> paid, or back to open
OPEN, CONFIRMING, PAID, VOID = "open", "confirming", "paid", "void"
# payment status: pending (payer sent to the gateway) -> verifying (one callback claimed it) -> paid | failed;
# pending -> cancelled when the payer gives up at the gateway
PENDING, VERIFYING, SUCCEEDED, FAILED, CANCELLED = "pending", "verifying", "paid", "failed", "cancelled"


class Invoice(db.Model):
    __tablename__ = "invoices"
    # who pays: an owner's account, or (for an arbitration fee) the buyer of a complaint, who has no account
    __table_args__ = (CheckConstraint("account_id IS NOT NULL OR complaint_id IS NOT NULL", name="ck_invoices_payer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("accounts.id"), index=True)
    complaint_id: Mapped[Optional[int]] = mapped_column(ForeignKey("complaints.id"), index=True)
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applications.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # seal | postal-check | rating... | arbitration
    status: Mapped[str] = mapped_column(String(10), default=OPEN, index=True)
    total: Mapped[int] = mapped_column(BigInteger)  # rials
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    lines = relationship("InvoiceLine", back_populates="invoice", order_by="InvoiceLine.id",
                         cascade="all, delete-orphan")
    payments = relationship("Payment", back_populates="invoice", order_by="Payment.id")


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))  # message id, translated when shown
    amount: Mapped[int] = mapped_column(BigInteger)  # rials

    invoice = relationship("Invoice", back_populates="lines")


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("gateway", "authority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(20))
    authority: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)  # rials
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    ref_id: Mapped[Optional[str]] = mapped_column(String(64))
    card_pan: Mapped[Optional[str]] = mapped_column(String(32))
    message: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    invoice = relationship("Invoice", back_populates="payments")


class SandboxCharge(db.Model):
    """What the built-in sandbox gateway knows: it plays the bank's side, offline."""

    __tablename__ = "sandbox_charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority: Mapped[str] = mapped_column(String(64), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(200))
    callback_url: Mapped[str] = mapped_column(String(500))
    outcome: Mapped[Optional[str]] = mapped_column(String(10))  # paid | cancelled | failed
    ref_id: Mapped[Optional[str]] = mapped_column(String(20))
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
