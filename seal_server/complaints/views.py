"""Complaint pages: buyers file and follow (no account), owners answer in the panel, staff see them all."""
import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select

from .. import clock as app_clock
from ..accounts.auth import current_account, lang_args, login_required
from ..extensions import db, limiter
from ..marks import N_
from ..integrations import bank_inquiry
from ..onboarding.service import tehran_today
from ..seals.views import _checked_seal
from ..staff import policy
from ..staff import service as staff_service
from ..staff.auth import console_blueprint, current_session, current_staff, staff_required
from ..billing import service as billing
from ..billing.models import Invoice
from ..billing.views import allow_gateway_form
from ..i18n import gettext as _
from . import arbitration, files, rules, service
from .models import BUYER, CONFIRMED_STATES, UNCONFIRMED, Complaint, ComplaintFile

# the staff pages' navigation asks `may`; every answer here is private (codes, complaints): no-store
bp = console_blueprint(Blueprint("complaints", __name__))
FOLLOWED = "followed_complaint"


def hours_left(deadline, now):
    """Whole hours until `deadline` (a part hour counts), never below zero."""
    return max(0, math.ceil((deadline - now).total_seconds() / 3600)) if deadline else None


BODY_NAMES = {"guild": N_("the computer guild organisation"), "union": N_("the national union of virtual businesses"),
              "consumer": N_("the consumer protection organisation")}


@bp.app_context_processor
def complaint_helpers():
    return {"hours_left": hours_left, "body_names": BODY_NAMES}


# --- buyers -----------------------------------------------------------------------------------

