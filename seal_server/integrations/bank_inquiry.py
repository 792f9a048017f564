"""The bank-transaction inquiry (the central bank confirms a buyer's payment): a protocol and a sandbox.

The sandbox answers from a table an operator fills on the staff console's sandbox page (one answer
per payment reference); a reference it has no answer for gets SEAL_BANK_SANDBOX_DEFAULT.
"""
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from ..coltypes import UTCDateTime
from ..extensions import db

CONFIRM, DENY = "confirm", "deny"
ANSWERS = (CONFIRM, DENY)


@dataclass(frozen=True)
class Transaction:
    paid_on: date
    amount: int  # rials
    payment_ref: str
    card_last4: str
    merchant_domain: str


class BankInquiry(Protocol):
    name: str

    def confirms(self, transaction: Transaction) -> bool:
        """True when the bank recorded this payment to this merchant."""


class SandboxBankAnswer(db.Model):
    """The sandbox's answer for one payment reference, set by an operator."""

    __tablename__ = "sandbox_bank_answers"

    payment_ref: Mapped[str] = mapped_column(String(30), primary_key=True)
    answer: Mapped[str] = mapped_column(String(10))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SandboxBankInquiry:
    """Offline: the operator's answer for the reference, else the configured default."""

    name = "sandbox"

    def __init__(self, default=CONFIRM):
        self.default = default

    def confirms(self, transaction):
        answer = db.session.get(SandboxBankAnswer, transaction.payment_ref)
        return (answer.answer if answer else self.default) == CONFIRM


def set_sandbox_answer(payment_ref, answer, now):
    """Make the sandbox confirm or deny `payment_ref` from now on (commits)."""
    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {', '.join(ANSWERS)}")
    row = db.session.get(SandboxBankAnswer, payment_ref)
    if row is None:
        db.session.add(SandboxBankAnswer(payment_ref=payment_ref, answer=answer, set_at=now))
    else:
        row.answer, row.set_at = answer, now
    db.session.commit()


def sandbox_answers(limit=50):
    return db.session.scalars(select(SandboxBankAnswer).order_by(SandboxBankAnswer.set_at.desc()).limit(limit)).all()


def backend_from_config(config):
    """Only the sandbox exists here; a real adapter implements BankInquiry against the bank's service."""
    return SandboxBankInquiry(config.get("SEAL_BANK_SANDBOX_DEFAULT", CONFIRM))
