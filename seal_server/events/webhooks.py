"""Webhook endpoints: registration with a secret shown once, rotation, and the signed POST."""
import json
import secrets as random_secrets
from datetime import timedelta

from flask import current_app

from .. import signing
from ..audit import record_event
from ..extensions import db
from ..marks import N_
from ..onboarding.fetcher import FetchError, SafeFetcher
from .kinds import KINDS
from .models import WebhookEndpoint

ROTATION_OVERLAP = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=3)
MAX_ENDPOINTS_PER_SEAL = 5
MAX_URL = 500


class WebhookError(Exception):
    """A webhook URL or setting that cannot be used; `message` is a msgid for people."""

    def __init__(self, message, **variables):
        super().__init__(message % variables if variables else message)
        self.message, self.variables = message, variables


def subscribable_kinds():
    return sorted(kind for kind, spec in KINDS.items() if spec.webhook and kind != "webhook.test")


def fetcher(config=None):
    config = config or current_app.config
    timeout = config["SEAL_WEBHOOK_TIMEOUT"]
    return SafeFetcher(allow_loopback=config["SEAL_FETCH_ALLOW_LOOPBACK"], any_port=True,
                       connect_timeout=min(5.0, timeout), read_timeout=timeout, total_timeout=timeout + 5,
                       max_bytes=4096)


def check_url(url):
    """The URL as it will be used, or WebhookError: https in production, no private or loopback address."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL:
        raise WebhookError(N_("Enter the full address of your endpoint, such as https://shop.example/seal-hook."))
    if current_app.config["SEAL_ENV"] == "production" and not url.lower().startswith("https://"):
        raise WebhookError(N_("Webhook addresses must use https."))
    try:
        fetcher().check(url)
    except FetchError as error:
        raise WebhookError(error.message, **error.variables) from None
    return url


def _new_secret():
    return "whsec_" + random_secrets.token_urlsafe(32)


def add_endpoint(seal, url, kinds, *, now, actor):
    """Register `url` for `seal`'s events; returns (endpoint, secret). The secret is shown once."""
    url = check_url(url)
    unknown = set(kinds or ()) - set(subscribable_kinds())
    if unknown:
        raise WebhookError(N_("Unknown event kinds: %(kinds)s"), kinds=", ".join(sorted(unknown)))
    count = db.session.query(WebhookEndpoint).filter_by(seal_id=seal.id, active=True).count()
    if count >= MAX_ENDPOINTS_PER_SEAL:
        raise WebhookError(N_("A seal can have at most %(count)s webhook endpoints."), count=MAX_ENDPOINTS_PER_SEAL)
    secret = _new_secret()
    endpoint = WebhookEndpoint(seal_id=seal.id, url=url, event_kinds=sorted(kinds or []), secret=secret,
                               active=True, created_at=now)
    db.session.add(endpoint)
    db.session.flush()
    record_event(actor=actor, action="webhook.added", subject_type="seal", subject_id=seal.id, now=now,
                 after={"endpoint": endpoint.id, "url": url, "events": endpoint.event_kinds})
    return endpoint, secret


def rotate_secret(endpoint, *, now, actor):
    """A new secret; the old one still signs (as a second v1) for 24 hours."""
    secret = _new_secret()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, now + ROTATION_OVERLAP
    endpoint.secret = secret
    record_event(actor=actor, action="webhook.secret_rotated", subject_type="seal", subject_id=endpoint.seal_id,
                 now=now, after={"endpoint": endpoint.id})
    return secret


def set_active(endpoint, active, *, now, actor, reason=None):
    before = endpoint.active
    endpoint.active, endpoint.failing_since = active, None
    endpoint.disabled_reason = None if active else reason
    record_event(actor=actor, action="webhook.enabled" if active else "webhook.disabled",
                 subject_type="seal", subject_id=endpoint.seal_id, now=now,
                 before={"endpoint": endpoint.id, "active": before}, after={"endpoint": endpoint.id, "active": active},
                 reason=reason)


def body_of(event):
    """The JSON body of an event's webhook: {id, type, created_at, data}."""
    data = dict(event.payload or {})
    seal = data.pop("seal", None)
    if seal is not None:
        data = {**seal, **({"details": data} if data else {})}
    return json.dumps({"id": event.uid, "type": event.kind, "created_at": event.created_at.isoformat(),
                       "data": data}, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signing_secrets(endpoint, now):
    keep_previous = endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now
    return [endpoint.secret] + ([endpoint.previous_secret] if keep_previous else [])


def post(endpoint, event, *, now, wall_time):
    """POST the signed event; returns the HTTP status, or raises FetchError. Redirects are not followed."""
    body = body_of(event)
    headers = {"Content-Type": "application/json", "Seal-Event-Id": event.uid,
               "Seal-Signature": signing.webhook_signature(signing_secrets(endpoint, now), wall_time, body)}
    return fetcher().post(endpoint.url, body, headers).status


def send_test(endpoint, *, now, actor):
    """Queue a `webhook.test` event to this one endpoint (the panel's "send test event")."""
    from .models import Delivery, WEBHOOK
    from .service import emit

    event = emit("webhook.test", ("seal", endpoint.seal_id), {"endpoint": endpoint.id}, actor, now=now, audit=False)
    db.session.add(Delivery(event_id=event.id, channel=WEBHOOK, recipient=str(endpoint.id), endpoint_id=endpoint.id,
                            next_attempt_at=now, created_at=now))
    return event
