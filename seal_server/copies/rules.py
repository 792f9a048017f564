"""Copy detection's pure rules: which Referer hosts are counted, and how a host is written. No Flask, no database."""
import functools
import ipaddress
import re

import idna

from ..seals.rules import MEMO_REFERER, foreign_host

MAX_HOST = 253  # the longest a DNS name can be
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@functools.lru_cache(maxsize=4096)
def normalise_host(host):
    """A host as it is counted: lower case, A-labels (punycode), without a leading www.; an IP address or
    localhost as it is. None for anything that is not a host name (so nothing else ever gets stored)."""
    if not host or len(host) > MAX_HOST:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    labels = host.split(".")
    if len(host) > MAX_HOST or not all(_LABEL.match(label) for label in labels):
        return None
    if labels[0] == "www" and len(labels) > 2:
        host = host[4:]
    return host


def counted_host(referer, seal_domain, own_host):
    """The host to count for a request with this Referer, or None: only the host of a URL Referer that is
    not the seal's own site (the badge's rule) nor the authority's; never its path or query."""
    if referer and len(referer) <= MEMO_REFERER:
        return _memo_counted_host(referer, seal_domain, own_host)
    return _counted_host(referer, seal_domain, own_host)


@functools.lru_cache(maxsize=4096)
def _memo_counted_host(referer, seal_domain, own_host):
    """counted_host remembered for short Referers: it runs on every badge request from another site."""
    return _counted_host(referer, seal_domain, own_host)


def _counted_host(referer, seal_domain, own_host):
    host = foreign_host(referer, seal_domain, own_host)
    if host is None:
        return None
    host = normalise_host(host)
    return None if host is None or host == seal_domain else host


def over_threshold(count, threshold):
    return count >= threshold


def shown_host(host):
    """A counted host for people: Unicode labels where the host is an IDN, else as stored."""
    if "xn--" not in host:
        return host
    try:
        return idna.decode(host)
    except (idna.IDNAError, UnicodeError, ValueError):
        return host


OTHER_SITES = "*"  # the one row per seal that counts every host past SEAL_COPY_HOSTS_PER_SEAL (never a real host)
PRUNE_BELOW = 10  # sightings under this many (and under the report threshold) are let go once old


def hosts_kept(room, newcomers, threshold):
    """Which new hosts of one seal get rows of their own when `room` rows are left under the cap; the rest are
    counted in OTHER_SITES. `newcomers` is {host: count}. A host at or over the report threshold is always kept
    (a lead for staff is never hidden); then the most seen, then by name, so the choice never depends on order."""
    ranked = sorted(newcomers.items(), key=lambda item: (-item[1], item[0]))
    kept = {host for host, count in ranked if over_threshold(count, threshold)}
    room -= len(kept)
    for host, count in ranked:
        if room <= 0:
            break
        if host not in kept:
            kept.add(host)
            room -= 1
    return kept


def prune_below(threshold):
    """Sightings under this count may be pruned: small, and never one due for a report."""
    return min(PRUNE_BELOW, threshold)
