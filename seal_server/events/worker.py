"""The worker: claims due deliveries, sends them, retries failures with backoff, each delivery once.

Claiming is a compare-and-set (`UPDATE ... WHERE status = 'pending'`), preceded on
PostgreSQL by `SELECT ... FOR UPDATE SKIP LOCKED` so several workers take different
rows. A claimed delivery carries a lease: a worker killed between sending and marking
leaves it leased, and after the lease the next worker sends it again (at most that one;
the event id in every message lets receivers de-duplicate).
"""
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..notify import email as email_backends
from ..notify import sms as sms_backends
from ..notify.models import EMAIL as OUTBOX_EMAIL
from ..notify.models import SENT as OUTBOX_SENT
from ..notify.models import SMS as OUTBOX_SMS
from ..notify.models import OutboxMessage
from ..notify.service import kept_text
from ..notify.sms import DeliveryError
from ..onboarding.fetcher import FetchError
from . import messages, rules, webhooks
from .actors import Actor
from .kinds import KINDS
from .models import DEAD, EMAIL, PENDING, SENDING, SENT, SMS, VOICE, WEBHOOK, Delivery

LEASE = timedelta(minutes=5)
BATCH = 50


def _due(now):
    return or_(and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now),
               and_(Delivery.status == SENDING, Delivery.lease_until <= now))


def claim(now, limit=BATCH):
    """Ids of up to `limit` due deliveries, now leased to this worker."""
    session = db.session
    candidates = select(Delivery.id).where(_due(now)).order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = session.scalars(candidates).all()
    if not ids:
        session.commit()
        return []
    # compare-and-set on the whole batch: a row another worker took meanwhile is no longer due
    claimed = session.scalars(
        update(Delivery).where(Delivery.id.in_(ids), _due(now))
        .values(status=SENDING, lease_until=now + LEASE).returning(Delivery.id)
        .execution_options(synchronize_session=False)).all()
    session.commit()
    return sorted(claimed)


class _Failure(Exception):
    def __init__(self, message, status=None, final=False):
        super().__init__(message)
        self.status, self.final = status, final


def _send_email(delivery, event, config, now, backends):
    subject, text, html = messages.email(event, delivery.lang)
    backend = backends.email
    provider_id = backend.send(delivery.recipient, subject, text, html=html, headers={"Seal-Event-Id": event.uid})
    _log_outbox(OUTBOX_EMAIL, delivery.recipient, subject, text, backend.name, now, provider_id)
    return provider_id


def _send_sms(delivery, event, config, now, backends):
    text = messages.sms(event, delivery.lang)
    backend = backends.sms
    provider_id = backend.send(delivery.recipient, text)
    _log_outbox(OUTBOX_SMS, delivery.recipient, "", text, backend.name, now, provider_id)
    return provider_id


def _place_call(delivery, event, config, now):
    from ..integrations import voice

    try:
        return voice.backend_from_config(config).call(delivery.recipient, messages.sms(event, "fa"), now=now)
    except voice.VoiceCallError as error:
        raise _Failure(f"the call could not be placed: {error}") from None


def _log_outbox(channel, recipient, subject, body, backend_name, now, provider_id):
    """The operators' log of what went out (the full text only from the offline backends; codes never)."""
    db.session.add(OutboxMessage(channel=channel, recipient=recipient, subject=subject[:200],
                                 body=kept_text(body, backend_name), backend=backend_name, status=OUTBOX_SENT,
                                 provider_id=provider_id, created_at=now))


def _send_webhook(delivery, event, now):
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.active:
        raise _Failure("the endpoint is disabled")
    try:
        status = webhooks.post(endpoint, event, now=now, wall_time=time.time())
    except FetchError as error:
        raise _Failure(error.detail or error.message) from None
    if not 200 <= status < 300:
        raise _Failure(f"the endpoint answered HTTP {status}", status)
    endpoint.failing_since = None
    return None, status


class Backends:
    """The email and SMS backends of one batch: an SMTP connection is kept across the batch."""

    def __init__(self, config):
        self.email = email_backends.backend_from_config(config)
        self.email.keep_open = True
        self.sms = sms_backends.backend_from_config(config)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.email.close()


