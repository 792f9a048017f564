"""Online arbitration, the seed's other path after the six days or a rejected answer (instead of a
competent body, not besides it: the seed offers them as alternatives).

The buyer pays the fee (rules.arbitration_fee, through the payment gateway; the invoice's payer is the
complaint, since buyers have no account) -> the shop is told and has 72 hours to settle or reply with
evidence, and the buyer may add evidence -> a settlement the buyer confirms closes the case; otherwise
`sweep` moves it to "awaiting ruling" and an arbiter rules: for the buyer, for the shop, or partial.
Every transition is a compare-and-set on the state, so two clicks or two ticks do it once.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..billing import service as billing
from ..billing.fees import Line
from ..billing.models import OPEN as INVOICE_OPEN, Invoice, VOID as INVOICE_VOID
from ..events import Actor, emit
from ..extensions import db
from ..marks import N_
from ..staff import policy
from . import files, rules
from .models import (ARBITRATING, AWAITING_PAYMENT, AWAITING_RULING, RULED, SETTLED, SHOP, VOID,
                     Arbitration, ArbitrationEvidence, Complaint)
from .service import ComplaintError, escalable

PURPOSE = "arbitration"
SHOP_WINDOW = timedelta(hours=72)  # seed: the shop has 72 hours to settle once the fee is paid
LIVE = (ARBITRATING, AWAITING_RULING)


def fee_for(complaint):
    return rules.arbitration_fee(complaint.amount, current_app.config["SEAL_ARBITRATION_FEE_BANDS"])


def eligible(complaint, now):
    """The buyer may ask for arbitration: escalable, not referred, and no arbitration paid or under way."""
    arbitration = complaint.arbitration
    return (escalable(complaint, now) and complaint.referred_at is None
            and (arbitration is None or arbitration.state == AWAITING_PAYMENT))


def _refuse(errors):
    """ComplaintError carrying every field's problem (the first one is its message)."""
    field, (message, variables) = next(iter(errors.items()))
    error = ComplaintError(message, field, **variables)
    error.errors = errors
    return error


