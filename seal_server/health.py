"""Liveness and readiness probes, and the answer while the database is unreachable."""
from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from .extensions import db
from .i18n import N_

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Alive: answers without touching the database."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready: the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


DATABASE_DOWN = N_("The authority cannot reach its records right now. Please try again in a minute.")


@bp.app_errorhandler(OperationalError)
def database_unreachable(error):
    """A friendly 503 (JSON under /api/) instead of a 500 while the database is down; badges and cached
    pages keep answering from memory meanwhile. The pool reconnects by itself when it is back."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass
    headers = {"Retry-After": "30", "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return jsonify(error="the authority's database cannot be reached; try again in a minute"), 503, headers
    if request.method == "POST":
        # Nothing was written (the transaction never reached the database): the visitor's answers come
        # back in a form that sends them again as they were, so nothing typed is lost.
        return render_template("error_resend.html", code=503, message=DATABASE_DOWN, action=request.full_path,
                               fields=_fields_to_resend(), files=bool(request.files)), 503, headers
    return render_template("error.html", code=503, message=DATABASE_DOWN), 503, headers


RESEND_NEVER = ("password",)  # secrets typed into a form are not written back into a page


def _fields_to_resend():
    try:
        form = request.form
    except Exception:  # noqa: BLE001 - a body we cannot read is simply not offered again
        return []
    return [(name, value) for name, values in form.lists() for value in values
            if not any(word in name.lower() for word in RESEND_NEVER)]
