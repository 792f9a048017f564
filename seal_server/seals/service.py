"""The seal lifecycle: the one way to change a seal's state.

Every change is a compare-and-set (`UPDATE ... WHERE status = :expected`) plus
an audit row in the same transaction, so two reviewers clicking at once give one
transition and one audit row, on SQLite and PostgreSQL alike.
"""
from datetime import timedelta

from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select, update

from .. import signing
from ..audit import record_event
from ..events import emit
from ..extensions import db
from . import cache, rules
from .badge import DEFAULT_SIZE, SIZES
from .models import ACTIVE, EXPIRED, KINDS, SUSPENDED, TEMPORARY, Seal, SealHold


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


# Why a seal is suspended: a set of holds; the seal is active only when none remain.
HOLD_STAFF, HOLD_COMPLAINTS, HOLD_SECOND_YEAR = "staff", "complaints", "second-year"
HOLDS = (HOLD_STAFF, HOLD_COMPLAINTS, HOLD_SECOND_YEAR)


def holds_of(seal):
    """The set of reasons `seal` is held for."""
    return set(db.session.scalars(select(SealHold.reason).where(SealHold.seal_id == seal.id)))


def _locked(public_id):
    """The seal, its row locked until commit so hold changes of one seal happen one at a time."""
    seal = get_seal(public_id)
    # a no-op write, not SELECT ... FOR UPDATE: SQLite ignores that, but a write takes its one writer lock
    db.session.execute(update(Seal).where(Seal.id == seal.id).values(serial=Seal.serial)
                       .execution_options(synchronize_session=False))
    db.session.refresh(seal)
    return seal


