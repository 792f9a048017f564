"""Serves the embeddable badge script from widget/ at /widget.js and at a versioned URL."""
import functools
import hashlib
from pathlib import Path

from flask import Blueprint, abort, current_app

bp = Blueprint("widget", __name__)

WIDGET_FILE = Path(__file__).resolve().parent.parent / "widget" / "widget.js"


@functools.cache
def _load(path):
    body = Path(path).read_bytes()
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
    return response


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
