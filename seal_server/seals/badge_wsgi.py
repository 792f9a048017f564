"""The badge route, served before Flask's request machinery.

Every page view of every sealed shop asks for a badge, so this path skips what
the badge never uses (sessions, CSRF, rate limits, request hooks) and, on a warm
snapshot cache, touches no database. It keeps Flask's app context for cache misses.
"""
import re
from urllib.parse import parse_qsl

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_etags

from .. import signing
from ..clock import utcnow
from ..i18n import pick_language
from . import badge as badges
from . import cache, rules

PATH = re.compile(r"^/badge/([^/]{1,64})\.svg$")
MAX_QUERY_STRING = 4096

CACHE_CONTROL = "public, max-age=30, s-maxage=30, stale-while-revalidate=30, stale-if-error=86400"
FIXED_HEADERS = [
    ("Content-Type", "image/svg+xml; charset=utf-8"),
    ("Cache-Control", CACHE_CONTROL),
    ("Vary", "Referer"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cross-Origin-Resource-Policy", "cross-origin"),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "X-Seal-State"),
]
STATUS_LINES = {200: "200 OK", 304: "304 Not Modified", 404: "404 Not Found", 414: "414 URI Too Long"}


def _first(args, name, default):
    values = args.get(name)
    return values[0] if values else default


def badge_answer(public_id, args, referer, if_none_match, snapshot, now, keys):
    """(status, headers, body) for one badge request; pure apart from the render cache.

    `args` maps each query key to its list of values, in order (as Werkzeug's MultiDict does).
    """
    code = rules.seal_code_param(args.get("code", []))
    code_ok = snapshot is not None and signing.verify_seal_code(
        code, snapshot.public_id, snapshot.domain, snapshot.serial, keys)
    state = rules.badge_state(snapshot, code_ok, referer, now)
    size = _first(args, "size", badges.DEFAULT_SIZE)
    rendered = badges.render(
        state, snapshot.kind if code_ok else "", snapshot.stars if code_ok else 0,
        pick_language(_first(args, "lang", None)), size if size in badges.SIZES else badges.DEFAULT_SIZE,
    )
    headers = FIXED_HEADERS + [("ETag", f'"{rendered.etag}"'), ("X-Seal-State", state)]
    if state == rules.INVALID:
        return 404, headers, rendered.body
    if if_none_match and parse_etags(if_none_match).contains(rendered.etag):
        return 304, headers, b""
    return 200, headers, rendered.body


class BadgeMiddleware:
    """Answers GET/HEAD /badge/{id}.svg; everything else goes on to the Flask app."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def _snapshot(self, public_id):
        if not rules.is_public_id(public_id):
            return None
        entries = self.app.extensions["seal_snapshots"]
        found = entries.peek(public_id)
        if found is not cache.MISSING:
            return found
        with self.app.app_context():
            return cache.snapshot(public_id)  # SQLAlchemyError when the database is down: see __call__

    def __call__(self, environ, start_response):
        match = PATH.match(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD")
        if match is None or method not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        query = environ.get("QUERY_STRING", "")
        if len(query) > MAX_QUERY_STRING:
            body = b"The address is too long."
            start_response(STATUS_LINES[414], [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        # WSGI hands the query string over as latin-1; decode the bytes as UTF-8 like Werkzeug does
        args = {}
        for key, value in parse_qsl(query.encode("latin-1").decode("utf-8", "replace"), keep_blank_values=True):
            args.setdefault(key, []).append(value)
        try:
            snapshot = self._snapshot(match.group(1))
        except SQLAlchemyError:  # a seal this worker never saw, and the database is unreachable
            body = b"The authority cannot reach its records right now."
            start_response("503 Service Unavailable", [
                ("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("Retry-After", "30"),
                ("Cache-Control", "no-store")])
            return [body]
        now, referer = utcnow(), environ.get("HTTP_REFERER")
        status, headers, body = badge_answer(
            match.group(1).encode("latin-1").decode("utf-8", "replace"), args,
            referer, environ.get("HTTP_IF_NONE_MATCH"), snapshot, now, self.app.config["SEAL_SECRET_KEYS"],
        )
        if status != 404 and referer:  # a real seal with its code: count it when another site shows it
            self.app.extensions["seal_copies"].note(snapshot.public_id, snapshot.domain, referer, now)
        headers.append(("Content-Length", str(len(body))))
        start_response(STATUS_LINES[status], headers)
        return [b""] if method == "HEAD" else [body]
