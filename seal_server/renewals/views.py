"""The owner's renewal page: which conditions hold, the commitment when it changed, the fee, pay."""
from datetime import datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from ..accounts.auth import current_account, lang_args, login_required
from ..billing import fees
from ..clock import utcnow
from ..extensions import db, limiter
from ..i18n import current_language, digits, show_date
from ..onboarding import terms
from ..responses import private
from ..seals.models import Seal
from ..seals.rules import days_left
from ..onboarding.storage import storage_from_config
from . import cancellations, rules, service

bp = Blueprint("renewals", __name__, url_prefix="/panel/seals")


def _owned_seal(public_id):
    """The seal when the signed-in account owns it; 404 otherwise (never tell whose it is)."""
    seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
    if seal is None or seal.business.owner.account_id != current_account().id:
        abort(404)
    return seal


def _shown(values):
    """Condition variables as the page shows them: dates in the reader's calendar, numbers in their digits."""
    return {key: show_date(value) if isinstance(value, datetime) else digits(value) if isinstance(value, int)
            else value for key, value in values.items()}


def _page(seal, *, error=None, status=200):
    now = utcnow()
    found = service.conditions(seal, now)
    lines = service.fee_lines()
    html = render_template(
        "renewals/renew.html", seal=seal, conditions=found, shown=_shown, pending=service.pending(seal), last=service.latest(seal),
        blockers=rules.blocking(found, except_commitment=True),
        needs_commitment=not next(c for c in found if c.name == "commitment").holds,
        terms=terms.current(), lang=current_language(), lines=lines, total=fees.total(lines), error=error,
        days_left=days_left(seal.expires_at, now), expired=seal.expires_at <= now)
    return private(html, status)


@bp.get("/<public_id>/renew")
@login_required
def renew(public_id):
    return _page(_owned_seal(public_id))


@bp.post("/<public_id>/renew")
@login_required
@limiter.limit("30 per hour")
def start(public_id):
    seal = _owned_seal(public_id)
    accepted = request.form.get("version", "") if request.form.get("accept") == "yes" else None
    try:
        renewal = service.start(seal, current_account(), accepted_version=accepted, now=utcnow())
    except service.RenewalError as error:
        db.session.rollback()
        return _page(seal, error=(error.message, _shown(error.variables)), status=409)
    return redirect(url_for("billing.invoice", number=renewal.invoice.number, **lang_args()))


def _cancel_page(seal, *, errors=None, form=None, status=200):
    html = render_template("renewals/cancel.html", seal=seal, errors=errors or {}, form=form or {},
                           waiting=cancellations.waiting_for(seal), legal=seal.business.owner.kind == "legal",
                           min_reason=cancellations.MIN_REASON)
    return private(html, status)


@bp.get("/<public_id>/cancel")
@login_required
def cancel(public_id):
    seal = _owned_seal(public_id)
    return _cancel_page(seal, form={"owner_name": seal.business.owner.display_name})


@bp.post("/<public_id>/cancel")
@login_required
@limiter.limit("10 per hour")
def request_cancellation(public_id):
    seal = _owned_seal(public_id)
    form = {"reason": request.form.get("reason", ""), "owner_name": request.form.get("owner_name", ""),
            "letterhead": request.form.get("letterhead") == "yes"}
    files = {name: request.files.get(name) for name in ("id_copy", "letter")}
    try:
        cancellations.request(
            seal, current_account(), reason=form["reason"], owner_name=form["owner_name"],
            id_copy=files["id_copy"].read() if files["id_copy"] else b"",
            letter=files["letter"].read() if files["letter"] else b"", letterhead_confirmed=form["letterhead"],
            storage=storage_from_config(current_app.config), max_bytes=current_app.config["SEAL_UPLOAD_MAX_BYTES"],
            now=utcnow())
    except cancellations.CancellationError as error:
        db.session.rollback()
        return _cancel_page(seal, errors=error.errors, form=form, status=400)
    return redirect(url_for("renewals.cancel", public_id=seal.public_id, **lang_args()))
