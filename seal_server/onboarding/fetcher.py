"""A fetcher for addresses an applicant chooses, safe against server-side request forgery.

It resolves the name itself, refuses any address that is not globally routable,
connects to the very address it checked (so a second DNS answer cannot swap in
a private one), re-checks every redirect, follows at most five, speaks http and
https on ports 80 and 443 only, and stops reading after 256 KB.
"""
import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..marks import N_

MAX_BYTES = 256 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "SealAuthority-DomainCheck/1.0"
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """The address was refused or could not be read; `message` is a msgid, `detail` is for logs."""

    def __init__(self, message, detail="", **variables):
        super().__init__(detail or message)
        self.message, self.detail, self.variables = message, detail, variables


@dataclass
class FetchResult:
    url: str
    status: int
    body: bytes
    truncated: bool
    headers: dict = field(default_factory=dict)

    def text(self):
        charset = "utf-8"
        content_type = self.headers.get("content-type", "")
        if "charset=" in content_type:
            charset = content_type.split("charset=")[-1].split(";")[0].strip() or "utf-8"
        try:
            return self.body.decode(charset, "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")


def system_resolver(host):
    """Every address the host's name resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def parse_host_table(text):
    """'name=address,*.suffix=address,*=address' -> ((pattern, address), ...); ValueError when malformed."""
    table = []
    for entry in (text or "").split(","):
        if not entry.strip():
            continue
        pattern, sep, address = (part.strip().lower() for part in entry.partition("="))
        if not sep or not pattern or not address:
            raise ValueError(f"expected name=address, got {entry.strip()!r}")
        ipaddress.ip_address(address)  # ValueError when not an address
        table.append((pattern, address))
    return tuple(table)


def table_resolver(table, fallback=None):
    """A resolver that answers names in `table` (first match wins: exact, *.suffix, *) and asks `fallback` otherwise."""
    fallback = fallback or system_resolver

    def resolve(host):
        name = host.rstrip(".").lower()
        for pattern, address in table:
            if pattern == name or pattern == "*" or (pattern.startswith("*.") and name.endswith(pattern[1:])):
                return [address]
        return fallback(host)
    return resolve


def refusal(address, *, allow_loopback=False):
    """None when `address` may be fetched from; otherwise why not (a msgid)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return N_("The domain resolves to something that is not an address.")
    if ip.version == 6:
        if ip.sixtofour is not None or ip.teredo is not None:
            return N_("The domain resolves to a tunnelled IPv6 address, which we do not fetch from.")
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
            if ip.is_loopback:
                return N_("The domain resolves to a private or reserved address, which we do not fetch from.")
        elif ip in NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if allow_loopback and ip.is_loopback:
        return None
    # fec0::/10 (deprecated site-local) is neither private nor reserved to Python, yet routes inside sites
    site_local = ip.version == 6 and ip.is_site_local
    if (not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified
            or ip.is_link_local or ip.is_loopback or ip.is_private or site_local):
        return N_("The domain resolves to a private or reserved address, which we do not fetch from.")
    return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Sends Host: the name, but connects to the address already checked."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _remaining(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(N_("The site did not answer in time."), "total time exceeded")
    return left


def _cut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


@functools.cache
def _default_ssl_context():
    """Loading the system's CA store costs about 25 ms: do it once per process."""
    return ssl.create_default_context()