def _swap_status(seal, expected, target, reason, now, action):
    result = db.session.execute(
        update(Seal).where(Seal.id == seal.id, Seal.status == expected)
        .values(status=target, status_reason=reason, updated_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise InvalidTransition(f"the seal changed while trying to {action} it; nothing was done")
    db.session.refresh(seal)


def add_hold(public_id, hold, *, now, actor, note=None):
    """Hold a live seal for `hold`; an active seal becomes suspended. False (nothing done) when already held so."""
    if hold not in HOLDS:
        raise SealError(f"unknown hold {hold!r}; expected one of {', '.join(HOLDS)}")
    seal = _locked(public_id)
    if seal.status not in LIVE_STATUSES:
        db.session.rollback()
        raise InvalidTransition(f"cannot hold a seal that is {seal.status}")
    if hold in holds_of(seal):
        db.session.rollback()
        return False
    db.session.add(SealHold(seal_id=seal.id, reason=hold, note=note, added_at=now))
    reason = note or hold
    if seal.status == ACTIVE:
        _swap_status(seal, ACTIVE, SUSPENDED, reason, now, "suspend")
        emit("seal.suspended", seal, {"reason": reason, "hold": hold}, actor, now=now,
             before={"status": ACTIVE}, after={"status": SUSPENDED}, reason=reason)
    else:
        record_event(actor=actor, action="seal.hold_added", subject_type="seal", subject_id=seal.id,
                     now=now, after={"hold": hold}, reason=reason)
    db.session.commit()
    cache.invalidate(public_id)
    return True


def lift_hold(public_id, hold, *, now, actor, reason=None):
    """Lift one hold; the seal is reinstated only when no other hold remains. False when it was not held so.

    A suspended seal with no hold at all (suspended by `change_status` directly) counts as held by staff.
    """
    seal = _locked(public_id)
    held = holds_of(seal)
    legacy = seal.status == SUSPENDED and not held and hold == HOLD_STAFF
    if hold not in held and not legacy:
        db.session.rollback()
        return False
    db.session.execute(delete(SealHold).where(SealHold.seal_id == seal.id, SealHold.reason == hold))
    remaining = held - {hold}
    if seal.status == SUSPENDED and not remaining:
        _swap_status(seal, SUSPENDED, ACTIVE, reason, now, "reinstate")
        emit("seal.reinstated", seal, {"reason": reason, "hold": hold} if reason else {"hold": hold}, actor,
             now=now, before={"status": SUSPENDED}, after={"status": ACTIVE}, reason=reason)
    else:
        record_event(actor=actor, action="seal.hold_lifted", subject_type="seal", subject_id=seal.id,
                     now=now, before={"hold": hold}, after={"holds": sorted(remaining)}, reason=reason)
    db.session.commit()
    cache.invalidate(public_id)
    return True


def suspend(public_id, *, now, actor, reason):
    """Staff's suspension: the staff hold (other holds may already suspend the seal)."""
    status = get_seal(public_id).status
    if status not in LIVE_STATUSES:
        raise InvalidTransition(f"cannot suspend a seal that is {status}")
    if not add_hold(public_id, HOLD_STAFF, now=now, actor=actor, note=reason):
        raise InvalidTransition("the seal is already suspended by staff")
    return get_seal(public_id)


def reinstate(public_id, *, now, actor, reason=None):
    """Lift staff's hold; the seal stays suspended while another hold (complaints, unpaid fee) remains."""
    status = get_seal(public_id).status
    if status != SUSPENDED:
        raise InvalidTransition(f"cannot reinstate a seal that is {status}")
    if not lift_hold(public_id, HOLD_STAFF, now=now, actor=actor, reason=reason):
        raise InvalidTransition("the seal is not suspended by staff; its other holds lift themselves")
    return get_seal(public_id)


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


def example_seal(now):
    """The oldest active, unexpired seal (its id and code are public on its shop), or None."""
    return db.session.scalar(select(Seal).where(Seal.status == ACTIVE, Seal.expires_at > now)
                             .order_by(Seal.id).limit(1))


def _invalidate_after_commit(public_id):
    """Drop the cached snapshot now and again once the caller's transaction commits."""
    from sqlalchemy import event

    cache.invalidate(public_id)
    event.listen(db.session(), "after_commit", lambda session: cache.invalidate(public_id), once=True)


def renew_seal(public_id, *, expected_expires_at, new_expires_at, now, actor, payload=None):
    """Extend a seal's validity by compare-and-set on its expiry; an expired seal becomes active again.

    Same public id, domain and serial, so every pasted code keeps verifying. Runs in the
    caller's transaction (a paid invoice's listener) and does not commit; the cache is
    dropped after the commit.
    """
    seal = get_seal(public_id)
    if seal.status not in (ACTIVE, EXPIRED):
        raise InvalidTransition(f"cannot renew a seal that is {seal.status}")
    if new_expires_at <= expected_expires_at or new_expires_at <= now:
        raise SealError("a renewal must end after the current expiry and after now")
    current = seal.status
    # an expired seal that was held when it lapsed stays held: renewal never lifts a hold
    target = SUSPENDED if holds_of(seal) else ACTIVE
    result = db.session.execute(
        update(Seal)
        .where(Seal.id == seal.id, Seal.status == current, Seal.expires_at == expected_expires_at)
        .values(status=target, **({"status_reason": None} if target == ACTIVE else {}),
                expires_at=new_expires_at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition("the seal changed while renewing it; nothing was done")
    db.session.refresh(seal)
    emit("seal.renewed", seal, {"expires_at": new_expires_at.isoformat(),
                                "previous_expires_at": expected_expires_at.isoformat(), **(payload or {})},
         actor, now=now, before={"status": current, "expires_at": expected_expires_at.isoformat()},
         after={"status": target, "expires_at": new_expires_at.isoformat()})
    _invalidate_after_commit(public_id)
    return seal


def change_kind(public_id, *, kind, stars, now, actor, reason=None):
    """Change a live seal's kind and stars (gray to one star, more stars, ...) by compare-and-set.

    The id, domain and serial stay, so pasted codes keep verifying; `seal.stars_changed`
    tells the owner and the webhooks. Commits.
    """
    if kind not in KINDS:
        raise SealError(f"unknown seal kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not 0 <= stars <= 5 or (kind != "standard" and stars):
        raise SealError("only a standard seal carries stars, from 1 to 5")
    seal = get_seal(public_id)
    if seal.status not in LIVE_STATUSES:
        raise InvalidTransition(f"cannot change the kind of a seal that is {seal.status}")
    before = {"kind": seal.kind, "stars": seal.stars}
    if before == {"kind": kind, "stars": stars}:
        raise InvalidTransition("the seal already has this kind and these stars")
    result = db.session.execute(
        update(Seal)
        .where(Seal.id == seal.id, Seal.kind == seal.kind, Seal.stars == seal.stars, Seal.status.in_(LIVE_STATUSES))
        .values(kind=kind, stars=stars, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise InvalidTransition("the seal changed while changing its kind; nothing was done")
    db.session.refresh(seal)
    emit("seal.stars_changed", seal, {"before": before, "after": {"kind": kind, "stars": stars},
                                      **({"reason": reason} if reason else {})},
         actor, now=now, before=before, after={"kind": kind, "stars": stars}, reason=reason)
    db.session.commit()
    cache.invalidate(public_id)
    return seal


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


def change_domain(public_id, *, expected_domain, new_domain, now, actor, payload=None):
    """Move a live seal to `new_domain` with a new serial, by compare-and-set on its domain and serial.

    Every code made for the old domain (or serial) stops verifying: the badge answers
    `invalid` for it. The business's registered domain follows. `seal.domain_changed` carries
    the new code and snippet to the owner and the webhooks. Commits.
    """
    seal = get_seal(public_id)
    if seal.status not in LIVE_STATUSES:
        raise InvalidTransition(f"cannot change the domain of a seal that is {seal.status}")
    if seal.domain != expected_domain:
        raise InvalidTransition("the seal's domain changed meanwhile; nothing was done")
    if new_domain == expected_domain:
        raise SealError("the seal already has this domain")
    taken = live_seal_for_domain(new_domain)
    if taken is not None:
        raise SealError(f"{new_domain} already holds a live seal")
    serial = seal.serial
    result = db.session.execute(
        update(Seal)
        .where(Seal.id == seal.id, Seal.domain == expected_domain, Seal.serial == serial,
               Seal.status.in_(LIVE_STATUSES))
        .values(domain=new_domain, serial=serial + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise InvalidTransition("the seal changed while changing its domain; nothing was done")
    db.session.refresh(seal)
    seal.business.domain = new_domain
    urls = urls_for(seal)
    emit("seal.domain_changed", seal, {"old_domain": expected_domain, "new_domain": new_domain,
                                       "code": urls["code"], "snippet": str(snippet(seal)),
                                       **(payload or {})},
         actor, now=now, before={"domain": expected_domain, "serial": serial},
         after={"domain": new_domain, "serial": serial + 1})
    db.session.commit()
    cache.invalidate(public_id)
    return seal
