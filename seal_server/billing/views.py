"""Invoice pages, the payment callback and the sandbox bank's page."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import PAGE_CSP
from ..accounts.auth import current_account, lang_args, login_required
from ..clock import utcnow
from ..extensions import db
from ..i18n import gettext as _
from . import sandbox, service
from .models import Invoice

bp = Blueprint("billing", __name__, url_prefix="/billing")


def _own_invoice(number):
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None or invoice.account_id != current_account().id:
        abort(404)
    return invoice


def allow_gateway_form(response):
    """A page whose pay form's answer redirects to the real gateway: form-action must allow its origin."""
    if current_app.config["SEAL_PAYMENT_GATEWAY"] == "zarinpal":
        gateway_origin = current_app.config["SEAL_ZARINPAL_BASE_URL"]
        response.headers["Content-Security-Policy"] = PAGE_CSP.replace(
            "form-action 'self'", f"form-action 'self' {gateway_origin}")
    return response


@bp.get("/invoices/<number>")
@login_required
def invoice(number):
    return allow_gateway_form(current_app.make_response(
        render_template("billing/invoice.html", invoice=_own_invoice(number))))


@bp.post("/invoices/<number>/pay")
@login_required
def pay(number):
    invoice = _own_invoice(number)
    base = current_app.config["SEAL_BASE_URL"]
    callback = base + url_for("billing.callback", number=invoice.number, **lang_args())
    try:
        redirect_url = service.start_payment(invoice, gateway=service.gateway(), callback_url=callback,
                                             now=utcnow())[1]
    except service.BillingError as error:
        flash(_(str(error)), "error")
        return redirect(url_for("billing.invoice", number=number, **lang_args()))
    return redirect(redirect_url)


@bp.get("/callback/<number>")
def callback(number):
    """Where the gateway sends the payer back; keyed by the gateway's authority, not the session."""
    try:
        payment = service.complete_payment(number, request.args, gateway=service.gateway(), now=utcnow())
    except service.PaymentRefused as error:
        return render_template("error.html", code=400, message=str(error)), 400
    messages = {
        "paid": (_("Payment received. Thank you."), "success"),
        "cancelled": (_("The payment was cancelled; nothing was charged."), "error"),
        "failed": (_("The bank did not confirm the payment; nothing was charged."), "error"),
        "verifying": (_("The bank has not confirmed the payment yet; this page will show it once it does."),
                      "info"),
    }
    text, category = messages.get(payment.status, messages["verifying"])
    flash(text, category)
    return redirect(url_for("billing.invoice", number=number, **lang_args()))


@bp.route("/sandbox/<authority>", methods=["GET", "POST"])
def sandbox_page(authority):
    """The sandbox bank: pay, cancel or fail, then back to the shop's callback."""
    if current_app.config["SEAL_PAYMENT_GATEWAY"] != "sandbox":
        abort(404)
    charge = sandbox.charge_for(authority)
    if charge is None:
        abort(404)
    if request.method == "POST":
        outcome = request.form.get("outcome")
        if outcome not in sandbox.OUTCOMES:
            abort(400)
        return redirect(sandbox.decide(charge, outcome))
    return render_template("billing/sandbox.html", charge=charge)


@bp.app_template_filter("toman")
def toman_filter(rials):
    from ..i18n import current_language
    from .fees import format_toman

    return format_toman(rials, current_language())
