"""People and companies who own sealed businesses."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..coltypes import UTCDateTime
from ..extensions import db

NATURAL = "natural"
LEGAL = "legal"


class Owner(db.Model):
    __tablename__ = "owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # natural | legal
    # natural person
    first_name: Mapped[Optional[str]] = mapped_column(String(80))
    last_name: Mapped[Optional[str]] = mapped_column(String(80))
    father_name: Mapped[Optional[str]] = mapped_column(String(80))
    gender: Mapped[Optional[str]] = mapped_column(String(10))
    birth_date: Mapped[Optional[date]] = mapped_column(Date)
    national_code: Mapped[Optional[str]] = mapped_column(String(10), index=True)
    mobile: Mapped[Optional[str]] = mapped_column(String(11), index=True)
    # legal person
    company_name: Mapped[Optional[str]] = mapped_column(String(200))
    legal_national_id: Mapped[Optional[str]] = mapped_column(String(11), index=True)
    registration_number: Mapped[Optional[str]] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the signed-in account that declared this identity (None for owners entered by an operator)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("accounts.id"), index=True)
    # a legal person's chief executive
    ceo_name: Mapped[Optional[str]] = mapped_column(String(160))
    # where the person lives, or the company's registered office
    landline: Mapped[Optional[str]] = mapped_column(String(11))
    postal_code: Mapped[Optional[str]] = mapped_column(String(10))
    address: Mapped[Optional[str]] = mapped_column(Text)

    businesses = relationship("Business", back_populates="owner")
    account = relationship("Account", back_populates="owners")

    @property
    def display_name(self):
        """The public name: the company for a legal person, first and last name otherwise."""
        if self.kind == LEGAL:
            return self.company_name or ""
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class Account(db.Model):
    """Someone who signs in with a national code and mobile number (and, optionally, a password)."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_code: Mapped[str] = mapped_column(String(10), unique=True)
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    is_staff: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # sessions carry the generation they began in; signing out or a new password moves it on, ending them all
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    owners = relationship("Owner", back_populates="account", order_by="Owner.id")


class OtpChallenge(db.Model):
    """One SMS code sent for one sign-in attempt; only an HMAC of the code is kept."""

    __tablename__ = "otp_challenges"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # random, also held in the session
    national_code: Mapped[str] = mapped_column(String(10), index=True)
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("accounts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(45), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    delivered: Mapped[bool] = mapped_column(default=False)


class RecoveryRequest(db.Model):
    """Someone says a national code is theirs but its account answers another mobile; staff act on it.

    Recorded whatever the registry holds, so the answer never tells who is registered.
    """

    __tablename__ = "account_recovery_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_code: Mapped[str] = mapped_column(String(10), index=True)
    mobile: Mapped[str] = mapped_column(String(11))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    note: Mapped[Optional[str]] = mapped_column(Text)
    # the account holding the national code when the request came in (None: nobody held it)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("accounts.id"), index=True)
    ip: Mapped[str] = mapped_column(String(45), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | resolved | rejected
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
