"""The seal lifecycle: the one way to change a seal's state.

Every change is a compare-and-set (`UPDATE ... WHERE status = :expected`) plus
an audit row in the same transaction, so two reviewers clicking at once give one
transition and one audit row, on SQLite and PostgreSQL alike.
"""
from datetime import timedelta

from flask import current_app
from markupsafe import Markup
from sqlalchemy import func, select, update

from .. import signing
from ..events import emit
from ..extensions import db
from . import cache, rules
from .badge import DEFAULT_SIZE, SIZES
from .models import ACTIVE, KINDS, SUSPENDED, TEMPORARY, Business, Seal


class SealError(Exception):
    """A seal operation that cannot be done; the message is for people."""


class SealNotFound(SealError):
    pass


class InvalidTransition(SealError):
    pass


LIVE_STATUSES = (ACTIVE, SUSPENDED)
EVENT_OF_ACTION = {"suspend": "seal.suspended", "reinstate": "seal.reinstated", "revoke": "seal.revoked",
                   "expire": "seal.expired"}


def _snapshot_dict(seal):
    return {"status": seal.status, "stars": seal.stars, "kind": seal.kind, "serial": seal.serial}


def get_seal(public_id):
    """The seal with this public id, or SealNotFound."""
    if not rules.is_public_id(public_id):
        raise SealNotFound(f"no seal with id {public_id!r}")
    seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
    if seal is None:
        raise SealNotFound(f"no seal with id {public_id!r}")
    return seal


def live_seal_for_domain(domain):
    return db.session.scalar(
        select(Seal).where(Seal.domain == domain, Seal.status.in_(LIVE_STATUSES))
    )


def issue_seal(business, *, now, actor, kind="standard", stars=None, days=None):
    """Issue a new seal for `business` on its registered domain."""
    if kind not in KINDS:
        raise SealError(f"unknown seal kind {kind!r}; expected one of {', '.join(KINDS)}")
    stars = rules.default_stars(kind) if stars is None else stars
    if not 0 <= stars <= 5:
        raise SealError("stars must be between 0 and 5")
    if days is None:
        key = "SEAL_TEMPORARY_DAYS" if kind == TEMPORARY else "SEAL_VALIDITY_DAYS"
        days = current_app.config[key]
    if days < 1:
        raise SealError("validity must be at least one day")
    if live_seal_for_domain(business.domain) is not None:
        raise SealError(f"{business.domain} already holds a live seal")
    public_id = rules.new_public_id()
    while db.session.scalar(select(func.count()).where(Seal.public_id == public_id)):
        public_id = rules.new_public_id()
    seal = Seal(
        public_id=public_id, business=business, domain=business.domain, kind=kind,
        stars=stars, status=ACTIVE, serial=1, issued_at=now,
        expires_at=now + timedelta(days=days), updated_at=now,
    )
    db.session.add(seal)
    db.session.flush()
    emit("seal.issued", seal, actor=actor, now=now, after=_snapshot_dict(seal))
    db.session.commit()
    cache.invalidate(public_id)
    return seal


def change_status(public_id, action, *, now, actor, reason=None):
    """Apply a lifecycle action (suspend, reinstate, revoke, expire) by compare-and-set."""
    allowed_from, target = rules.ALLOWED_TRANSITIONS[action]
    seal = get_seal(public_id)
    current = seal.status
    if current not in allowed_from:
        raise InvalidTransition(f"cannot {action} a seal that is {current}")
    result = db.session.execute(
        update(Seal)
        .where(Seal.id == seal.id, Seal.status == current)
        .values(status=target, status_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise InvalidTransition(f"the seal changed while trying to {action} it; nothing was done")
    db.session.refresh(seal)
    emit(EVENT_OF_ACTION[action], seal, {"reason": reason} if reason else None, actor, now=now,
         before={"status": current}, after={"status": target}, reason=reason)
    db.session.commit()
    cache.invalidate(public_id)
    return seal


def suspend(public_id, *, now, actor, reason):
    return change_status(public_id, "suspend", now=now, actor=actor, reason=reason)


def reinstate(public_id, *, now, actor, reason=None):
    return change_status(public_id, "reinstate", now=now, actor=actor, reason=reason)


def revoke(public_id, *, now, actor, reason):
    return change_status(public_id, "revoke", now=now, actor=actor, reason=reason)


def expire_due(now, actor="clock"):
    """Expire every live seal whose validity has ended; returns the ids expired. Idempotent."""
    due = db.session.scalars(
        select(Seal.public_id).where(Seal.status.in_(LIVE_STATUSES), Seal.expires_at <= now)
    ).all()
    expired = []
    for public_id in due:
        try:
            change_status(public_id, "expire", now=now, actor=actor)
        except InvalidTransition:
            continue  # another tick got there first
        expired.append(public_id)
    return expired


def code_for(seal):
    return signing.seal_code(seal.public_id, seal.domain, seal.serial)


def urls_for(seal, base_url=None):
    base = base_url or current_app.config["SEAL_BASE_URL"]
    code = code_for(seal)
    return {
        "code": code,
        "verify_url": f"{base}/verify/{seal.public_id}?code={code}",
        "badge_url": f"{base}/badge/{seal.public_id}.svg?code={code}",
    }


SNIPPET_ALT = {"fa": "نماد اعتماد الکترونیکی", "en": "Electronic trust seal"}


def snippet(seal, lang="fa"):
    """The HTML a shop owner pastes; it works without JavaScript."""
    urls = urls_for(seal)
    width, height = SIZES[DEFAULT_SIZE]
    return Markup(
        '<a referrerpolicy="origin" target="_blank" rel="noopener" href="{verify}">'
        '<img referrerpolicy="origin" src="{badge}" alt="{alt}" width="{w}" height="{h}"></a>'
    ).format(verify=urls["verify_url"], badge=urls["badge_url"], alt=SNIPPET_ALT[lang], w=width, h=height)


def search_active(query, page, *, now, per_page=20):
    """Active, unexpired seals whose domain or business name contains `query`, newest first."""
    stmt = select(Seal).join(Business).where(Seal.status == ACTIVE, Seal.expires_at > now)
    query = (query or "").strip().lower()
    if query:
        stmt = stmt.where(
            func.lower(Seal.domain).contains(query, autoescape=True)
            | func.lower(Business.name_fa).contains(query, autoescape=True)
            | func.lower(Business.name_en).contains(query, autoescape=True)
        )
    stmt = stmt.order_by(Seal.issued_at.desc(), Seal.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)



def set_stars(public_id, stars, *, expected, now, actor, reason=None):
    """Give a live seal `stars` when it still has `expected` (compare-and-set), emit seal.stars_changed.

    Rating decisions and the withdrawal of a star whose ground is lost both come through here;
    a seal whose stars changed meanwhile is left alone (InvalidTransition).
    """
    if not 0 <= stars <= 5:
        raise SealError("stars must be between 0 and 5")
    seal = get_seal(public_id)
    if seal.status not in LIVE_STATUSES:
        raise InvalidTransition(f"cannot change the stars of a seal that is {seal.status}")
    if stars == expected:
        return seal
    result = db.session.execute(
        update(Seal)
        .where(Seal.id == seal.id, Seal.stars == expected, Seal.status.in_(LIVE_STATUSES))
        .values(stars=stars, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise InvalidTransition("the seal's stars changed meanwhile; nothing was done")
    db.session.refresh(seal)
    emit("seal.stars_changed", seal, {"reason": reason} if reason else None, actor, now=now,
         before={"stars": expected}, after={"stars": stars}, reason=reason)
    db.session.commit()
    cache.invalidate(public_id)
    return seal
