"""What the sandbox backends keep, so an operator can see them: the post office's letters."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..coltypes import UTCDateTime
from ..extensions import db


class PostLetter(db.Model):
    """A letter handed to the sandbox post office: listed on the operator's letters page, never mailed."""

    __tablename__ = "post_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applications.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # the letter's text, code included, as the PDF prints it
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VoiceCall(db.Model):
    """A call the sandbox voice backend 'placed': listed on the operator's calls page, never dialled."""

    __tablename__ = "voice_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(11), index=True)
    script: Mapped[str] = mapped_column(Text)  # what the caller hears, code included
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BackgroundCheck(db.Model):
    """One registry's answer about one application's applicant (time, reference, answer), and any override."""

    __tablename__ = "background_checks"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # police | mobile | civil | company | domain_holder
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending | passed | failed | timed_out
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    asked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reference: Mapped[Optional[str]] = mapped_column(String(80))
    detail: Mapped[Optional[str]] = mapped_column(String(300))
    # a supervisor's decision to approve despite this check, with the written reason
    overridden_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    overridden_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    override_reason: Mapped[Optional[str]] = mapped_column(String(500))


class SandboxCheckOutcome(db.Model):
    """What the sandbox registry behind one check answers: for everyone (subject '') or for one subject."""

    __tablename__ = "sandbox_check_outcomes"
    __table_args__ = (UniqueConstraint("kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(253), default="")  # a national code, legal id or domain
    outcome: Mapped[str] = mapped_column(String(10))  # pass | fail | timeout
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