@bp.route("/complaints/new/<public_id>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def new(public_id):
    seal = _checked_seal(public_id)
    if seal is None:
        abort(404)
    form, errors, status = request.form, {}, 200
    if request.method == "POST":
        now = app_clock.utcnow()
        try:
            complaint = service.file_complaint(seal, request.form, ip=request.remote_addr, now=now,
                                               today=tehran_today(now),
                                               attachments=files.uploads_from(request, "attachments"))
        except service.ComplaintError as error:
            db.session.rollback()
            errors, status = error.errors, 400
        else:
            return redirect(url_for("complaints.confirm", tracking_code=complaint.tracking_code, **lang_args()))
    return render_template("complaints/file.html", seal=seal, form=form, errors=errors,
                           live=seal.status in service.LIVE_FOR_FILING), status


@bp.route("/complaints/<tracking_code>/confirm", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def confirm(tracking_code):
    errors, status, complaint = {}, 200, None
    if request.method == "POST":
        try:
            complaint = service.confirm_filing(tracking_code, request.form.get("code"), now=app_clock.utcnow())
        except service.ComplaintError as error:
            db.session.rollback()
            errors, status = error.errors, 400
        else:
            session[FOLLOWED] = complaint.id
            return render_template("complaints/confirmed.html", complaint=complaint,
                                   unconfirmed=complaint.state == UNCONFIRMED)
    if rules.clean_tracking_code(tracking_code) is None:
        abort(404)
    return render_template("complaints/code.html", tracking_code=tracking_code, errors=errors,
                           action=url_for("complaints.confirm", tracking_code=tracking_code, **lang_args())), status


@bp.post("/complaints/<tracking_code>/resend")
@limiter.limit("5 per hour")
def resend(tracking_code):
    try:
        service.resend_code(tracking_code, now=app_clock.utcnow())
    except service.ComplaintError as error:
        db.session.rollback()
        return render_template("complaints/code.html", tracking_code=tracking_code, errors=error.errors,
                               action=url_for("complaints.confirm", tracking_code=tracking_code, **lang_args())), 400
    return redirect(url_for("complaints.confirm", tracking_code=tracking_code, **lang_args()))


@bp.post("/complaints/follow/send")
@limiter.limit("10 per hour")
def follow_send():
    tracking_code = rules.clean_tracking_code(request.form.get("tracking_code")) or ""
    try:
        service.resend_code(tracking_code, now=app_clock.utcnow())
    except service.ComplaintError as error:
        db.session.rollback()
        return render_template("complaints/follow.html", errors=error.errors,
                               tracking_code=request.form.get("tracking_code", "")[:20], sent=False), 400
    return redirect(url_for("complaints.follow", tracking_code=tracking_code, sent=1, **lang_args()))


@bp.route("/complaints/follow", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def follow():
    """Tracking code, then a code to the complaint's mobile: no account needed."""
    tracking_code = request.values.get("tracking_code", "")
    errors, status = {}, 200
    if request.method == "POST":
        try:
            complaint = service.follow(tracking_code, request.form.get("code"), now=app_clock.utcnow())
        except service.ComplaintError as error:
            db.session.rollback()
            errors, status = error.errors, 400
        else:
            session[FOLLOWED] = complaint.id
            return redirect(url_for("complaints.show", tracking_code=complaint.tracking_code, **lang_args()))
    return render_template("complaints/follow.html", errors=errors, tracking_code=tracking_code[:20],
                           sent=request.args.get("sent") == "1"), status


def _followed(tracking_code):
    complaint = db.session.get(Complaint, session.get(FOLLOWED)) if isinstance(session.get(FOLLOWED), int) else None
    if complaint is None or complaint.tracking_code != tracking_code:
        return None
    return complaint


def _show(complaint, now, errors=None, status=200, form=None):
    page = render_template("complaints/show.html", complaint=complaint, reading=service.reading(complaint, now),
                           escalable=service.escalable(complaint, now), now=now, errors=errors or {},
                           bodies=service.BODIES, arbitrable=arbitration.eligible(complaint, now),
                           fee=arbitration.fee_for(complaint), form=form or {},
                           rates=rules.fee_rate_text(current_app.config["SEAL_ARBITRATION_FEE_BANDS"]))
    return allow_gateway_form(current_app.make_response((page, status)))


def _buyer_step(tracking_code, step, status=400):
    """Run `step(complaint, now)` for the followed complaint; its page again with the message on refusal."""
    complaint = _followed(tracking_code)
    if complaint is None:
        return None, redirect(url_for("complaints.follow", tracking_code=tracking_code, **lang_args()))
    now = app_clock.utcnow()
    try:
        return step(complaint, now), None
    except service.ComplaintError as error:
        db.session.rollback()
        db.session.refresh(complaint)
        return None, _show(complaint, now, error.errors, status, form=request.form)


@bp.route("/complaints/<tracking_code>", methods=["GET", "POST"])
def show(tracking_code):
    if request.method == "POST":
        _, refused = _buyer_step(tracking_code, lambda complaint, now: service.verdict(
            complaint, request.form.get("verdict") == "accept", now=now), status=409)
        return refused or redirect(url_for("complaints.show", tracking_code=tracking_code, **lang_args()))
    complaint = _followed(tracking_code)
    if complaint is None:
        return redirect(url_for("complaints.follow", tracking_code=tracking_code, **lang_args()))
    return _show(complaint, app_clock.utcnow())


@bp.post("/complaints/<tracking_code>/refer")
def refer(tracking_code):
    _, refused = _buyer_step(tracking_code, lambda complaint, now: service.refer(
        complaint, request.form.get("body"), now=now))
    return refused or redirect(url_for("complaints.show", tracking_code=tracking_code, **lang_args()))


@bp.post("/complaints/<tracking_code>/arbitration")
@limiter.limit("20 per hour")
def arbitrate(tracking_code):
    """The buyer chooses online arbitration: to the gateway for the fee (the same invoice while unpaid)."""
    def go(complaint, now):
        started = arbitration.start(complaint, now=now)
        callback = current_app.config["SEAL_BASE_URL"] + url_for(
            "complaints.arbitration_paid", number=started.invoice.number, **lang_args())
        return arbitration.pay(started, callback_url=callback, now=now)

    gateway_url, refused = _buyer_step(tracking_code, go)
    return refused or redirect(gateway_url)


@bp.get("/complaints/arbitration/paid/<number>")
def arbitration_paid(number):
    """Where the gateway sends the buyer back; keyed by the gateway's authority, then the follow page."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None or invoice.purpose != arbitration.PURPOSE or invoice.complaint_id is None:
        abort(404)
    try:
        payment = billing.complete_payment(number, request.args, gateway=billing.gateway(), now=app_clock.utcnow())
    except billing.PaymentRefused as error:
        return render_template("error.html", code=400, message=_(str(error))), 400
    messages = {
        "paid": (_("The arbitration fee is paid. The shop has 72 hours to settle with you or answer."), "success"),
        "cancelled": (_("The payment was cancelled; nothing was charged."), "error"),
        "failed": (_("The bank did not confirm the payment; nothing was charged."), "error"),
    }
    flash(*messages.get(payment.status, (
        _("The bank has not confirmed the payment yet; this page will show it once it does."), "info")))
    complaint = db.session.get(Complaint, invoice.complaint_id)
    return redirect(url_for("complaints.show", tracking_code=complaint.tracking_code, **lang_args()))


@bp.post("/complaints/<tracking_code>/arbitration/evidence")
@limiter.limit("30 per hour")
def buyer_evidence(tracking_code):
    _, refused = _buyer_step(tracking_code, lambda complaint, now: arbitration.add_evidence(
        complaint, BUYER, request.form.get("evidence"), files.uploads_from(request, "evidence_files"), now=now))
    return refused or redirect(url_for("complaints.show", tracking_code=tracking_code, **lang_args()))


@bp.post("/complaints/<tracking_code>/arbitration/settled")
def confirm_settlement(tracking_code):
    _, refused = _buyer_step(tracking_code, lambda complaint, now: arbitration.confirm_settlement(
        complaint, now=now), status=409)
    return refused or redirect(url_for("complaints.show", tracking_code=tracking_code, **lang_args()))


@bp.get("/complaints/<tracking_code>/files/<int:file_id>")
def buyer_file(tracking_code, file_id):
    complaint = _followed(tracking_code)
    row = db.session.get(ComplaintFile, file_id)
    if complaint is None or row is None or row.complaint_id != complaint.id:
        abort(404)
    return files.download(row)


@bp.get("/complaints/<tracking_code>/referral.pdf")
def referral(tracking_code):
    complaint = _followed(tracking_code)
    if complaint is None or complaint.referral_pdf is None:
        abort(404)
    return files.inert(complaint.referral_pdf, "application/pdf", f"referral-{complaint.tracking_code}.pdf")


# --- owners -----------------------------------------------------------------------------------

def _panel(now, errors=None, form=None, status=200):
    items = [(item, service.reading(item, now)) for item in service.owner_complaints(current_account().id)]
    errors = errors or {}
    shown = {item.id for item, _ in items}
    # a refusal about a complaint that is not this owner's (not on the page) is said at the top
    page_error = next((problems.get("_form") for key, problems in errors.items() if key not in shown), None)
    return render_template("complaints/panel.html", items=items, now=now, errors=errors, form=form or {},
                           page_errors={"_form": page_error} if page_error else {}), status


def _owner_step(complaint_id, field, step):
    """Run the owner's `step(now)`; the panel again with the message and the typed text on refusal."""
    now = app_clock.utcnow()
    try:
        step(now)
    except service.ComplaintError as error:
        db.session.rollback()
        return _panel(now, {complaint_id: error.errors}, {complaint_id: {field: request.form.get(field, "")}}, 400)
    return redirect(url_for("complaints.panel", **lang_args()) + f"#complaint-{complaint_id}")


@bp.get("/panel/complaints")
@login_required
def panel():
    return _panel(app_clock.utcnow())


@bp.post("/panel/complaints/<int:complaint_id>/answer")
@login_required
def answer(complaint_id):
    return _owner_step(complaint_id, "answer", lambda now: service.answer(
        complaint_id, current_account().id, request.form.get("answer"), now=now))


@bp.post("/panel/complaints/<int:complaint_id>/arbitration/evidence")
@login_required
@limiter.limit("30 per hour")
def shop_evidence(complaint_id):
    return _owner_step(complaint_id, "evidence", lambda now: arbitration.shop_evidence(
        complaint_id, current_account().id, request.form.get("evidence"),
        files.uploads_from(request, "evidence_files"), now=now))


@bp.post("/panel/complaints/<int:complaint_id>/arbitration/settlement")
@login_required
def settlement(complaint_id):
    return _owner_step(complaint_id, "settlement", lambda now: arbitration.offer_settlement(
        complaint_id, current_account().id, request.form.get("settlement"), now=now))


@bp.get("/panel/complaints/<int:complaint_id>/files/<int:file_id>")
@login_required
def owner_file(complaint_id, file_id):
    try:
        complaint = arbitration.owned_complaint(complaint_id, current_account().id)
    except service.ComplaintError:
        abort(404)
    row = db.session.get(ComplaintFile, file_id)
    if row is None or row.complaint_id != complaint.id:
        abort(404)
    return files.download(row)


# --- staff ------------------------------------------------------------------------------------

ARBITRATION_FILTERS = {"any": N_("In arbitration"), "awaiting_ruling": N_("Awaiting a ruling"),
                       "overdue": N_("Ruling overdue")}


@bp.get("/staff/complaints")
@staff_required("complaint.view")
def staff_list():
    state = request.args.get("state", "")
    state = state if state in CONFIRMED_STATES + (UNCONFIRMED,) else ""
    overdue = request.args.get("overdue") == "1"
    in_arbitration = request.args.get("arbitration", "")
    in_arbitration = in_arbitration if in_arbitration in ARBITRATION_FILTERS else ""
    now = app_clock.utcnow()
    return render_template("complaints/staff.html", staff=current_staff(), state=state, overdue=overdue, now=now,
                           states=CONFIRMED_STATES + (UNCONFIRMED,), arbitration_filter=in_arbitration,
                           arbitration_filters=ARBITRATION_FILTERS,
                           items=service.staff_list(state or None, overdue, arbitration=in_arbitration or None,
                                                    overdue_before=arbitration.overdue_before(now)))


def _staff_page(complaint, errors=None, form=None, status=200):
    return render_template("complaints/staff_complaint.html", staff=current_staff(), complaint=complaint,
                           now=app_clock.utcnow(), errors=errors or {}, form=form or {},
                           outcomes=rules.OUTCOMES), status


@bp.get("/staff/complaints/<int:complaint_id>")
@staff_required("complaint.view")
def staff_complaint(complaint_id):
    return _staff_page(db.get_or_404(Complaint, complaint_id))


@bp.post("/staff/complaints/<int:complaint_id>/ruling")
@staff_required("complaint.view")
def ruling(complaint_id):
    """An arbiter's ruling (arbitration.rule, a FRESH action: a code typed in the last minutes, else asked for)."""
    complaint = db.get_or_404(Complaint, complaint_id)
    if complaint.arbitration is None:
        abort(404)
    staff = current_staff()
    policy.require(staff, "arbitration.rule", complaint.seal.business)  # before the code: a refused one keeps it
    now = app_clock.utcnow()
    try:
        staff_service.confirm_fresh(current_session(), request.form.get("code"), now)
        arbitration.rule(complaint.arbitration.id, staff, request.form.get("outcome"),
                         request.form.get("award"), request.form.get("reasons"), now=now)
    except staff_service.StaffError as error:
        db.session.rollback()
        return _staff_page(complaint, {error.field: (error.message, error.variables)}, request.form, 400)
    except service.ComplaintError as error:
        db.session.rollback()
        return _staff_page(complaint, error.errors, request.form, 400)
    return redirect(url_for("complaints.staff_complaint", complaint_id=complaint_id, **lang_args()))


@bp.get("/staff/complaints/<int:complaint_id>/files/<int:file_id>")
@staff_required("complaint.view")
def staff_file(complaint_id, file_id):
    row = db.session.get(ComplaintFile, file_id)
    if row is None or row.complaint_id != complaint_id:
        abort(404)
    return files.download(row)


@bp.route("/staff/bank-sandbox", methods=["GET", "POST"])
@staff_required("bank.sandbox")
def bank_sandbox():
    """The bank-inquiry sandbox: an operator decides which payment references the 'bank' confirms."""
    errors, status = {}, 200
    if request.method == "POST":
        ref = "".join(request.form.get("payment_ref", "").split())
        answer = request.form.get("answer")
        if not rules.PAYMENT_REF.fullmatch(ref) or answer not in bank_inquiry.ANSWERS:
            errors, status = {"payment_ref": (rules.PAYMENT_REF_MESSAGE, {})}, 400
        else:
            bank_inquiry.set_sandbox_answer(ref, answer, app_clock.utcnow())
            return redirect(url_for("complaints.bank_sandbox", **lang_args()))
    return render_template("complaints/bank_sandbox.html", staff=current_staff(), rows=bank_inquiry.sandbox_answers(),
                           errors=errors, form=request.form), status
