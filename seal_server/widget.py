"""Serves the embeddable badge script from widget/ at /widget.js and at a versioned URL."""
import functools
import hashlib
from pathlib import Path

from flask import Blueprint, abort, current_app, request

bp = Blueprint("widget", __name__)

WIDGET_FILE = Path(__file__).resolve().parent.parent / "widget" / "widget.js"


def served_source(source):
    """The script as sent: indentation and whole-line `//` comments dropped; widget.js keeps them."""
    # Line based on purpose: widget.js has no multi-line strings, so this cannot cut into one.
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


@functools.cache
def _load(path):
    body = served_source(Path(path).read_text(encoding="utf-8")).encode("utf-8")
    return body, hashlib.sha256(body).hexdigest()[:12]


def widget_script():
    """(bytes, version) of the widget script; the version is a hash of its content."""
    return _load(current_app.config.get("SEAL_WIDGET_FILE") or WIDGET_FILE)


def _script_response(body, etag, cache_control):
    response = current_app.response_class(body, mimetype="text/javascript")
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


@bp.get("/widget.js")
def latest():
    body, version = widget_script()
    return _script_response(body, version, "public, max-age=300, stale-while-revalidate=86400")


@bp.get("/widget/<version>.js")
def versioned(version):
    body, current = widget_script()
    if version != current:
        abort(404)
    return _script_response(body, current, "public, max-age=31536000, immutable")
