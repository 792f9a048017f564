"""Pure rules about seals: no Flask, no database."""
import functools
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from .models import ACTIVE, EXPIRED, REVOKED, STANDARD, SUSPENDED

PUBLIC_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: read aloud safely
PUBLIC_ID_LENGTH = 12
_PUBLIC_ID_RE = re.compile(f"^[{PUBLIC_ID_ALPHABET}]{{{PUBLIC_ID_LENGTH}}}$")

# Badge states, exactly the contract's X-Seal-State values.
VALID, FOREIGN, UNVERIFIED, INVALID = "valid", "foreign", "unverified", "invalid"
BADGE_STATES = (VALID, SUSPENDED, EXPIRED, REVOKED, FOREIGN, UNVERIFIED, INVALID)


def new_public_id():
    """A random, non-sequential public seal id (60 bits)."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def seal_code_param(values):
    """The one `code` a badge, page or API request carries; "" when there is none or more than one
    (`?code=x&code=VALID` must not read one way on the badge and another on the page)."""
    return values[0] if len(values) == 1 else ""


def is_public_id(text):
    return isinstance(text, str) and _PUBLIC_ID_RE.fullmatch(text) is not None


@dataclass(frozen=True)
class SealSnapshot:
    """What the badge and API need of a seal; cached per worker."""

    public_id: str
    domain: str
    serial: int
    kind: str
    stars: int
    status: str
    expires_at: datetime


def effective_status(status, expires_at, now):
    """The status a visitor should see: an active seal past its expiry is expired even before tick runs."""
    if status == ACTIVE and expires_at <= now:
        return EXPIRED
    return status


def referer_host(referer):
    """The host name of a Referer header, lower case; None when absent or not a URL."""
    if not referer:
        return None
    if len(referer) <= MEMO_REFERER:
        return _memo_referer_host(referer)
    return _referer_host(referer)


MEMO_REFERER = 256  # snippets send the origin only (referrerpolicy="origin"): short, and few per worker


@functools.lru_cache(maxsize=4096)
def _memo_referer_host(referer):
    """referer_host for short Referers, remembered: the badge and copy detection both ask, on every request."""
    return _referer_host(referer)


def _referer_host(referer):
    try:
        parts = urlsplit(referer.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return host.rstrip(".").lower()


def host_matches(host, domain):
    """True when `host` is the registered domain or its www. form."""
    return host == domain or host == "www." + domain


def foreign_host(referer, seal_domain, own_host=None):
    """The host a request came from when it is neither the seal's registered domain (nor its www. form)
    nor the authority's own host `own_host`; None otherwise, and for an absent Referer or one that is not a URL.
    The verification page's copied-seal warning and copy detection both ask this."""
    host = referer_host(referer)
    if host is None or host == own_host or host_matches(host, seal_domain):
        return None
    return host


def badge_state(snapshot, code_ok, referer, now):
    """The contract's badge state for one request."""
    if snapshot is None or not code_ok:
        return INVALID
    status = effective_status(snapshot.status, snapshot.expires_at, now)
    if status != ACTIVE:
        return status
    if not referer:
        return UNVERIFIED
    host = referer_host(referer)
    if host is None or not host_matches(host, snapshot.domain):
        return FOREIGN
    return VALID


def days_left(expires_at, now):
    """Whole days until expiry (0 once expired); a part day counts as a day."""
    seconds = (expires_at - now).total_seconds()
    return max(0, math.ceil(seconds / 86400))


def default_stars(kind):
    """One star on issue for a standard seal; gray and temporary seals carry none."""
    return 1 if kind == STANDARD else 0


ALLOWED_TRANSITIONS = {
    "suspend": ((ACTIVE,), SUSPENDED),
    "reinstate": ((SUSPENDED,), ACTIVE),
    "revoke": ((ACTIVE, SUSPENDED, EXPIRED), REVOKED),
    "expire": ((ACTIVE, SUSPENDED), EXPIRED),
}
