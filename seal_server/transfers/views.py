"""The owner's pages of a transfer: the seller names the new owner; the named person accepts; either cancels."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from ..accounts.auth import current_account, lang_args, login_required
from ..clock import utcnow
from ..extensions import db, limiter
from ..marks import N_
from ..onboarding.storage import storage_from_config
from ..responses import private
from ..seals.models import Seal
from . import service
from .models import Transfer

bp = Blueprint("transfers", __name__, url_prefix="/panel")

STATUS_TITLES = {"offered": N_("Waiting for the new owner"), "accepted": N_("The new owner's application is open"),
                 "approved": N_("Approved: the seal moved to the new owner"), "cancelled": N_("Cancelled")}
ENDED_BY = {"seller": N_("by the owner"), "buyer": N_("by the new owner"), "staff": N_("by the authority")}


@bp.app_context_processor
def titles():
    return {"TRANSFER_STATUS": STATUS_TITLES, "TRANSFER_ENDED_BY": ENDED_BY, "masked": service.masked,
            "transfers_of": service.of_account, "transfer_history": service.history}


def _owned_seal(public_id):
    seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
    if seal is None or seal.business.owner.account_id != current_account().id:
        abort(404)
    return seal


def _seal_page(seal, *, errors=None, form=None, status=200):
    html = render_template("transfers/seal.html", seal=seal, open=service.open_for(seal),
                           history=service.history(seal), errors=errors or {}, form=form or {})
    return private(html, status)


@bp.get("/seals/<public_id>/transfer")
@login_required
def seal_transfer(public_id):
    return _seal_page(_owned_seal(public_id))


@bp.post("/seals/<public_id>/transfer")
@login_required
@limiter.limit("20 per hour")
def offer(public_id):
    seal = _owned_seal(public_id)
    form = {"national_code": request.form.get("national_code", "")}
    try:
        transfer = service.offer(seal, current_account(), form["national_code"], now=utcnow())
    except service.TransferError as error:
        db.session.rollback()
        return _seal_page(seal, errors={error.field: (error.message, error.variables)}, form=form, status=400)
    return redirect(url_for("transfers.show", transfer_id=transfer.id, **lang_args()))


def _transfer(transfer_id):
    """The transfer when the signed-in account is one of its sides; 404 for everyone else."""
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or service.party(transfer, current_account()) is None:
        abort(404)
    return transfer


def _page(transfer, *, errors=None, status=200):
    html = render_template("transfers/transfer.html", transfer=transfer, side=service.party(transfer, current_account()),
                           history=service.history(transfer.seal), errors=errors or {})
    return private(html, status)


@bp.get("/transfers/<int:transfer_id>")
@login_required
def show(transfer_id):
    return _page(_transfer(transfer_id))


@bp.post("/transfers/<int:transfer_id>/accept")
@login_required
@limiter.limit("20 per hour")
def accept(transfer_id):
    transfer = _transfer(transfer_id)
    try:
        application = service.accept(transfer, current_account(), owns_domain=request.form.get("owns_domain") == "yes",
                                     now=utcnow())
    except service.TransferError as error:
        db.session.rollback()
        return _page(_transfer(transfer_id), errors={error.field: (error.message, error.variables)}, status=409)
    return redirect(url_for("onboarding.application", application_id=application.id, **lang_args()))


@bp.post("/transfers/<int:transfer_id>/cancel")
@login_required
@limiter.limit("20 per hour")
def cancel(transfer_id):
    transfer = _transfer(transfer_id)
    try:
        service.cancel(transfer, current_account(), now=utcnow(), storage=storage_from_config(current_app.config))
    except service.TransferError as error:
        db.session.rollback()
        return _page(_transfer(transfer_id), errors={error.field: (error.message, error.variables)}, status=409)
    return redirect(url_for("transfers.show", transfer_id=transfer.id, **lang_args()))