class SafeFetcher:
    def __init__(self, *, resolver=None, allow_loopback=False, ports=None, connect_timeout=5.0,
                 read_timeout=5.0, total_timeout=15.0, max_bytes=MAX_BYTES, max_redirects=MAX_REDIRECTS,
                 ssl_context=None, any_port=False):
        self.resolver = resolver or system_resolver
        self.allow_loopback = allow_loopback
        self.ports = ports or {"http": 80, "https": 443}
        self.any_port = any_port  # webhooks may listen on any port; domain proofs use 80 and 443 only
        self.connect_timeout, self.read_timeout, self.total_timeout = connect_timeout, read_timeout, total_timeout
        self.max_bytes, self.max_redirects = max_bytes, max_redirects
        self.ssl_context = ssl_context or _default_ssl_context()

    def _target(self, url):
        try:
            parts = urlsplit(url)
        except ValueError:  # "http://[abc/": an owner can type it
            raise FetchError(N_("This address has no host name."), url) from None
        scheme = parts.scheme.lower()
        if scheme not in self.ports:
            raise FetchError(N_("Only http and https addresses are fetched."), f"scheme {scheme!r} in {url}")
        if parts.username is not None or parts.password is not None:
            raise FetchError(N_("Addresses with a user name or password are not fetched."), url)
        try:
            port = parts.port
        except ValueError:
            raise FetchError(N_("This address has an invalid port."), url) from None
        if port is not None and port != self.ports[scheme] and not self.any_port:
            raise FetchError(N_("Only the standard ports (80 for http, 443 for https) are fetched."), url)
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise FetchError(N_("This address has no host name."), url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return scheme, host, port if self.any_port and port else self.ports[scheme], path

    def _addresses(self, host):
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            addresses = self.resolver(host)
        else:
            addresses = [str(literal)]
        if not addresses:
            raise FetchError(N_("The domain does not resolve to any address."), host)
        for address in addresses:
            reason = refusal(address, allow_loopback=self.allow_loopback)
            if reason:
                raise FetchError(reason, f"{host} -> {address}")
        return addresses

    def _connect(self, scheme, host, port, addresses, deadline):
        last = None
        for address in addresses:
            timeout = min(self.connect_timeout, _remaining(deadline))
            if scheme == "https":
                conn = _PinnedHTTPSConnection(host, port, address, timeout, self.ssl_context)
            else:
                conn = _PinnedHTTPConnection(host, port, address, timeout)
            try:
                conn.connect()
            except (OSError, ssl.SSLError) as error:
                conn.close()
                last = error
                continue
            conn.sock.settimeout(self.read_timeout)
            return conn
        if isinstance(last, ssl.SSLError):
            raise FetchError(N_("The site's HTTPS certificate could not be verified."), f"{host}: {last}")
        if isinstance(last, socket.timeout):
            raise FetchError(N_("The site did not answer in time."), f"{host}: connect timeout")
        raise FetchError(N_("We could not connect to the site."), f"{host}: {last}")

    def get(self, url):
        """Fetch `url`, following at most five re-checked redirects; FetchError when refused or failed."""
        return self._request("GET", url, None, {"Accept": "text/html, text/plain;q=0.9, */*;q=0.1"},
                             self.max_redirects)

    def post(self, url, body, headers):
        """POST `body` once; a redirect is answered as it is, never followed."""
        return self._request("POST", url, body, headers, 0)

    def peer_certificate(self, url):
        """The verified certificate (`getpeercert()`) an https address presents; FetchError when the chain or
        name does not verify. Used by the HTTPS star check; nothing is requested."""
        scheme, host, port, _ = self._target(url)
        if scheme != "https":
            raise FetchError(N_("Only https addresses have a certificate."), url)
        conn = self._connect(scheme, host, port, self._addresses(host), time.monotonic() + self.total_timeout)
        try:
            return conn.sock.getpeercert()
        finally:
            conn.close()

    def check(self, url):
        """FetchError when `url` would be refused (scheme, port, address); resolves but does not connect."""
        scheme, host, port, path = self._target(url)
        self._addresses(host)

    def _request(self, method, url, body, headers, max_redirects):
        deadline = time.monotonic() + self.total_timeout
        for hop in range(max_redirects + 1):
            scheme, host, port, path = self._target(url)
            addresses = self._addresses(host)
            conn = self._connect(scheme, host, port, addresses, deadline)
            # A server trickling its headers a byte at a time never trips the read timeout;
            # the watchdog cuts the connection when the whole fetch runs out of time.
            watchdog = threading.Timer(_remaining(deadline), _cut, args=(conn.sock,))
            watchdog.daemon = True
            watchdog.start()
            try:
                conn.putrequest(method, path, skip_accept_encoding=True)
                conn.putheader("User-Agent", USER_AGENT)
                for name, value in headers.items():
                    conn.putheader(name, value)
                conn.putheader("Accept-Encoding", "identity")
                conn.putheader("Connection", "close")
                if body is not None:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                response = conn.getresponse()
                answer_headers = {name.lower(): value for name, value in response.getheaders()}
                if response.status in (301, 302, 303, 307, 308) and answer_headers.get("location") \
                        and max_redirects:
                    response.close()
                    url = urljoin(url, answer_headers["location"])
                    continue
                try:
                    answer, truncated = self._read(response, deadline)
                finally:
                    response.close()
                return FetchResult(url=url, status=response.status, body=answer, truncated=truncated,
                                   headers=answer_headers)
            except socket.timeout:
                raise FetchError(N_("The site did not answer in time."), f"{url}: read timeout") from None
            except (OSError, http.client.HTTPException) as error:
                if time.monotonic() >= deadline:
                    raise FetchError(N_("The site did not answer in time."), "total time exceeded") from None
                raise FetchError(N_("The site's answer could not be read."), f"{url}: {error!r}") from None
            finally:
                watchdog.cancel()
                conn.close()
        raise FetchError(N_("The site redirected more than %(count)s times."), url, count=max_redirects)

    def _read(self, response, deadline):
        if response.getheader("Content-Encoding", "identity").lower() not in ("identity", ""):
            raise FetchError(N_("The site sent a compressed answer although we asked for a plain one."))
        chunks, size = [], 0
        while size <= self.max_bytes:
            if time.monotonic() > deadline:
                raise FetchError(N_("The site did not answer in time."), "total time exceeded")
            chunk = response.read1(min(65536, self.max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)
        truncated = len(body) > self.max_bytes
        return body[:self.max_bytes], truncated
