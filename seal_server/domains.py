"""Domain names as people type them, made canonical. Pure functions."""
import ipaddress
import re
from urllib.parse import urlsplit

import idna

from .iran.digits import to_latin_digits
from .marks import N_

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class DomainError(ValueError):
    """The text is not a usable domain name; the message is a msgid for people."""


def normalize_domain(text, *, allow_local=False):
    """'http://Shop.IR:8080/path' -> 'shop.ir'; IDN to punycode; refuse IPs and bare names."""
    raw = to_latin_digits(text or "").strip()
    if not raw:
        raise DomainError(N_("Enter a domain name."))
    if "://" not in raw:
        raw = "http://" + raw
    try:
        host = urlsplit(raw).hostname
    except ValueError:
        host = None
    if not host:
        raise DomainError(N_("This is not a domain name."))
    host = host.rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        if allow_local:
            return host
        raise DomainError(N_("Enter a domain name, not an IP address."))
    try:
        host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise DomainError(N_("This is not a domain name.")) from None
    labels = host.split(".")
    if not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise DomainError(N_("This is not a domain name."))
    if labels[0] == "www" and len(labels) > 2:
        host, labels = host[4:], labels[1:]  # the seal covers the domain and its www. form alike
    if len(labels) < 2 and not (allow_local and host == "localhost"):
        raise DomainError(N_("Enter the full domain name, such as shop.ir."))
    if not allow_local and (host == "localhost" or host.endswith(".localhost")):
        raise DomainError(N_("Enter a public domain name."))
    return host