def deliver(delivery_id, now, backends=None):
    """Send one claimed delivery and record the outcome; returns its new status."""
    if backends is None:
        with Backends(current_app.config) as fresh:
            return deliver(delivery_id, now, fresh)
    delivery = db.session.get(Delivery, delivery_id, options=[joinedload(Delivery.event),
                                                              joinedload(Delivery.endpoint)])
    if delivery is None or delivery.status != SENDING:
        return None
    event = delivery.event
    config = current_app.config
    ttl = KINDS[event.kind].ttl if event.kind in KINDS else None
    try:
        if ttl is not None and now - event.created_at > ttl:
            raise _Failure("expired before it could be sent", final=True)
        if delivery.channel == EMAIL:
            delivery.provider_id = _send_email(delivery, event, config, now, backends)
        elif delivery.channel == SMS:
            delivery.provider_id = _send_sms(delivery, event, config, now, backends)
        elif delivery.channel == VOICE:
            delivery.provider_id = _place_call(delivery, event, config, now)
        elif delivery.channel == WEBHOOK:
            delivery.provider_id, delivery.response_status = _send_webhook(delivery, event, now)
        else:
            raise _Failure(f"unknown channel {delivery.channel}")
    except (DeliveryError, _Failure) as error:
        db.session.rollback()  # nothing half-logged
        delivery = db.session.get(Delivery, delivery_id)
        _failed(delivery, str(error), getattr(error, "status", None), now, final=getattr(error, "final", False))
    else:
        delivery.status, delivery.sent_at, delivery.lease_until = SENT, now, None
        delivery.attempts += 1
        delivery.last_error = None
    db.session.flush()
    _forget_secrets(delivery.event)
    status = delivery.status
    db.session.commit()
    return status


def _failed(delivery, error, status, now, final=False):
    delivery.attempts += 1
    delivery.last_error, delivery.response_status, delivery.lease_until = error[:500], status, None
    if final or rules.is_dead(delivery.attempts, current_app.config["SEAL_DELIVERY_MAX_ATTEMPTS"]):
        delivery.status = DEAD
    else:
        delivery.status, delivery.next_attempt_at = PENDING, now + rules.retry_delay(delivery.attempts)
    current_app.logger.warning("delivery %s (%s to %s) failed: %s", delivery.id, delivery.channel,
                               delivery.recipient, error)
    if delivery.channel == WEBHOOK and delivery.endpoint is not None:
        _note_webhook_failure(delivery.endpoint, delivery.event, now)


def _note_webhook_failure(endpoint, event, now):
    from ..seals.models import Seal
    from .service import emit

    endpoint.failing_since = endpoint.failing_since or now
    if endpoint.active and now - endpoint.failing_since >= webhooks.DISABLE_AFTER:
        webhooks.set_active(endpoint, False, now=now, actor=Actor.system("outbox"),
                            reason="failed for three days")
        seal = db.session.get(Seal, endpoint.seal_id)
        emit("webhook.disabled", seal, {"url": endpoint.url, "endpoint": endpoint.id}, Actor.system("outbox"),
             now=now, audit=False)


def _forget_secrets(event):
    if event.secrets and not db.session.scalar(select(exists().where(
            Delivery.event_id == event.id, Delivery.status.in_((PENDING, SENDING))))):
        event.secrets = None


def deliver_due(now, limit=None):
    """Claim and send everything due at `now`; returns {sent, failed, dead} counts. Safe to run concurrently."""
    counts = {SENT: 0, PENDING: 0, DEAD: 0}
    while True:
        batch = claim(now, BATCH if limit is None else min(BATCH, limit - sum(counts.values())))
        if not batch:
            break
        with Backends(current_app.config) as backends:
            for delivery_id in batch:
                status = deliver(delivery_id, now, backends)
                if status in counts:
                    counts[status] += 1
        if limit is not None and sum(counts.values()) >= limit:
            break
    return {"sent": counts[SENT], "retrying": counts[PENDING], "dead": counts[DEAD]}


def run(clock, *, once=False, poll=1.0, stop=None):
    """The worker loop: deliver what is due and start queued domain checks, then wait `poll` seconds
    (one-time codes arrive within seconds). Checks run on SEAL_PROOF_CHECKS_RUNNING threads beside the
    loop, so a slow site never delays a message; `once` runs them in line."""
    from ..onboarding import checks

    if once:
        done = deliver_due(clock())
        done["checks"] = checks.run_due(clock())
        return done
    runner = checks.Runner(current_app._get_current_object(), current_app.config["SEAL_PROOF_CHECKS_RUNNING"])
    try:
        while True:
            started = runner.fill(clock())
            done = deliver_due(clock())
            if stop is not None and stop.is_set():
                return done
            if not any(done.values()) and not started:
                if stop is not None:
                    stop.wait(poll)
                else:
                    time.sleep(poll)
    finally:
        runner.close()
