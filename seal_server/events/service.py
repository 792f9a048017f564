"""emit(): an event, its audit row and its deliveries, all in the caller's transaction.

Nothing is sent here. The worker (`deliver_due`) claims due deliveries and sends them,
so a crash between a state change and its messages loses nothing, and a message is
never sent for a change that was rolled back.
"""
import uuid

from sqlalchemy import select

from .. import audit as audit_log
from ..extensions import db
from . import rules
from .actors import Actor
from .kinds import KINDS
from .models import Delivery, Event, WebhookEndpoint


class UnknownEventKind(ValueError):
    pass


emitted = 0  # events emitted by this process so far; lets a test client wake the worker only when needed


def _subject(subject):
    """(type, id, object) from a model instance or a (type, id) pair."""
    if isinstance(subject, tuple):
        return subject[0], subject[1], None
    if subject.id is None:
        db.session.flush()
    return getattr(subject, "audit_type", subject.__tablename__.removesuffix("s")), subject.id, subject


def _owner_contacts(subject_type, obj):
    """(email, mobile) of whoever owns the subject, when the subject has an owner."""
    if obj is None:
        return None, None
    if subject_type == "seal":
        business = obj.business
        owner = business.owner if business else None
        mobile = (owner.account.mobile if owner and owner.account else None) or (owner.mobile if owner else None)
        return business.email if business else None, mobile
    if subject_type == "application":
        account = db.session.get(_account_model(), obj.account_id)
        return obj.email_verified or obj.email, account.mobile if account else None
    if subject_type == "invoice":
        if obj.account_id is None:
            return None, None  # a buyer's arbitration fee: the arbitration's own events tell the two sides
        account = db.session.get(_account_model(), obj.account_id)
        email = None
        if obj.application_id:
            from ..onboarding.models import Application

            application = db.session.get(Application, obj.application_id)
            email = application.email_verified if application else None
        return email, account.mobile if account else None
    return None, None


def _account_model():
    from ..accounts.models import Account

    return Account


def _seal_endpoints(subject_type, subject_id):
    if subject_type != "seal":
        return []
    rows = db.session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.event_kinds)
        .where(WebhookEndpoint.seal_id == subject_id, WebhookEndpoint.active.is_(True))).all()
    return [(row.id, row.event_kinds or []) for row in rows]


def _drop_public_record_after_commit(subject_type, obj):
    """A change to a seal or to something on its public record (a complaint, a non-conformity) drops the
    seal's cached public record once the change commits, in this process and (through Redis) the others."""
    seal = obj if subject_type == "seal" else getattr(obj, "seal", None)
    public_id = getattr(seal, "public_id", None)
    if not public_id:
        return
    from sqlalchemy import event as orm_event

    from ..seals import cache

    orm_event.listen(db.session(), "after_commit", lambda session: cache.invalidate(public_id), once=True)


def seal_data(seal, now):
    """The API's public fields of a seal: the `data` of every seal.* webhook."""
    from ..seals.public import seal_json

    return seal_json(seal, now)


def emit(kind, subject, payload=None, actor=None, *, now, before=None, after=None, reason=None,
         to=None, secrets=None, dedupe_key=None, audit=True, lang="fa"):
    """Record that `kind` happened to `subject`; returns the Event, or None when `dedupe_key` was already used.

    Adds the event, an audit row (unless `audit=False`, for messages that change nothing) and
    one delivery per recipient to the current transaction; the caller commits. `to` is
    {channel: address} for messages to an address rather than to the subject's owner;
    `secrets` (one-time codes) are kept only until the messages are delivered.
    """
    if kind not in KINDS:
        raise UnknownEventKind(f"unknown event kind {kind!r}; add it to events/kinds.py")
    actor = Actor.parse(actor or "system")
    subject_type, subject_id, obj = _subject(subject)
    data = dict(payload or {})
    if subject_type == "seal" and obj is not None and "seal" not in data:
        data["seal"] = seal_data(obj, now)
    event = Event(uid=str(uuid.uuid4()), kind=kind, subject_type=subject_type, subject_id=subject_id,
                  payload=data, secrets=secrets or None, actor_kind=actor.kind, actor_id=actor.id,
                  created_at=now, dedupe_key=dedupe_key)
    if dedupe_key is not None and db.session.scalar(select(Event.id).where(Event.dedupe_key == dedupe_key)):
        return None  # already emitted; a concurrent twin fails on the unique key at flush instead
    db.session.add(event)
    db.session.flush()
    global emitted
    emitted += 1
    if audit:
        audit_log.record_event(actor=actor, action=kind, subject_type=subject_type, subject_id=subject_id, now=now,
                     before=before, after=after, reason=reason)
    _drop_public_record_after_commit(subject_type, obj)
    email, mobile = _owner_contacts(subject_type, obj)
    for channel, recipient, endpoint_id in rules.recipients(
            kind, owner_email=email, owner_mobile=mobile,
            endpoints=_seal_endpoints(subject_type, subject_id), to=to):
        db.session.add(Delivery(event_id=event.id, channel=channel, recipient=recipient, lang=lang,
                                endpoint_id=endpoint_id, next_attempt_at=now, created_at=now))
    db.session.flush()
    return event
