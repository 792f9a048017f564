"""Pure rules of the outbox: who receives an event, and when a failed delivery is tried again."""
import random
from datetime import timedelta

from .kinds import KINDS
from .models import EMAIL, SMS, WEBHOOK

MAX_ATTEMPTS = 24  # with the 6-hour cap, about three days of trying
BASE_DELAY = 30  # seconds; doubles each attempt
MAX_DELAY = 6 * 3600


def recipients(kind, *, owner_email=None, owner_mobile=None, endpoints=(), to=None):
    """[(channel, recipient, endpoint_id)] for an event: the owner's channels, the seal's webhooks, explicit `to`.

    `endpoints` are (id, event_kinds) of the seal's active webhook endpoints; `to` is {channel: address}.
    """
    spec = KINDS[kind]
    out = []
    contact = {EMAIL: owner_email, SMS: owner_mobile}
    for channel in spec.owner_channels:
        if contact[channel]:
            out.append((channel, contact[channel], None))
    for channel, address in (to or {}).items():
        if address and (channel, address, None) not in out:
            out.append((channel, address, None))
    if spec.webhook:
        for endpoint_id, kinds in endpoints:
            if not kinds or kind in kinds:
                out.append((WEBHOOK, str(endpoint_id), endpoint_id))
    return out


def retry_delay(attempts, rand=random.random):
    """Exponential backoff with full jitter: a delay in [d/2, d], d = 30 s x 2^(attempts-1), capped."""
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=delay / 2 + rand() * delay / 2)


def is_dead(attempts, max_attempts=MAX_ATTEMPTS):
    return attempts >= max_attempts
