"""People and companies who own sealed businesses."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, String
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

    businesses = relationship("Business", back_populates="owner")

    @property
    def display_name(self):
        """The public name: the company for a legal person, first and last name otherwise."""
        if self.kind == LEGAL:
            return self.company_name or ""
        return " ".join(part for part in (self.first_name, self.last_name) if part)
