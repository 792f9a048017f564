"""Send an SMS or email now, and keep it in the outbox either way."""
import re

from flask import current_app

from ..extensions import db
from . import email as email_backends
from . import sms as sms_backends
from .models import EMAIL, FAILED, SENT, SMS, OutboxMessage
from .sms import DeliveryError


_SECRET_DIGITS = re.compile(r"[0-9۰-۹٠-٩]{4,}")


def kept_text(body, backend_name):
    """What the outbox keeps: the full text only when nothing was really sent; codes are never kept."""
    if backend_name == "outbox":
        return body
    return _SECRET_DIGITS.sub("••••", body)


def _deliver(channel, recipient, subject, body, backend, send, *, now):
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject,
                            body=kept_text(body, backend.name), backend=backend.name, created_at=now,
                            status=SENT)
    try:
        message.provider_id = send()
    except DeliveryError as error:
        message.status, message.error = FAILED, str(error)[:500]
        current_app.logger.warning("%s through %s failed: %s", channel, backend.name, error)
        db.session.add(message)
        db.session.commit()
        raise
    db.session.add(message)
    db.session.commit()
    return message


def send_sms(mobile, text, *, now):
    """Send an SMS through the configured backend; DeliveryError when the provider fails."""
    backend = sms_backends.backend_from_config(current_app.config)
    return _deliver(SMS, mobile, "", text, backend, lambda: backend.send(mobile, text), now=now)


def send_email(to, subject, body, *, now):
    """Send an email through the configured backend; DeliveryError when the server fails."""
    backend = email_backends.backend_from_config(current_app.config)
    return _deliver(EMAIL, to, subject, body, backend, lambda: backend.send(to, subject, body), now=now)
