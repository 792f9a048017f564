"""Events: one transactional outbox for every message and webhook, and the audit trail.

`emit(kind, subject, payload, actor, now=...)` in the caller's transaction; the worker
(`seal-server worker`, and `tick`) delivers email, SMS and webhooks with retries.
"""
from .actors import CLI_ACTOR, CLOCK_ACTOR, Actor  # noqa: F401
from .service import emit  # noqa: F401
