"""Proof of domain ownership: what each method looks for, given what the fetcher or DNS returned."""
import secrets
from html.parser import HTMLParser
from urllib.parse import urlsplit

import dns.exception
import dns.resolver

from ..marks import N_
from .fetcher import FetchError

EMAIL, FILE, META, TITLE, DNS = "email", "file", "meta", "title", "dns"
METHODS = (
    (FILE, N_("A file on the site")),
    (META, N_("A meta tag in the home page")),
    (TITLE, N_("A code in the home page title")),
    (DNS, N_("A DNS TXT record")),
    (EMAIL, N_("A code sent by email")),
)
EMAIL_MAILBOXES = ("admin", "administrator", "hostmaster", "postmaster", "webmaster")
DNS_LABEL = "_seal-verification"
META_NAME = "seal-verification"


class ProofFailed(Exception):
    """The proof was not found; `message` is a msgid for the owner, `variables` fill it."""

    def __init__(self, message, **variables):
        super().__init__(message)
        self.message, self.variables = message, variables


def new_token():
    return "seal-" + secrets.token_hex(16)


def file_paths(token):
    """The well-known path first, then the legacy root-file form."""
    return (f"/.well-known/seal-verification/{token}.txt", f"/{token}.txt")


def check_file_body(body, token):
    """The body must be the token alone (one trailing newline is forgiven: editors add it)."""
    text = body.decode("utf-8", "replace")
    if text in (token, token + "\n", token + "\r\n"):
        return
    if text.strip() == token:
        raise ProofFailed(N_("The file holds the code with extra spaces or blank lines; it must hold only the code."))
    if token in text:
        raise ProofFailed(N_("The file holds other text besides the code; it must hold only the code."))
    raise ProofFailed(N_("The file was found but it does not hold the code."))


class _HeadParser(HTMLParser):
    """Collects <meta name=...> and <title> from the document head, stopping at <body>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.metas, self.title, self._in_title, self.in_body = [], None, False, False

    def handle_starttag(self, tag, attrs):
        if self.in_body:
            return
        if tag == "body":
            self.in_body = True
        elif tag == "meta":
            values = {name.lower(): (value or "") for name, value in attrs}
            self.metas.append(values)
        elif tag == "title" and self.title is None:
            self._in_title, self.title = True, ""

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title and not self.in_body:
            self.title += data


def _head(html):
    parser = _HeadParser()
    parser.feed(html)
    parser.close()
    return parser


def check_meta(html, token):
    contents = [meta.get("content", "") for meta in _head(html).metas if meta.get("name", "").lower() == META_NAME]
    if token in contents:
        return
    if any(content.strip() == token for content in contents):
        raise ProofFailed(N_("The meta tag's content has spaces around the code; it must be the code alone."))
    if contents:
        raise ProofFailed(N_("The home page has a seal-verification meta tag, but with another code."))
    raise ProofFailed(N_("The home page's head has no seal-verification meta tag."))


def check_title(html, token):
    title = _head(html).title
    if title is None:
        raise ProofFailed(N_("The home page has no title."))
    if token not in title:
        raise ProofFailed(N_("The home page title does not contain the code."))


def check_txt(records, token, name):
    """`records` are the TXT strings found at `name` (_seal-verification.{domain})."""
    if token in records:
        return
    if any(record.strip() == token for record in records):
        raise ProofFailed(N_("The TXT record holds the code with extra spaces; it must be the code alone."))
    raise ProofFailed(N_("The TXT record at %(name)s does not hold the code."), name=name)


def txt_records(domain, *, nameservers=None, port=53, timeout=5.0):
    """The TXT strings at _seal-verification.{domain}; ProofFailed when there are none."""
    resolver = dns.resolver.Resolver(configure=not nameservers)
    if nameservers:
        resolver.nameservers = list(nameservers)
        resolver.port = port
    resolver.lifetime = resolver.timeout = timeout
    name = f"{DNS_LABEL}.{domain}"
    try:
        answer = resolver.resolve(name, "TXT")
    except dns.resolver.NXDOMAIN:
        raise ProofFailed(N_("There is no DNS record named %(name)s yet."), name=name) from None
    except dns.resolver.NoAnswer:
        raise ProofFailed(N_("%(name)s has no TXT record yet."), name=name) from None
    except (dns.exception.Timeout, dns.resolver.NoNameservers):
        raise ProofFailed(N_("The domain's DNS servers did not answer; try again later.")) from None
    except dns.exception.DNSException:  # e.g. a name too long for DNS
        raise ProofFailed(N_("There is no DNS record named %(name)s yet."), name=name) from None
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def fetch_page(fetcher, domain, path="/"):
    """`path` on the domain over https, or http when https cannot be reached; it must end on the domain."""
    try:
        result = fetcher.get(f"https://{domain}{path}")
    except FetchError as error:
        if error.message not in (N_("We could not connect to the site."),
                                 N_("The site's HTTPS certificate could not be verified.")):
            raise
        result = fetcher.get(f"http://{domain}{path}")
    # A redirect to a marketplace or parking page proves nothing about this domain.
    host = (urlsplit(result.url).hostname or "").rstrip(".").lower()
    if host not in (domain, "www." + domain):
        raise ProofFailed(N_("The site sent us on to %(host)s; the proof must be served by %(domain)s itself."),
                          host=host, domain=domain)
    return result
