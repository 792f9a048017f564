"""Events, their deliveries (the outbox) and webhook endpoints."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db

EMAIL, SMS, VOICE, WEBHOOK = "email", "sms", "voice", "webhook"
CHANNELS = (EMAIL, SMS, VOICE, WEBHOOK)
PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"


class Event(db.Model):
    """Something that happened, written in the transaction that made it happen."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)  # the public event id receivers de-duplicate by
    kind: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # what messages need but must not outlive their delivery (one-time codes); cleared once delivered
    secrets: Mapped[Optional[dict]] = mapped_column(JSON(none_as_null=True))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[Optional[str]] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # an event that must happen once (a reminder for one seal, period and day) carries a unique key
    dedupe_key: Mapped[Optional[str]] = mapped_column(String(200), unique=True)

    deliveries = relationship("Delivery", back_populates="event", order_by="Delivery.id")


class Delivery(db.Model):
    """One message of one event to one recipient on one channel; sent once, retried until it is."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("event_id", "channel", "recipient", name="uq_delivery_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(300))  # email address, mobile, or webhook endpoint id
    lang: Mapped[str] = mapped_column(String(5), default="fa")
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lease_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    response_status: Mapped[Optional[int]] = mapped_column(Integer)
    provider_id: Mapped[Optional[str]] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    endpoint_id: Mapped[Optional[int]] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)

    event = relationship("Event", back_populates="deliveries")
    endpoint = relationship("WebhookEndpoint")


class WebhookEndpoint(db.Model):
    """A URL that receives a seal's events, signed with a secret shown once."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    event_kinds: Mapped[list] = mapped_column(JSON, default=list)  # empty: every kind
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[Optional[str]] = mapped_column(String(100))
    previous_secret_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failing_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    seal = relationship("Seal")
