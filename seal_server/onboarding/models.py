"""Applications for a seal, their steps, uploaded documents and domain-ownership challenges."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

# application status: draft (owner edits) -> submitted (reviewer's turn) -> approved | rejected; or withdrawn
DRAFT, SUBMITTED, APPROVED, REJECTED, WITHDRAWN = "draft", "submitted", "approved", "rejected", "withdrawn"
LIVE_APPLICATION = (DRAFT, SUBMITTED)

# what an application asks for: a new seal; an existing seal moving to a new owner (`seal_id`, the
# new owner's identity checked again); or an existing gray or temporary seal becoming a one-star one
NEW_SEAL, TRANSFER, UPGRADE = "seal", "transfer", "upgrade"

# step states
NOT_STARTED, PENDING, DONE, STEP_REJECTED = "not_started", "pending", "done", "rejected"
STEPS = ("identity", "documents", "business", "domain", "contact", "postal", "commitment", "payment")


class Application(db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("owners.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True, default=DRAFT)
    # the business as the owner describes it; a Business row is created when a seal is issued
    seal_kind: Mapped[Optional[str]] = mapped_column(String(10))
    domain: Mapped[Optional[str]] = mapped_column(String(253), index=True)
    name_fa: Mapped[Optional[str]] = mapped_column(String(200))
    name_en: Mapped[Optional[str]] = mapped_column(String(200))
    category: Mapped[Optional[str]] = mapped_column(String(40))
    sales_method: Mapped[Optional[str]] = mapped_column(String(10))
    owns_domain_declared_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    domain_verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    domain_verified_by: Mapped[Optional[str]] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # contact details shown on the verification page; the email counts once `email_verified` equals it
    landline: Mapped[Optional[str]] = mapped_column(String(11))
    landline_verified: Mapped[Optional[str]] = mapped_column(String(11))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    email_verified: Mapped[Optional[str]] = mapped_column(String(254))
    postal_code: Mapped[Optional[str]] = mapped_column(String(10))
    address: Mapped[Optional[str]] = mapped_column(String(500))
    province: Mapped[Optional[str]] = mapped_column(String(3))
    city: Mapped[Optional[str]] = mapped_column(String(60))
    response_hours: Mapped[Optional[str]] = mapped_column(String(120))
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    # the commitment: which version of the terms was accepted, when and from where
    terms_version: Mapped[Optional[str]] = mapped_column(String(20))
    terms_accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    terms_accepted_ip: Mapped[Optional[str]] = mapped_column(String(45))
    # fees: the owner's answer fixes the seal invoice; listeners of paid invoices set the *_paid_at times
    micro: Mapped[Optional[bool]] = mapped_column()
    fee_paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    postal_paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # "postal code|address" the letter's code was typed back for; a changed address must be checked again
    postal_verified: Mapped[Optional[str]] = mapped_column(String(520))
    postal_verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # set once, when the application is approved and its seal issued
    business_id: Mapped[Optional[int]] = mapped_column(ForeignKey("businesses.id"), unique=True)
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    tax_tracking_code: Mapped[Optional[str]] = mapped_column(String(32))
    # review: the staff member holding it, and a whole-application rejection's reason (the owner reads it)
    assigned_staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"), index=True)
    rejected_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[Optional[str]] = mapped_column(String(500))
    purpose: Mapped[str] = mapped_column(String(10), default=NEW_SEAL, server_default=NEW_SEAL)
    seal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("seals.id"), index=True)

    owner = relationship("Owner")
    seal = relationship("Seal")
    business = relationship("Business")
    steps = relationship("ApplicationStep", back_populates="application", cascade="all, delete-orphan",
                         order_by="ApplicationStep.id")
    documents = relationship("Document", back_populates="application", cascade="all, delete-orphan",
                             order_by="Document.id")


class ApplicationStep(db.Model):
    __tablename__ = "application_steps"
    __table_args__ = (UniqueConstraint("application_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12), default=NOT_STARTED)
    reason: Mapped[Optional[str]] = mapped_column(String(500))  # a reviewer's reason for a rejection
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # a reviewer's verdict: accepted (who, when), or rejected (state, reason) and reopened for the owner
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    reopened: Mapped[bool] = mapped_column(default=False, server_default="0")

    application = relationship("Application", back_populates="steps")


class Document(db.Model):
    """An uploaded file; its bytes live in the storage under a random key, never under the web root."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application = relationship("Application", back_populates="documents")


class DomainChallenge(db.Model):
    """One attempt to prove control of the application's domain by one method."""

    __tablename__ = "domain_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253))
    method: Mapped[str] = mapped_column(String(10))  # email | file | meta | title | dns
    token: Mapped[str] = mapped_column(String(64))  # the public token; for email, an HMAC of the code
    email: Mapped[Optional[str]] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[Optional[str]] = mapped_column(String(300))
    verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class DomainCheck(db.Model):
    """One fetch of an owner's site run by the worker, not the request: a `kind` of job on one `subject`.

    onboarding: an application's "check now" of a challenge (application_id, challenge_id);
    change: a registered domain change's proof (subject_id = the change, challenge_id its challenge);
    https: a reviewer's HTTPS check for a star rating (subject_id = the rating request, staff_id who asked).
    While queued or running a job holds one of its account's (or staff member's) `slot`s (0 to
    SEAL_PROOF_CHECKS_PER_ACCOUNT - 1); the unique (account, slot) and (staff, slot) pairs keep the limit
    in the database, across every web process, and a finished job gives its slot back (NULL).
    """

    __tablename__ = "domain_checks"
    __table_args__ = (UniqueConstraint("account_id", "slot"), UniqueConstraint("staff_id", "slot"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="onboarding", server_default="onboarding")
    subject_id: Mapped[Optional[int]] = mapped_column(Integer)  # the change or rating request, by kind
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applications.id"), index=True)
    challenge_id: Mapped[Optional[int]] = mapped_column(ForeignKey("domain_challenges.id"))
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("accounts.id"))
    staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    state: Mapped[str] = mapped_column(String(10), index=True)  # queued | running | done
    slot: Mapped[Optional[int]] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    lease_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # a running check's worker holds it
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    runs: Mapped[int] = mapped_column(Integer, default=0)  # claims so far (a crashed worker's lease is retried)
    verified: Mapped[bool] = mapped_column(default=False)  # proven (onboarding, change) or HTTPS valid (https)
    message: Mapped[Optional[str]] = mapped_column(String(300))  # a msgid for the owner when not verified
    variables: Mapped[Optional[dict]] = mapped_column(JSON(none_as_null=True))


class VerificationCode(db.Model):
    """A single-use code sent to the owner (email, voice call, postal letter); only its digest is kept."""

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # email | landline | postal
    target: Mapped[str] = mapped_column(String(254))  # where it was sent: the address or number
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class GrayMonthlyVolume(db.Model):
    """What one payment provider reported a gray-sealed shop sold in one Jalali month (its latest figure)."""

    __tablename__ = "gray_monthly_volumes"
    __table_args__ = (UniqueConstraint("seal_id", "month", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # Jalali YYYY-MM
    provider: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(BigInteger)  # rials
    transactions: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    over_limit_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # when the owner was told
