"""The staff console's page for cancellation requests: see the documents, confirm (revoke) or send back."""
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import clock
from ..accounts.auth import lang_args
from ..extensions import db
from ..onboarding.storage import storage_from_config
from ..staff import policy
from ..staff import service as staff_service
from ..staff.auth import console_blueprint, current_session, current_staff, staff_required
from . import cancellations
from .models import WAITING, Cancellation

bp = console_blueprint(Blueprint("seal_life_staff", __name__, url_prefix="/staff/cancellations"))


def _row(cancellation_id):
    row = db.session.get(Cancellation, cancellation_id)
    if row is None:
        abort(404)
    return row


@bp.get("")
@staff_required("seal.view")
def index():
    waiting = db.session.scalars(select(Cancellation).where(Cancellation.status == WAITING)
                                 .order_by(Cancellation.id)).all()
    decided = db.session.scalars(select(Cancellation).where(Cancellation.status != WAITING)
                                 .order_by(Cancellation.id.desc()).limit(50)).all()
    return render_template("renewals/staff_cancellations.html", staff=current_staff(), waiting=waiting,
                           decided=decided)


def _page(row, errors=None, status=200):
    return render_template("renewals/staff_cancellation.html", staff=current_staff(), row=row,
                           errors=errors or {}), status


@bp.get("/<int:cancellation_id>")
@staff_required("seal.view")
def show(cancellation_id):
    return _page(_row(cancellation_id))


@bp.get("/<int:cancellation_id>/<which>")
@staff_required("seal.view")
def document(cancellation_id, which):
    """A document of the request, inert: downloaded, sandboxed, never rendered in our origin."""
    row = _row(cancellation_id)
    if which not in ("id_copy", "letter"):
        abort(404)
    key, content_type = getattr(row, f"{which}_key"), getattr(row, f"{which}_type")
    response = make_response(storage_from_config(current_app.config).read(key))
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="cancellation-{row.id}-{which}.{key[-3:]}"'
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:cancellation_id>")
@staff_required("seal.view")
def decide(cancellation_id):
    row = _row(cancellation_id)
    action = request.form.get("action", "")
    if action not in ("confirm", "reject"):
        abort(400)
    staff = current_staff()
    policy.require(staff, "cancellation.decide", row.seal.business)
    now = clock.utcnow()
    try:
        staff_service.confirm_fresh(current_session(), request.form.get("code"), now)
        if action == "confirm":
            cancellations.confirm(row, staff, now=now)
        else:
            cancellations.reject(row, staff, note=request.form.get("note"), now=now)
    except staff_service.StaffError as error:
        db.session.rollback()
        return _page(row, {error.field: (error.message, error.variables)}, 400)
    except cancellations.CancellationError as error:
        db.session.rollback()
        return _page(_row(cancellation_id), error.errors, 409 if "_form" in error.errors else 400)
    return redirect(url_for("seal_life_staff.show", cancellation_id=row.id, **lang_args()))
