"""Payment providers (PSPs) and the merchants each one serves."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coltypes import UTCDateTime
from ..extensions import db


class PaymentProvider(db.Model):
    """A payment provider with an API token; only the token's digest is kept."""

    __tablename__ = "payment_providers"
    audit_type = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)  # also the `provider` of its gray volume reports
    contact: Mapped[str] = mapped_column(String(200), default="")
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    disabled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    merchants: Mapped[list["ProviderMerchant"]] = relationship(back_populates="provider",
                                                                order_by="ProviderMerchant.id")


class ProviderMerchant(db.Model):
    """A provider serves this seal's shop: it may report the seal's volumes and read its status.

    A binding the seal's owner disputed ("this provider does not serve my shop") stays on record with
    `disputed_at` and `disputed_by`: it serves nothing, its reports stop counting, and the provider cannot
    bind the seal again until staff clear the dispute (which deletes the row).
    """

    __tablename__ = "provider_merchants"
    __table_args__ = (UniqueConstraint("provider_id", "seal_id"),)
    audit_type = "provider_merchant"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("payment_providers.id"), index=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disputed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    disputed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("accounts.id"))  # the owner's account

    provider: Mapped[PaymentProvider] = relationship(back_populates="merchants")
    seal = relationship("Seal")
