"""Complaint pages: buyers file and follow (no account), owners answer in the panel, staff see them all."""
import math

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from .. import clock as app_clock
from ..accounts.auth import current_account, lang_args, login_required
from ..extensions import db, limiter
from ..marks import N_
from ..integrations import bank_inquiry
from ..onboarding.service import tehran_today
from ..seals.views import _checked_seal
from ..staff.auth import console_blueprint, current_staff, staff_required
from . import rules, service
from .models import CONFIRMED_STATES, UNCONFIRMED, Complaint

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
                                               today=tehran_today(now))
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


@bp.route("/complaints/<tracking_code>", methods=["GET", "POST"])
def show(tracking_code):
    complaint = _followed(tracking_code)
    if complaint is None:
        return redirect(url_for("complaints.follow", tracking_code=tracking_code, **lang_args()))
    now, errors, status = app_clock.utcnow(), {}, 200
    if request.method == "POST":
        try:
            service.verdict(complaint, request.form.get("verdict") == "accept", now=now)
        except service.ComplaintError as error:
            db.session.rollback()
            errors, status = error.errors, 409
        else:
            return redirect(url_for("complaints.show", tracking_code=tracking_code, **lang_args()))
    return render_template("complaints/show.html", complaint=complaint, reading=service.reading(complaint, now),
                           escalable=service.escalable(complaint, now), now=now, errors=errors,
                           bodies=service.BODIES), status


@bp.post("/complaints/<tracking_code>/refer")
def refer(tracking_code):
    complaint = _followed(tracking_code)
    if complaint is None:
        return redirect(url_for("complaints.follow", tracking_code=tracking_code, **lang_args()))
    now = app_clock.utcnow()
    try:
        service.refer(complaint, request.form.get("body"), now=now)
    except service.ComplaintError as error:
        db.session.rollback()
        return render_template("complaints/show.html", complaint=complaint, reading=service.reading(complaint, now),
                               escalable=service.escalable(complaint, now), now=now, errors=error.errors,
                               bodies=service.BODIES), 400
    return redirect(url_for("complaints.show", tracking_code=tracking_code, **lang_args()))


@bp.get("/complaints/<tracking_code>/referral.pdf")
def referral(tracking_code):
    complaint = _followed(tracking_code)
    if complaint is None or complaint.referral_pdf is None:
        abort(404)
    response = current_app.response_class(complaint.referral_pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="referral-{complaint.tracking_code}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- owners -----------------------------------------------------------------------------------

@bp.get("/panel/complaints")
@login_required
def panel():
    now = app_clock.utcnow()
    items = [(item, service.reading(item, now)) for item in service.owner_complaints(current_account().id)]
    return render_template("complaints/panel.html", items=items, now=now, errors={}, form={})


@bp.post("/panel/complaints/<int:complaint_id>/answer")
@login_required
def answer(complaint_id):
    now = app_clock.utcnow()
    try:
        service.answer(complaint_id, current_account().id, request.form.get("answer"), now=now)
    except service.ComplaintError as error:
        db.session.rollback()
        items = [(item, service.reading(item, now)) for item in service.owner_complaints(current_account().id)]
        return render_template("complaints/panel.html", items=items, now=now, errors={complaint_id: error.errors},
                               form={complaint_id: request.form.get("answer", "")}), 400
    return redirect(url_for("complaints.panel", **lang_args()))


# --- staff ------------------------------------------------------------------------------------

@bp.get("/staff/complaints")
@staff_required("complaint.view")
def staff_list():
    state = request.args.get("state", "")
    state = state if state in CONFIRMED_STATES + (UNCONFIRMED,) else ""
    overdue = request.args.get("overdue") == "1"
    now = app_clock.utcnow()
    return render_template("complaints/staff.html", staff=current_staff(), state=state, overdue=overdue, now=now,
                           states=CONFIRMED_STATES + (UNCONFIRMED,), items=service.staff_list(state or None, overdue))


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
