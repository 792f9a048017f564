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
from . import service as renewals
from .models import HELD, WAITING, Cancellation, Renewal

bp = console_blueprint(Blueprint("seal_life_staff", __name__, url_prefix="/staff/cancellations"))
held_bp = console_blueprint(Blueprint("held_renewals", __name__, url_prefix="/staff/renewals"))


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


# --- renewals held for a reviewer -----------------------------------------------------------------

@held_bp.get("")
@staff_required("seal.view")
def held():
    return render_template("renewals/staff_held.html", staff=current_staff(), held=renewals.held(),
                           decided=renewals.recently_decided())


def _renewal(renewal_id):
    renewal = db.session.get(Renewal, renewal_id)
    if renewal is None:
        abort(404)
    return renewal


def _held_page(renewal, errors=None, status=200):
    period = renewals.held_period(renewal) if renewal.status == HELD else None
    return render_template("renewals/staff_renewal.html", staff=current_staff(), renewal=renewal, period=period,
                           errors=errors or {}), status


@held_bp.get("/<int:renewal_id>")
@staff_required("seal.view")
def held_one(renewal_id):
    return _held_page(_renewal(renewal_id))


@held_bp.post("/<int:renewal_id>")
@staff_required("seal.view")
def decide_held(renewal_id):
    renewal = _renewal(renewal_id)
    action = request.form.get("action", "")
    if action not in ("renew", "refuse"):
        abort(400)
    staff = current_staff()
    policy.require(staff, "renewal.decide", renewal.seal.business)
    now = clock.utcnow()
    try:
        staff_service.confirm_fresh(current_session(), request.form.get("code"), now)
        if action == "renew":
            renewals.approve_held(renewal, staff, now=now)
        else:
            renewals.refuse_held(renewal, staff, note=request.form.get("note"), now=now)
    except staff_service.StaffError as error:
        db.session.rollback()
        return _held_page(renewal, {error.field: (error.message, error.variables)}, 400)
    except renewals.RenewalError as error:
        db.session.rollback()
        return _held_page(_renewal(renewal_id), {error.field: (error.message, error.variables)},
                          409 if error.field == "_form" else 400)
    return redirect(url_for("held_renewals.held_one", renewal_id=renewal.id, **lang_args()))
