"""Conformity pages: the owner's licences and rating requests, and the staff's queues for both."""
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from .. import clock, signing
from ..accounts.auth import current_account, lang_args, login_required
from ..extensions import db, limiter
from ..onboarding import checks
from ..onboarding.storage import storage_from_config
from ..seals.models import Licence
from ..seals import service as seal_service
from .models import NonConformity, RatingRequest
from ..staff import policy
from ..staff.auth import console_blueprint, current_staff, staff_required
from . import service

# the staff pages' navigation asks `may`; owners' and staff pages here are private: no-store
bp = console_blueprint(Blueprint("conformity", __name__))


def _owned_or_404(public_id):
    seal = service.owned_seal(current_account(), public_id)
    if seal is None:
        abort(404)
    return seal


@bp.route("/panel/seals/<public_id>/licences", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def licences(public_id):
    seal = _owned_or_404(public_id)
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = {key: request.form.get(key, "") for key in ("title", "issuer", "number", "valid_from", "valid_to")}
        upload = request.files.get("scan")
        try:
            service.add_licence(seal, form, upload.read() if upload else b"", now=clock.utcnow(),
                                actor=f"owner:{current_account().id}")
        except service.ConformityError as error:
            errors, status = error.errors, 400
        else:
            return redirect(url_for("conformity.licences", public_id=public_id, **lang_args()))
    today = service.local_today(clock.utcnow())
    return render_template("conformity/licences.html", seal=seal, form=form, errors=errors, today=today,
                           counts=service.rules.licence_counts), status


@bp.get("/staff/licences")
@staff_required("licence.verify")
def staff_licences():
    return render_template("conformity/staff_licences.html", staff=current_staff(),
                           licences=service.pending_licences(), errors={})


@bp.post("/staff/licences/<int:licence_id>")
@staff_required("licence.verify")
def staff_decide_licence(licence_id):
    if db.session.get(Licence, licence_id) is None:
        abort(404)
    try:
        service.decide_licence(licence_id, request.form.get("verdict", ""), now=clock.utcnow(),
                               staff_id=current_staff().id, note=request.form.get("note", ""))
    except service.ConformityError as error:
        return render_template("conformity/staff_licences.html", staff=current_staff(),
                               licences=service.pending_licences(), errors=error.errors), 400
    return redirect(url_for("conformity.staff_licences", **lang_args()))


@bp.get("/staff/licences/<int:licence_id>/scan")
@staff_required("licence.verify")
def staff_licence_scan(licence_id):
    licence = db.session.get(Licence, licence_id)
    if licence is None or not licence.scan_key:
        abort(404)
    response = make_response(storage_from_config(current_app.config).read(licence.scan_key))
    response.headers["Content-Type"] = licence.scan_type
    response.headers["Content-Disposition"] = f'attachment; filename="licence-{licence.id}.{licence.scan_key[-3:]}"'
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/panel/seals/<public_id>/rating", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def rating(public_id):
    seal = _owned_or_404(public_id)
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = {"level": request.form.get("level", ""), "evidence": request.form.get("evidence", "")}
        try:
            _, invoice = service.request_rating(seal, current_account(), form["level"], form["evidence"],
                                                now=clock.utcnow())
        except service.ConformityError as error:
            errors, status = error.errors, 400
        else:
            return redirect(url_for("billing.invoice", number=invoice.number, **lang_args()))
    return render_template("conformity/rating.html", seal=seal, form=form, errors=errors,
                           requests=service.ratings_of(seal), now=clock.utcnow(),
                           fees=current_app.config["SEAL_FEES"]), status


@bp.get("/staff/ratings")
@staff_required("rating.decide")
def staff_ratings():
    return render_template("conformity/staff_ratings.html", staff=current_staff(), requests=service.open_ratings(),
                           now=clock.utcnow())


@bp.route("/staff/ratings/<int:request_id>", methods=["GET", "POST"])
@staff_required("rating.decide")
def staff_rating(request_id):
    rating_request = db.session.get(RatingRequest, request_id)
    if rating_request is None:
        abort(404)
    errors, status, now = {}, 200, clock.utcnow()
    if request.method == "POST":
        try:
            if request.form.get("action") == "check-https":
                service.request_rating_https(request_id, staff_id=current_staff().id, now=now)
            else:
                service.decide_rating(request_id, staff_id=current_staff().id, now=now,
                                      long_activity=request.form.get("long_activity") == "yes",
                                      note=request.form.get("note", ""))
                return redirect(url_for("conformity.staff_ratings", **lang_args()))
        except service.ConformityError as error:
            errors, status = error.errors, 400
        else:
            return redirect(url_for("conformity.staff_rating", request_id=request_id, **lang_args()))
    seal = rating_request.seal
    facts = service.star_facts(seal, now, https_ok=rating_request.https_ok, long_activity=False)
    check = service.https_check_of(request_id)
    if (check is not None and check.state == checks.DONE and not check.verified and not errors
            and check.message != rating_request.https_note):
        errors = {"_form": (check.message, check.variables or {})}  # e.g. the worker gave up on it
    return render_template("conformity/staff_rating.html", staff=current_staff(), item=rating_request, seal=seal,
                           errors=errors, now=now, check=check,
                           check_state=checks.SHOWN[check.state] if check is not None else None, criteria=service.rules.criteria(facts, service.thresholds()),
                           cap=service.rules.LEVEL_CAPS[rating_request.level]), status


@bp.get("/staff/ratings/<int:request_id>/checks/<int:check_id>")
@staff_required("rating.decide")
def staff_rating_check(request_id, check_id):
    """What the rating request's page polls while the worker checks the shop's HTTPS."""
    check = db.session.get(checks.DomainCheck, check_id)
    if check is None or check.kind != checks.HTTPS or check.subject_id != request_id:
        abort(404)
    return checks.progress(check, url_for("conformity.staff_rating", request_id=request_id, **lang_args()))


# non-conformities ---------------------------------------------------------------------------------------------

@bp.route("/staff/seals/<public_id>/nonconformities", methods=["GET", "POST"])
@staff_required("nonconformity.record")
def staff_nonconformities(public_id):
    try:
        seal = seal_service.get_seal(public_id)
    except seal_service.SealNotFound:
        abort(404)
    form, errors, status, now = {}, {}, 200, clock.utcnow()
    if request.method == "POST":
        form = {key: request.form.get(key, "") for key in ("level", "description", "internal_note", "days")}
        try:
            service.record_nonconformity(seal, form, now=now, staff_id=current_staff().id)
        except service.ConformityError as error:
            errors, status = error.errors, 400
        else:
            return redirect(url_for("conformity.staff_nonconformities", public_id=public_id, **lang_args()))
    return render_template("conformity/staff_nonconformities.html", staff=current_staff(), seal=seal, form=form,
                           errors=errors, items=service.nonconformities_of(seal), now=now,
                           LEVELS=service.rules.NC_LEVEL_TITLES, may_suspend=service.rules.may_suspend_for), status


@bp.get("/staff/nonconformities")
@staff_required("nonconformity.record")
def staff_answered_nonconformities():
    return render_template("conformity/staff_answers.html", staff=current_staff(), errors={},
                           items=service.answered_nonconformities(), LEVELS=service.rules.NC_LEVEL_TITLES)


@bp.post("/staff/nonconformities/<int:item_id>")
@staff_required("nonconformity.record")
def staff_decide_nonconformity(item_id):
    try:
        service.decide_nonconformity(item_id, request.form.get("verdict") == "accept", now=clock.utcnow(),
                                     staff_id=current_staff().id, note=request.form.get("note", ""))
    except service.ConformityError as error:
        return render_template("conformity/staff_answers.html", staff=current_staff(), errors=error.errors,
                               items=service.answered_nonconformities(),
                               LEVELS=service.rules.NC_LEVEL_TITLES), 400
    return redirect(url_for("conformity.staff_answered_nonconformities", **lang_args()))


@bp.post("/staff/nonconformities/<int:item_id>/suspend")
@staff_required("seal.suspend")
def staff_suspend_for_nonconformity(item_id):
    item = db.session.get(NonConformity, item_id)
    if item is None:
        abort(404)
    public_id = item.seal.public_id
    try:
        service.suspend_for_nonconformity(item_id, now=clock.utcnow(), staff_id=current_staff().id)
    except service.ConformityError as error:
        return render_template("error.html", code=409, message=error.errors["_form"][0]), 409
    return redirect(url_for("conformity.staff_nonconformities", public_id=public_id, **lang_args()))


@bp.get("/panel/seals/<public_id>/nonconformities")
@login_required
def nonconformities(public_id):
    seal = _owned_or_404(public_id)
    return render_template("conformity/nonconformities.html", seal=seal, items=service.nonconformities_of(seal),
                           LEVELS=service.rules.NC_LEVEL_TITLES, errors={}, failed=None)


@bp.post("/panel/nonconformities/<int:item_id>/answer")
@login_required
@limiter.limit("30 per hour")
def answer_nonconformity(item_id):
    try:
        item = service.answer_nonconformity(current_account(), item_id, request.form.get("answer", ""),
                                            now=clock.utcnow())
    except LookupError:
        abort(404)
    except service.ConformityError as error:
        item = db.session.get(NonConformity, item_id)
        return render_template("conformity/nonconformities.html", seal=item.seal,
                               items=service.nonconformities_of(item.seal), LEVELS=service.rules.NC_LEVEL_TITLES,
                               errors=error.errors, failed=item_id, typed=request.form.get("answer", "")), 400
    return redirect(url_for("conformity.nonconformities", public_id=item.seal.public_id, **lang_args()))


# violation reports ----------------------------------------------------------------------------------------------

def _public_seal_or_404(public_id):
    try:
        seal = seal_service.get_seal(public_id)
    except seal_service.SealNotFound:
        abort(404)
    if not signing.verify_seal_code(request.args.get("code", ""), seal.public_id, seal.domain, seal.serial):
        abort(404)
    return seal


@bp.route("/verify/<public_id>/violation", methods=["GET", "POST"])
@limiter.limit("5 per hour;20 per day", methods=["POST"])
def violation(public_id):
    seal = _public_seal_or_404(public_id)
    now = clock.utcnow()
    form, errors, status, report = {}, {}, 200, None
    if request.method == "POST":
        form = {key: request.form.get(key, "") for key in
                ("kind", "description", "contact", "website", "challenge", "nonce")}
        try:
            report = service.file_violation_report(seal, form, now=now)
        except service.ConformityError as error:
            errors, status = error.errors, 400
    response = make_response(render_template(
        "conformity/violation.html", seal=seal, form=form, errors=errors, report=report,
        KINDS=service.rules.VIOLATION_TITLES, bits=service.rules.WORK_BITS,
        challenge=signing.report_challenge(seal.public_id, now.timestamp())), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/staff/violations")
@staff_required("violation.triage")
def staff_violations():
    return render_template("conformity/staff_violations.html", staff=current_staff(), errors={},
                           reports=service.new_violation_reports(), KINDS=service.rules.VIOLATION_TITLES)


@bp.post("/staff/violations/<int:report_id>")
@staff_required("violation.triage")
def staff_triage_violation(report_id):
    outcome = request.form.get("outcome", "")
    if outcome == "suspended":
        policy.require(current_staff(), "seal.suspend")
    try:
        service.triage_violation_report(report_id, outcome, now=clock.utcnow(), staff_id=current_staff().id)
    except service.ConformityError as error:
        return render_template("conformity/staff_violations.html", staff=current_staff(), errors=error.errors,
                               reports=service.new_violation_reports(), KINDS=service.rules.VIOLATION_TITLES), 400
    return redirect(url_for("conformity.staff_violations", **lang_args()))