def _cas(arbitration, states, message, *where, **values):
    done = db.session.execute(update(Arbitration).where(Arbitration.id == arbitration.id,
                                                        Arbitration.state.in_(states), *where)
                              .values(**values).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        raise ComplaintError(message)
    db.session.refresh(arbitration)


def start(complaint, *, now):
    """The arbitration waiting for its fee, with an open invoice (the same one while unpaid)."""
    arbitration = complaint.arbitration
    if arbitration is not None and arbitration.state == VOID:
        raise ComplaintError(N_("This complaint went to a competent body; it cannot go to arbitration too."))
    if arbitration is not None and arbitration.state != AWAITING_PAYMENT:
        raise ComplaintError(N_("The arbitration fee for this complaint has already been paid; nothing more "
                                "is charged."))
    if arbitration is not None:
        return arbitration
    if complaint.referred_at is not None:
        raise ComplaintError(N_("This complaint went to a competent body; it cannot go to arbitration too."))
    if not escalable(complaint, now):
        raise ComplaintError(N_("Arbitration opens after six days without an answer, or once you reject the "
                                "answer."))
    fee = fee_for(complaint)
    invoice = billing.new_invoice(None, [Line("arbitration", N_("Online arbitration fee"), fee)], purpose=PURPOSE,
                                  now=now, complaint=complaint)
    arbitration = Arbitration(complaint_id=complaint.id, invoice_id=invoice.id, state=AWAITING_PAYMENT, fee=fee,
                              requested_at=now)
    db.session.add(arbitration)
    try:
        db.session.commit()
    except IntegrityError:  # a second tab asked at the same moment: use that one
        db.session.rollback()
        db.session.refresh(complaint)
        return start(complaint, now=now)
    return arbitration


def pay(arbitration, *, callback_url, now):
    """Send the buyer to the gateway for the fee; returns where. Refused once the fee is paid."""
    if arbitration.state != AWAITING_PAYMENT:
        raise ComplaintError(N_("The arbitration fee for this complaint has already been paid; nothing more "
                                "is charged."))
    try:
        return billing.start_payment(arbitration.invoice, gateway=billing.gateway(), callback_url=callback_url,
                                     now=now)[1]
    except billing.BillingError as error:
        raise ComplaintError(str(error)) from None


def invoice_paid(invoice, now):
    """The fee is paid (in the invoice's transaction): the shop's 72 hours start and it is told."""
    if invoice.purpose != PURPOSE:
        return
    arbitration = db.session.scalar(select(Arbitration).where(Arbitration.invoice_id == invoice.id))
    deadline = now + SHOP_WINDOW
    opened = db.session.execute(update(Arbitration).where(
        Arbitration.id == arbitration.id, Arbitration.state == AWAITING_PAYMENT)
        .values(state=ARBITRATING, paid_at=now, shop_deadline=deadline)
        .execution_options(synchronize_session=False)).rowcount == 1
    if opened:
        complaint = arbitration.complaint
        emit("arbitration.opened", complaint.seal, {"tracking_code": complaint.tracking_code,
                                                    "amount": complaint.amount, "deadline": deadline.isoformat()},
             Actor.system("arbitration"), now=now, after={"arbitration": ARBITRATING})


def give_up_unpaid(complaint):
    """Before a referral: an arbitration still waiting for its fee is voided with its invoice (in the
    caller's transaction), so it can no longer be paid; a paid one refuses the referral."""
    arbitration = complaint.arbitration
    if arbitration is None or arbitration.state == VOID:
        return
    if arbitration.state != AWAITING_PAYMENT or not db.session.execute(
            update(Invoice).where(Invoice.id == arbitration.invoice_id, Invoice.status == INVOICE_OPEN)
            .values(status=INVOICE_VOID).execution_options(synchronize_session=False)).rowcount:
        db.session.rollback()
        raise ComplaintError(N_("This complaint is in arbitration (or its fee is being paid); it cannot go to a "
                                "competent body too."))
    arbitration.state = VOID


def owned_complaint(complaint_id, account_id):
    """The complaint when `account_id` owns its seal; otherwise ComplaintError (evidence from someone else)."""
    complaint = db.session.get(Complaint, complaint_id)
    owner = complaint.seal.business.owner if complaint else None
    if complaint is None or owner is None or owner.account_id != account_id:
        raise ComplaintError(N_("Only the seal's owner can act for the shop in this arbitration."))
    return complaint


def _clean_text(text, field):
    text = (text or "").strip()
    if not rules.MIN_EVIDENCE <= len(text) <= rules.MAX_EVIDENCE:
        raise ComplaintError(N_("Write %(low)s to %(high)s characters."), field, low=rules.MIN_EVIDENCE,
                             high=rules.MAX_EVIDENCE)
    return text


def add_evidence(complaint, side, text, uploads, *, now):
    """One side's evidence: the shop within its 72 hours, the buyer until the ruling."""
    arbitration = complaint.arbitration
    text = _clean_text(text, "evidence")
    if arbitration is None or arbitration.state not in LIVE:
        raise ComplaintError(N_("This arbitration is not taking evidence."))
    if side == SHOP and (arbitration.state != ARBITRATING or now >= arbitration.shop_deadline):
        raise ComplaintError(N_("The shop's 72 hours have passed; the arbiter rules on what is on file."))
    given = db.session.scalar(select(func.count()).select_from(ArbitrationEvidence).where(
        ArbitrationEvidence.arbitration_id == arbitration.id, ArbitrationEvidence.side == side))
    if given >= rules.MAX_EVIDENCE_PIECES:
        raise ComplaintError(N_("You have already added %(count)s pieces of evidence; the arbiter reads what is "
                                "on file."), "evidence", count=rules.MAX_EVIDENCE_PIECES)
    good, errors = files.checked(uploads, "evidence_files")
    if errors:
        raise _refuse(errors)
    evidence = ArbitrationEvidence(arbitration_id=arbitration.id, side=side, text=text, created_at=now)
    db.session.add(evidence)
    db.session.flush()
    files.store(complaint, side, good, now=now, evidence=evidence)
    db.session.commit()
    return evidence


def shop_evidence(complaint_id, account_id, text, uploads, *, now):
    return add_evidence(owned_complaint(complaint_id, account_id), SHOP, text, uploads, now=now)


def offer_settlement(complaint_id, account_id, text, *, now):
    """The shop says how it settled, within its 72 hours; the buyer is asked to confirm."""
    complaint = owned_complaint(complaint_id, account_id)
    text = _clean_text(text, "settlement")
    arbitration = complaint.arbitration
    if arbitration is None or arbitration.shop_deadline is None or now >= arbitration.shop_deadline:
        raise ComplaintError(N_("A settlement is recorded within the shop's 72 hours of an open arbitration."))
    _cas(arbitration, (ARBITRATING,), N_("A settlement was already recorded, or this arbitration is closed."),
         Arbitration.settlement_at.is_(None), settlement=text, settlement_at=now)
    emit("arbitration.buyer_notice", ("complaint", complaint.id), {
        "tracking_code": complaint.tracking_code, "what": "settlement", "domain": complaint.seal.domain},
        Actor.owner(account_id), now=now, to={"sms": complaint.mobile}, audit=False)
    db.session.commit()
    return arbitration


def confirm_settlement(complaint, *, now):
    """The buyer confirms the shop's settlement: closed without a ruling."""
    arbitration = complaint.arbitration
    if arbitration is None or arbitration.settlement_at is None:
        raise ComplaintError(N_("The shop has not recorded a settlement to confirm."))
    _cas(arbitration, LIVE, N_("This arbitration is already closed."), state=SETTLED, settled_at=now)
    emit("arbitration.settled", complaint.seal, {"tracking_code": complaint.tracking_code},
         Actor.system("complaint-buyer"), now=now, after={"arbitration": SETTLED})
    db.session.commit()
    return arbitration


def rule(arbitration_id, staff, outcome, award, reasons, *, now):
    """An arbiter's ruling (policy: arbitration.rule): for the buyer, for the shop, or partial with an amount."""
    policy.require(staff, "arbitration.rule")
    arbitration = db.session.get(Arbitration, arbitration_id)
    if arbitration is None:
        raise ComplaintError(N_("No arbitration has this number."))
    complaint = arbitration.complaint
    policy.require(staff, "arbitration.rule", complaint.seal.business)  # never on a complaint against one's own shop
    outcome, award, checked = rules.clean_ruling(outcome, award, reasons, complaint.amount)
    if outcome is None:
        raise _refuse(checked)
    _cas(arbitration, (AWAITING_RULING,), N_("Only an arbitration whose shop's 72 hours have passed, and not yet "
                                             "ruled or settled, can be ruled on."),
         state=RULED, outcome=outcome, award=award, reasons=checked, ruled_at=now, ruled_by=staff.id)
    facts = {"tracking_code": complaint.tracking_code, "outcome": outcome, "award": award,
             "domain": complaint.seal.domain}
    emit("arbitration.ruled", complaint.seal, facts, Actor.staff(staff.id), now=now, after={"arbitration": RULED})
    emit("arbitration.buyer_notice", ("complaint", complaint.id), {**facts, "what": "ruling"},
         Actor.staff(staff.id), now=now, to={"sms": complaint.mobile}, audit=False)
    db.session.commit()
    return arbitration


def sweep(now):
    """Arbitrations whose shop's 72 hours ended go to the arbiters: one statement, compare-and-set."""
    moved = db.session.execute(update(Arbitration).where(
        Arbitration.state == ARBITRATING, Arbitration.shop_deadline <= now)
        .values(state=AWAITING_RULING).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return moved


def overdue_before(now):
    """Arbitrations awaiting a ruling since before this moment are overdue (SEAL_ARBITRATION_RULING_DAYS)."""
    return now - timedelta(days=current_app.config["SEAL_ARBITRATION_RULING_DAYS"])
