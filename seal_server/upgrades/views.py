"""The owner's page for turning a gray or temporary seal into a one-star seal."""
from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from sqlalchemy import select

from ..accounts.auth import current_account, lang_args, login_required
from ..clock import utcnow
from ..extensions import db, limiter
from ..responses import private
from ..seals.models import Seal
from . import service

bp = Blueprint("upgrades", __name__, url_prefix="/panel/seals")


def _owned_seal(public_id):
    seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
    if seal is None or seal.business.owner.account_id != current_account().id:
        abort(404)
    return seal


def _page(seal, *, error=None, status=200):
    html = render_template("upgrades/upgrade.html", seal=seal, refused=service.upgradable(seal),
                           open=service.open_for(seal), steps=service.STEPS.get(seal.kind, ()),
                           paid=service.paid_for(seal), due=service.due(seal),
                           full=current_app.config["SEAL_FEES"].standard_two_years, error=error)
    return private(html, status)


@bp.get("/<public_id>/upgrade")
@login_required
def upgrade(public_id):
    return _page(_owned_seal(public_id))


@bp.post("/<public_id>/upgrade")
@login_required
@limiter.limit("20 per hour")
def start(public_id):
    seal = _owned_seal(public_id)
    try:
        application = service.start(seal, current_account(), now=utcnow())
    except service.UpgradeError as error:
        db.session.rollback()
        return _page(seal, error=(error.message, error.variables), status=409)
    return redirect(url_for("onboarding.application", application_id=application.id, **lang_args()))
