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
from ..seals.models import Seal
from ..seals.rules import days_left
from . import rules, service

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
    response = current_app.make_response((html, status))
    response.headers["Cache-Control"] = "no-store"
    return response


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
