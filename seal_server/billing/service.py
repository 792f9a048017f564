"""Invoices and payments. A callback, however often it arrives, pays an invoice at most once."""
import logging
import secrets

from flask import current_app
from sqlalchemy import func, select, update

from ..events import Actor, emit
from ..extensions import db
from ..marks import N_
from .gateways import GatewayError, ZarinpalGateway
from .models import (CANCELLED, CONFIRMING, FAILED, OPEN, PAID, PENDING, SUCCEEDED, VERIFYING, Invoice,
                     InvoiceLine, Payment)
from .sandbox import SandboxGateway

log = logging.getLogger(__name__)


class BillingError(Exception):
    """A billing step that cannot be done; the message is a message id for people."""


class PaymentRefused(BillingError):
    pass


_paid_listeners = []


def on_invoice_paid(listener):
    """Call `listener(invoice, now)` in the transaction that marks an invoice paid (once per invoice)."""
    _paid_listeners.append(listener)
    return listener


def invoice_facts(invoice, **extra):
    """What messages about an invoice say: number, purpose, total in toman."""
    return {"number": invoice.number, "purpose": invoice.purpose, "total_rials": int(invoice.total), **extra}


def _payment_event(kind, payment, now, **extra):
    emit(kind, payment, {"invoice": payment.invoice.number, "gateway": payment.gateway, **extra},
         Actor.system(f"gateway:{payment.gateway}"), now=now)


def gateway(name=None):
    """The configured gateway (SEAL_PAYMENT_GATEWAY: sandbox or zarinpal)."""
    name = name or current_app.config["SEAL_PAYMENT_GATEWAY"]
    if name == "sandbox":
        return SandboxGateway()
    if name == "zarinpal":
        return ZarinpalGateway(current_app.config["SEAL_ZARINPAL_MERCHANT_ID"],
                               base_url=current_app.config["SEAL_ZARINPAL_BASE_URL"])
    raise BillingError(f"unknown payment gateway {name!r}")


def _new_number(now):
    while True:
        number = f"{now:%y%m%d}-{secrets.randbelow(900000) + 100000}"
        if db.session.scalar(select(Invoice.id).where(Invoice.number == number)) is None:
            return number


def create_invoice(account, lines, *, purpose, now, application=None):
    """An open invoice for `lines` (fees.Line); an unpaid one for the same purpose is reused, a paid one refused."""
    existing = db.session.scalars(
        select(Invoice).where(Invoice.account_id == account.id, Invoice.purpose == purpose,
                              Invoice.application_id == (application.id if application else None),
                              Invoice.status.in_((OPEN, CONFIRMING, PAID)))
    ).first()
    if existing is not None:
        if existing.status == PAID:
            raise BillingError(N_("This fee has already been paid."))
        return existing
    invoice = new_invoice(account, lines, purpose=purpose, now=now, application=application)
    db.session.commit()
    return invoice


def new_invoice(account, lines, *, purpose, now, application=None, complaint=None):
    """A fresh open invoice for `lines`, added to the session (the caller decides about reuse and commits).

    The payer is `account`, or for a buyer without an account (an arbitration fee) `complaint`."""
    invoice = Invoice(number=_new_number(now), account_id=account.id if account else None,
                      complaint_id=complaint.id if complaint else None,
                      application_id=application.id if application else None, purpose=purpose,
                      status=OPEN, total=sum(line.amount for line in lines), created_at=now)
    invoice.lines = [InvoiceLine(item=line.item, label=line.label, amount=line.amount) for line in lines]
    db.session.add(invoice)
    db.session.flush()
    return invoice


def start_payment(invoice, *, gateway, callback_url, now):
    """Ask the gateway for a payment of the invoice's total; returns (payment, where to send the payer)."""
    if invoice.status == PAID:
        raise BillingError(N_("This invoice is already paid."))
    if invoice.status != OPEN:
        raise BillingError(N_("A payment for this invoice is being confirmed; please wait a moment."))
    try:
        start = gateway.start(amount=invoice.total, callback_url=callback_url,
                              description=f"invoice {invoice.number}", order_id=invoice.number)
    except GatewayError as error:
        db.session.rollback()
        log.warning("payment start failed for invoice %s: %s", invoice.number, error)
        raise BillingError(N_("The payment gateway could not be reached; nothing was charged. Please try again.")) \
            from None
    payment = Payment(invoice=invoice, gateway=gateway.name, authority=start.authority, amount=invoice.total,
                      status=PENDING, created_at=now, updated_at=now)
    db.session.add(payment)
    db.session.commit()
    return payment, start.redirect_url


