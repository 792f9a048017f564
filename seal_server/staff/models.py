"""Staff accounts (their own table, apart from owners), their server-side sessions, and review claims."""
import logging
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import signing
from ..coltypes import UTCDateTime
from ..extensions import db

log = logging.getLogger(__name__)


class Staff(db.Model):
    """A member of the authority's staff: password (argon2) plus a TOTP second factor, one or more roles."""

    __tablename__ = "staff"
    audit_type = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    # the authenticator's base32 secret, encrypted at rest (signing.seal_secret); read and set `totp_secret`
    totp_secret_enc: Mapped[str] = mapped_column(String(255))
    # the last TOTP time step accepted: a code is good once, never again inside its window
    totp_last_step: Mapped[Optional[int]] = mapped_column(Integer)
    recovery_codes: Mapped[list] = mapped_column(JSON, default=list)  # SHA-256 digests of unused codes
    # the one-time enrolment link: only its digest is kept
    enrol_digest: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    enrol_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    enrolled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    sessions = relationship("StaffSession", back_populates="staff", order_by="StaffSession.created_at")

    @property
    def totp_secret(self):
        return signing.open_secret(self.totp_secret_enc)[0]

    @totp_secret.setter
    def totp_secret(self, plain):
        self.totp_secret_enc = signing.seal_secret(plain)

    def readable_totp_secret(self):
        """The secret, or None (logged) when no key in SEAL_SECRET_KEYS opens it any more: the key it was
        encrypted under was retired too early, and only a recovery code or a new enrolment signs them in."""
        try:
            return self.totp_secret
        except ValueError:
            log.error("staff %s: no key in SEAL_SECRET_KEYS opens their TOTP secret; put the retired key back "
                      "or reset their enrolment", self.id)
            return None

    def reseal_totp_secret(self):
        """Encrypt the secret under the newest key when an older one still holds it (after a key rotation)."""
        try:
            plain, newest = signing.open_secret(self.totp_secret_enc)
        except ValueError:
            return
        if not newest:
            self.totp_secret = plain

    def has(self, role):
        return role in (self.roles or [])


class StaffSession(db.Model):
    """A signed-in staff browser; the cookie holds a random token, the table its digest."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # when a TOTP code was last typed in this session: sensitive actions need one from the last minutes
    fresh_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ip: Mapped[Optional[str]] = mapped_column(String(45))

    staff = relationship("Staff", back_populates="sessions")
