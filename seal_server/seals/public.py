"""The public fields of a seal, as the verification page, the API, webhooks and signed status show them.

The verification page and the API read a `PublicSeal`: a frozen copy of the seal, its
business (with the owner's public name and the licences) and its performance record,
built with one query and cached per process beside the badge's snapshot (see cache.py),
so a warm page view touches no database.
"""
import hashlib
from types import SimpleNamespace

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from . import rules, service
from .models import Business, Seal
from .record import record_for


class PublicSeal(SimpleNamespace):
    """A seal's public record: Seal's columns, `business` (its columns, `owner.display_name`,
    `licences`), `record` (the performance counts) and `version` (a digest of all of it).
    Shared between threads: never changed after it is built."""


def _columns(instance):
    return {attr.key: getattr(instance, attr.key) for attr in inspect(instance).mapper.column_attrs}


def public_seal(seal):
    """The public record of an ORM seal (its business, owner and licences loaded or loadable)."""
    business = seal.business
    public_business = SimpleNamespace(
        **_columns(business),
        owner=SimpleNamespace(display_name=business.owner.display_name),
        licences=tuple(SimpleNamespace(**_columns(licence)) for licence in business.licences),
    )
    fields = _columns(seal)
    record = record_for(seal)
    nonconformities = _open_nonconformities(seal)
    digest = hashlib.blake2b(digest_size=12)
    for part in (sorted(fields.items()), sorted(vars(public_business).items(), key=lambda kv: kv[0]),
                 [sorted(vars(licence).items()) for licence in public_business.licences], sorted(record.items()),
                 [sorted(vars(item).items()) for item in nonconformities]):
        digest.update(repr(part).encode())
    return PublicSeal(**fields, business=public_business, record=record, nonconformities=nonconformities,
                      version=digest.hexdigest())


def _open_nonconformities(seal):
    """The seal's open non-conformities as shown publicly (never staff notes), oldest first."""
    from ..conformity.service import nonconformities_of

    public = ("id", "level", "description", "deadline", "recorded_at", "status")
    return tuple(SimpleNamespace(**{key: getattr(item, key) for key in public})
                 for item in nonconformities_of(seal, open_only=True))


def load_public_seal(public_id):
    """The public record from the database (one query for seal, business and owner, one for licences)."""
    if not rules.is_public_id(public_id):
        return None
    seal = db.session.scalar(
        select(Seal).where(Seal.public_id == public_id).options(
            joinedload(Seal.business).joinedload(Business.owner),
            joinedload(Seal.business).selectinload(Business.licences),
        )
    )
    return public_seal(seal) if seal is not None else None


def seal_json(seal, now):
    """The API's fields of a seal (a PublicSeal, or an ORM Seal for webhooks and events)."""
    urls = service.urls_for(seal)
    business = seal.business
    return {
        "id": seal.public_id,
        "domain": seal.domain,
        "name_fa": business.name_fa,
        "name_en": business.name_en,
        "owner": business.owner.display_name,
        "kind": seal.kind,
        "stars": seal.stars,
        "status": rules.effective_status(seal.status, seal.expires_at, now),
        "issued_at": seal.issued_at.isoformat(),
        "expires_at": seal.expires_at.isoformat(),
        "days_left": rules.days_left(seal.expires_at, now),
        "verify_url": urls["verify_url"],
        "badge_url": urls["badge_url"],
        "record": dict(seal.record) if isinstance(seal, PublicSeal) else record_for(seal),
    }
