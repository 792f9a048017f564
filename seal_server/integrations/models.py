"""What the sandbox backends keep, so an operator can see them: the post office's letters."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, LargeBinary, String, Text
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