def _move(model, row, expected, **values):
    """Compare-and-set on a row's status; True when this call made the change."""
    result = db.session.execute(
        update(model).where(model.id == row.id, model.status == expected).values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def complete_payment(invoice_number, args, *, gateway, now):
    """Handle the gateway's callback; idempotent and safe against concurrent or replayed callbacks."""
    authority, payer_ok = gateway.callback_authority(args)
    if not authority:
        raise PaymentRefused(N_("The bank's answer is incomplete; no payment was recorded."))
    payment = db.session.scalar(
        select(Payment).where(Payment.gateway == gateway.name, Payment.authority == authority))
    if payment is None or payment.invoice.number != invoice_number:
        log.warning("refused payment callback: authority %r does not belong to invoice %r", authority,
                    invoice_number)
        raise PaymentRefused(N_("This payment does not belong to this invoice; nothing was recorded."))
    if payment.status != PENDING:
        return payment  # a replay: the first callback already decided
    if not payer_ok:
        if _move(Payment, payment, PENDING, status=CANCELLED, message="cancelled at the gateway", updated_at=now):
            _payment_event("payment.cancelled", payment, now, reason="cancelled at the gateway")
        db.session.commit()
        db.session.refresh(payment)
        return payment
    # Claim the payment and its invoice together: only one callback, for one payment, confirms an invoice.
    if not _move(Payment, payment, PENDING, status=VERIFYING, updated_at=now):
        db.session.rollback()
        db.session.refresh(payment)
        return payment
    invoice = payment.invoice
    if payment.amount != invoice.total or not _move(Invoice, invoice, OPEN, status=CONFIRMING):
        # Left unverified, the charge is returned to the payer by the gateway.
        reason = "amount differs from the invoice" if payment.amount != invoice.total else "invoice not open"
        log.warning("payment %s for invoice %s not verified: %s", payment.id, invoice.number, reason)
        if _move(Payment, payment, VERIFYING, status=CANCELLED, message=reason, updated_at=now):
            _payment_event("payment.cancelled", payment, now, reason=reason)
        db.session.commit()
        db.session.refresh(payment)
        return payment
    db.session.commit()
    return _confirm(payment, gateway=gateway, now=now)


def _confirm(payment, *, gateway, now):
    """Ask the gateway to verify a claimed payment and settle the invoice accordingly."""
    invoice = payment.invoice
    try:
        result = gateway.verify(authority=payment.authority, amount=payment.amount)
    except GatewayError as error:
        db.session.rollback()
        log.warning("payment %s verification deferred: %s", payment.id, error)
        return payment  # stays claimed; the clock retries it
    if result.paid:
        _move(Payment, payment, VERIFYING, status=SUCCEEDED, ref_id=result.ref_id, card_pan=result.card_pan,
              message=result.message[:300], updated_at=now)
        if _move(Invoice, invoice, CONFIRMING, status=PAID, paid_at=now):  # a racing retry pays nothing twice
            db.session.flush()
            db.session.refresh(invoice)
            _payment_event("payment.succeeded", payment, now, ref_id=result.ref_id)
            emit("invoice.paid", invoice, invoice_facts(invoice, ref_id=result.ref_id),
                 Actor.system(f"gateway:{payment.gateway}"), now=now,
                 before={"status": CONFIRMING}, after={"status": PAID})
            for listener in _paid_listeners:
                listener(invoice, now)
    else:
        if _move(Payment, payment, VERIFYING, status=FAILED, message=result.message[:300], updated_at=now):
            _payment_event("payment.failed", payment, now, reason=result.message[:300])
        _move(Invoice, invoice, CONFIRMING, status=OPEN)
        log.info("payment %s for invoice %s failed: %s", payment.id, invoice.number, result.message)
    db.session.commit()
    db.session.refresh(payment)
    db.session.refresh(invoice)
    return payment


def retry_stuck_verifications(now, *, older_than_seconds=300):
    """Verify again payments whose callback died mid-way; returns the ids settled now."""
    from datetime import timedelta

    stuck = db.session.scalars(select(Payment).where(
        Payment.status == VERIFYING, Payment.updated_at <= now - timedelta(seconds=older_than_seconds))).all()
    settled = [_confirm(payment, gateway=gateway(payment.gateway), now=now) for payment in stuck]
    return [payment.id for payment in settled if payment.status != VERIFYING]


def invoices_of(account):
    return db.session.scalars(select(Invoice).where(Invoice.account_id == account.id)
                              .order_by(Invoice.id.desc())).all()


# What a seal paid for itself: its first and second year, and leaving micro status (not postal or rating fees).
SEAL_FEE_PURPOSES = ("seal", "seal-year-2", "change-micro")


def seal_fees_paid(application_id):
    """Rials the seal of this (new-seal) application has paid for itself; upgrades and leaving micro status
    both charge the two-year fee less this (`fees.upgrade_due`)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Invoice.total), 0)).where(
        Invoice.application_id == application_id, Invoice.status == PAID,
        Invoice.purpose.in_(SEAL_FEE_PURPOSES))))
