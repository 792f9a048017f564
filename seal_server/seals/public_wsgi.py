"""Verification pages and API answers served from memory, before Flask's request machinery.

A page or API answer is a function of the seal's public record, the query string
(code and language), the visitor's Referer (the copied-seal warning), today's status
and days left, and the release (templates and translations). `answer_key` digests
exactly these; it is the answer's ETag. The first request for a key goes through
Flask, which renders it; this middleware keeps the finished answer (after every
after_request hook) under its key and serves it, or a 304, to the next requests
for the same key. A changed record has a new version and so new keys: nothing
stale is served, and old answers age out.
"""
import functools
import hashlib
import re
import threading
from pathlib import Path
from urllib.parse import parse_qsl

from cachetools import TTLCache
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_etags

from .. import signing
from ..clock import utcnow
from . import cache, rules

ROUTES = {"verify": re.compile(r"^/verify/([^/]{1,64})$"), "api": re.compile(r"^/api/v1/seals/([^/]{1,64})$"),
          "registry": re.compile(r"^/registry$")}
# The registry's pages list many seals, so no one change can name the answers it affects: they are kept
# REGISTRY_SECONDS and may be that much behind (a seal's own page and badge never are).
REGISTRY_SECONDS = 10
REGISTRY_CACHE_CONTROL = f"public, max-age={REGISTRY_SECONDS}, stale-while-revalidate=30, stale-if-error=3600"
MAX_QUERY_STRING = 4096
# Shared caches may keep a public answer 30 s, serve it stale while they refetch, and for a
# day while the authority cannot answer (a stale "valid" beats no answer at all for a visitor).
CACHE_CONTROL = "public, max-age=30, stale-while-revalidate=30, stale-if-error=86400"


@functools.cache
def release():
    """A digest of the templates and translations, so a deploy that changes a page changes its ETags."""
    digest = hashlib.blake2b(digest_size=8)
    root = Path(__file__).resolve().parent.parent
    for path in sorted([*root.glob("templates/**/*.html"), *root.glob("translations/**/*.po")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def came_from(seal_domain, referer, base_url):
    """The foreign host the visitor came from, when it is neither the seal's domain nor ours."""
    return rules.foreign_host(referer, seal_domain, rules.referer_host(base_url))


def answer_key(route, seal, query_string, referer, now, base_url, scheme="http"):
    """The ETag of the `route` answer ("verify" or "api") for this request; pure."""
    status = rules.effective_status(seal.status, seal.expires_at, now)
    parts = [release(), base_url, scheme, route, seal.version, status, rules.days_left(seal.expires_at, now)]
    if route == "verify":  # the API does not depend on the query beyond the code, nor on the Referer
        parts += [query_string, came_from(seal.domain, referer, base_url)]
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def registry_key(query_string, base_url, now, scheme="http"):
    """The ETag of a registry page: a function of the query string, for one REGISTRY_SECONDS slice of time."""
    parts = [release(), base_url, scheme, "registry", query_string, int(now.timestamp()) // REGISTRY_SECONDS]
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


class AnswerCache:
    """Finished answers by key: (status line, headers, body)."""

    def __init__(self, ttl, maxsize=20_000):
        self._entries = TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._entries.get(key)

    def put(self, key, answer):
        with self._lock:
            self._entries[key] = answer


class PublicAnswerMiddleware:
    """Answers GET/HEAD /verify/{id} and /api/v1/seals/{id} from memory when it can; else Flask does."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.answers = AnswerCache(ttl=app.config["SEAL_BADGE_CACHE_SECONDS"])
        self.registry_answers = AnswerCache(ttl=REGISTRY_SECONDS, maxsize=5_000)

    def _record(self, public_id):
        """The cached public record; None (Flask answers) for an unknown seal or when the database fails."""
        found = self.app.extensions["seal_public_records"].peek(public_id)
        if found is not cache.MISSING:
            return found
        with self.app.app_context():
            try:
                return cache.public_record(public_id)
            except SQLAlchemyError:
                return None  # Flask asks again and answers with its friendly 503 (health.py)

    def _key(self, environ):
        """(answer cache, key), or (None, None) when Flask must answer (not ours, unknown seal, wrong code)."""
        nothing = (None, None)
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            return nothing
        path = environ.get("PATH_INFO", "")
        for route, pattern in ROUTES.items():
            match = pattern.match(path)
            if match is not None:
                break
        else:
            return nothing
        query = environ.get("QUERY_STRING", "")
        if len(query) > MAX_QUERY_STRING:
            return nothing
        # the scheme is part of every key: an answer over https carries HSTS, one over http must not
        base, scheme = self.app.config["SEAL_BASE_URL"], environ.get("wsgi.url_scheme", "http")
        if route == "registry":
            return self.registry_answers, registry_key(query.encode("latin-1"), base, utcnow(), scheme)
        public_id = match.group(1)
        if not rules.is_public_id(public_id):
            return nothing
        codes = [value for key, value in parse_qsl(query.encode("latin-1").decode("utf-8", "replace"),
                                                   keep_blank_values=True) if key == "code"]
        seal = self._record(public_id)
        if seal is None or not signing.verify_seal_code(rules.seal_code_param(codes), seal.public_id, seal.domain,
                                                        seal.serial, self.app.config["SEAL_SECRET_KEYS"]):
            return nothing
        now, referer = utcnow(), environ.get("HTTP_REFERER")
        if referer:  # copy detection: a visitor (or a script) that came from another site
            self.app.extensions["seal_copies"].note(seal.public_id, seal.domain, referer, now)
        return self.answers, answer_key(route, seal, query.encode("latin-1"), referer, now, base, scheme)

    def __call__(self, environ, start_response):
        answers, key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        found = answers.get(key)
        if found is not None:
            status, headers, body = found
            if_none_match = environ.get("HTTP_IF_NONE_MATCH")
            if if_none_match and parse_etags(if_none_match).contains(key):
                start_response("304 Not Modified", [(k, v) for k, v in headers if k != "Content-Length"])
                return [b""]
            start_response(status, headers)
            return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        if environ["REQUEST_METHOD"] != "GET" or environ.get("HTTP_IF_NONE_MATCH"):
            return self.wsgi_app(environ, start_response)
        return self._remember(answers, key, environ, start_response)

    def _remember(self, answers, key, environ, start_response):
        """Let Flask answer, and keep a 200 carrying this key as its ETag and setting no cookie."""
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        names = {name.lower(): value for name, value in seen.get("headers", ())}
        if seen.get("status", "").startswith("200") and names.get("etag") == f'"{key}"' \
                and "set-cookie" not in names:
            answers.put(key, (seen["status"], seen["headers"], body))
        return [body]
