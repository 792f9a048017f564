"""The console: sign-in with password and TOTP, enrolment, and staff administration."""
from flask import Blueprint, abort, make_response, redirect, render_template, request, session, url_for

from markupsafe import Markup
from sqlalchemy import or_, select

from .. import clock
from ..accounts.auth import lang_args
from ..accounts.views import safe_next
from ..audit import record_event, verify_chain
from ..billing.fees import RIALS_PER_TOMAN
from ..copies import rules as copy_rules
from ..copies import service as copies
from ..integrations import checks
from ..extensions import db, limiter
from ..iran import places
from ..marks import N_
from ..onboarding import documents, issuance
from ..onboarding import service as onboarding
from ..onboarding.views import STATE_TITLES, STEP_TITLES, document_response
from ..seals import service as seal_service
from ..seals.models import Seal
from ..seals.service import urls_for
from . import accounts as staff_accounts
from . import audit_log, policy, review, rules, service, totp
from .auth import TOKEN_KEY, console_blueprint, current_session, current_staff, refused, staff_required

bp = console_blueprint(Blueprint("staff", __name__, url_prefix="/staff"))


def _errors(error):
    return {error.field: (error.message, error.variables)}


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def sign_in():
    form, errors = {}, {}
    if request.method == "POST":
        form = {"national_code": request.form.get("national_code", "")}
        try:
            token = service.sign_in(form["national_code"], request.form.get("password", ""),
                                    request.form.get("code", ""), now=clock.utcnow(), ip=request.remote_addr)
        except service.StaffError as error:
            errors = _errors(error)
        else:
            session[TOKEN_KEY] = token
            return redirect(safe_next(request.args.get("next", "")) or url_for("staff.home", **lang_args()))
    return render_template("staff/sign_in.html", form=form, errors=errors), 400 if errors else 200


@bp.post("/sign-out")
def sign_out():
    service.sign_out(session.pop(TOKEN_KEY, None), clock.utcnow())
    return redirect(url_for("staff.sign_in", **lang_args()))


@bp.route("/enrol/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def enrol(token):
    now = clock.utcnow()
    staff = service.staff_for_enrolment(token, now)
    if staff is None:
        return refused(N_("This enrolment link is not valid any more; ask an administrator for a new one."), 404)
    errors = {}
    if request.method == "POST":
        try:
            codes = service.complete_enrolment(token, request.form.get("password", ""),
                                               request.form.get("repeat", ""), request.form.get("code", ""), now=now)
        except service.StaffError as error:
            errors = _errors(error)
        else:
            return render_template("staff/recovery_codes.html", staff=staff, codes=codes)
    uri = totp.provisioning_uri(staff.totp_secret, staff.national_code)
    return render_template("staff/enrol.html", staff=staff, qr=Markup(totp.qr_svg(uri)), secret=staff.totp_secret,
                           errors=errors, min_password=service.MIN_PASSWORD), 400 if errors else 200


@bp.get("")
@staff_required("console.enter")
def home():
    return render_template("staff/home.html", staff=current_staff())


# --- staff administration -------------------------------------------------------------------

def _people_page(errors=None, form=None, invited=None, status=200):
    return render_template("staff/people.html", people=service.all_staff(), roles=policy.ROLES,
                           errors=errors or {}, form=form or {}, invited=invited, me=current_staff()), status


@bp.route("/people", methods=["GET", "POST"])
@staff_required("staff.manage")
def people():
    if request.method == "GET":
        return _people_page()
    form = {"national_code": request.form.get("national_code", ""), "name": request.form.get("name", ""),
            "roles": request.form.getlist("roles")}
    now = clock.utcnow()
    try:
        service.confirm_fresh(current_session(), request.form.get("code"), now)
        staff, token = service.create_staff(form["national_code"], form["name"], form["roles"], now=now,
                                            actor=f"staff:{current_staff().id}")
    except service.StaffError as error:
        return _people_page(_errors(error), form, status=400)
    return _people_page(invited=(staff, enrol_link(token)))


def enrol_link(token):
    return url_for("staff.enrol", token=token, _external=True)


def _admin_action(staff_id, action):
    now = clock.utcnow()
    try:
        service.confirm_fresh(current_session(), request.form.get("code"), now)
        result = action(now)
    except service.StaffError as error:
        return _people_page({f"person-{staff_id}": (error.message, error.variables)}, status=400)
    if isinstance(result, tuple):  # a new enrolment link, shown once
        return _people_page(invited=(result[0], enrol_link(result[1])))
    return redirect(url_for("staff.people", **lang_args()))


@bp.post("/people/<int:staff_id>/roles")
@staff_required("staff.manage")
def change_roles(staff_id):
    roles = request.form.getlist("roles")
    return _admin_action(staff_id, lambda now: service.change_roles(current_staff(), staff_id, roles, now=now))


@bp.post("/people/<int:staff_id>/disable")
@staff_required("staff.manage")
def disable(staff_id):
    return _admin_action(staff_id, lambda now: service.disable(current_staff(), staff_id, now=now))


@bp.post("/people/<int:staff_id>/reset")
@staff_required("staff.manage")
def reset(staff_id):
    return _admin_action(staff_id, lambda now: service.reset_enrolment(current_staff(), staff_id, now=now))


# --- review ---------------------------------------------------------------------------------

def _application_or_404(application_id):
    application = review.get(application_id)
    if application is None:
        abort(404)
    return application


@bp.get("/queue")
@staff_required("queue.view")
def queue():
    args = request.args
    filters = {"kind": args.get("kind") or None, "province": args.get("province") or None,
               "q": args.get("q") or None, "holder": args.get("holder") or None,
               "overdue": args.get("overdue") == "1"}
    rows = review.queue(now=clock.utcnow(), me=current_staff(), **filters)
    holders = {person.id: person.name for person in service.all_staff()}
    return render_template("staff/queue.html", staff=current_staff(), rows=rows, filters=filters, holders=holders,
                           provinces=places.provinces(), province_by_code=places.province_by_code,
                           expectations=(rules.DOCUMENTS_WORKING_DAYS, rules.SEAL_DAYS))


def _review_page(application, errors=None, status=200):
    staff = current_staff()
    policy.require(staff, "application.view", application)
    now = clock.utcnow()
    clock_facts = rules.review_clock(application.submitted_at, now) if application.submitted_at else None
    return render_template(
        "staff/review.html", staff=staff, application=application, errors=errors or {}, clock=clock_facts,
        steps_titles=STEP_TITLES, state_titles=STATE_TITLES, document_labels=documents.KIND_LABELS,
        province=places.province_by_code(application.province or ""), seal=issuance.seal_of(application),
        minor=onboarding.is_minor(application.owner, now), check_titles=checks.CHECK_TITLES,
        **review.details(application)), status


@bp.get("/applications/<int:application_id>")
@staff_required("application.view")
def application(application_id):
    return _review_page(_application_or_404(application_id))


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@staff_required("document.view")
def document(application_id, document_id):
    """A document shown inside the review page: inline, never cached, never run as a page of ours."""
    return document_response(_application_or_404(application_id), document_id, inline=True)


def _decision(application_id, action, fresh=False):
    """Run a decision; its refusal comes back on the review page, its success back to it too."""
    application = _application_or_404(application_id)
    now = clock.utcnow()
    try:
        if fresh:
            service.confirm_fresh(current_session(), request.form.get("code"), now)
        action(application, now)
    except service.StaffError as error:
        db.session.rollback()
        return _review_page(_application_or_404(application_id), _errors(error), 409 if
                            error.message == review.CHANGED else 400)
    return redirect(url_for("staff.application", application_id=application_id, **lang_args()))


@bp.post("/applications/<int:application_id>/claim")
@staff_required("application.claim")
def claim(application_id):
    return _decision(application_id, lambda app, now: review.claim(current_staff(), app, now=now))


@bp.post("/applications/<int:application_id>/assign")
@staff_required("application.assign")
def assign(application_id):
    to = request.form.get("assignee", type=int)
    return _decision(application_id, lambda app, now: review.assign(current_staff(), app, to, now=now))


@bp.post("/applications/<int:application_id>/steps/<step>")
@staff_required("step.decide")
def decide_step(application_id, step):
    verdict, reason = request.form.get("verdict", ""), request.form.get("reason", "")
    return _decision(application_id, lambda app, now: review.decide_step(
        current_staff(), app, step, verdict, reason, now=now))


@bp.post("/applications/<int:application_id>/approve")
@staff_required("application.approve")
def approve(application_id):
    return _decision(application_id, lambda app, now: review.approve(current_staff(), app, now=now), fresh=True)


@bp.post("/applications/<int:application_id>/reject")
@staff_required("application.reject")
def reject(application_id):
    reason = request.form.get("reason", "")
    return _decision(application_id, lambda app, now: review.reject(current_staff(), app, reason, now=now))


@bp.post("/applications/<int:application_id>/checks/<int:check_id>/override")
@staff_required("check.override")
def override_check(application_id, check_id):
    reason = request.form.get("reason", "")
    return _decision(application_id, lambda app, now: review.override_check(
        current_staff(), app, check_id, reason, now=now), fresh=True)


@bp.route("/checks", methods=["GET", "POST"])
@staff_required("check.sandbox")
def check_sandbox():
    """The sandbox registries: what each answers (pass, fail, time out), for everyone or one subject."""
    errors = {}
    if request.method == "POST":
        try:
            row = checks.set_sandbox_outcome(request.form.get("check", ""), request.form.get("outcome", ""),
                                             request.form.get("subject", ""), now=clock.utcnow())
        except ValueError:
            errors = {"_form": (N_("Choose a check and an answer."), {})}
        else:
            record_event(actor=f"staff:{current_staff().id}", action="check.sandbox_set", subject_type="staff",
                         subject_id=current_staff().id, now=clock.utcnow(),
                         after={"check": row.kind, "subject": row.subject, "outcome": row.outcome})
            db.session.commit()
            return redirect(url_for("staff.check_sandbox", **lang_args()))
    return render_template("staff/checks.html", staff=current_staff(), outcomes=checks.sandbox_outcomes(),
                           names=checks.CHECKS, titles=checks.CHECK_TITLES, choices=checks.OUTCOMES,
                           errors=errors), 400 if errors else 200


@bp.get("/gray")
@staff_required("gray.view")
def gray_over_limit():
    """Gray seals over their monthly limits: candidates for a one-star seal."""
    return render_template("staff/gray.html", staff=current_staff(), rows=review.gray_over_limit(),
                           rials_per_toman=RIALS_PER_TOMAN, verify_url=lambda seal: urls_for(seal)["verify_url"])


@bp.route("/accounts", methods=["GET", "POST"])
@staff_required("account.move")
def accounts():
    """Find an owner's account by national code and move it to its verified holder's mobile."""
    national_code = request.values.get("national_code", "")
    found = staff_accounts.find(national_code) if national_code else None
    errors, form, moved = {}, {}, None
    if request.method == "POST" and found is not None:
        form = {"mobile": request.form.get("mobile", ""), "reason": request.form.get("reason", "")}
        now = clock.utcnow()
        try:
            service.confirm_fresh(current_session(), request.form.get("code"), now)
            moved = staff_accounts.move(current_staff(), found.id, form["mobile"], request.form.get("verified") == "yes",
                                        form["reason"], now=now)
        except service.StaffError as error:
            db.session.rollback()
            errors = _errors(error)
    return render_template("staff/accounts.html", staff=current_staff(), national_code=national_code,
                           found=found, errors=errors, form=form, moved=moved, mask=staff_accounts.mask), \
        400 if errors else 200


# --- seals ----------------------------------------------------------------------------------

SEAL_ACTIONS = {"suspend": "seal.suspend", "reinstate": "seal.suspend", "revoke": "seal.revoke"}


def _seals_page(seal=None, errors=None, status=200):
    query = " ".join(request.args.get("q", "").split())[:253]
    found = db.session.scalars(select(Seal).where(or_(Seal.public_id == query, Seal.domain.contains(
        query.lower(), autoescape=True))).order_by(Seal.id.desc()).limit(50)).all() if query else []
    return render_template("staff/seals.html", staff=current_staff(), query=query, found=found, seal=seal,
                           errors=errors or {}, verify_url=lambda item: urls_for(item)["verify_url"],
                           sightings=copies.sightings_of(seal) if seal else [], shown_host=copy_rules.shown_host), status


@bp.get("/seals")
@staff_required("seal.view")
def seals():
    return _seals_page()


@bp.route("/seals/<public_id>", methods=["GET", "POST"])
@staff_required("seal.view")
def seal(public_id):
    try:
        item = seal_service.get_seal(public_id)
    except seal_service.SealNotFound:
        abort(404)
    if request.method == "GET":
        return _seals_page(item)
    action = request.form.get("action", "")
    if action not in SEAL_ACTIONS:
        abort(400)
    policy.require(current_staff(), SEAL_ACTIONS[action])
    reason = rules.clean_reason(request.form.get("reason"))
    now = clock.utcnow()
    try:
        if action == "revoke":
            service.confirm_fresh(current_session(), request.form.get("code"), now)
        if reason is None and action != "reinstate":
            raise service.StaffError(N_("Write the reason the owner will read (at least %(count)s characters)."),
                                     "reason", count=rules.MIN_REASON)
        door = {"suspend": seal_service.suspend, "reinstate": seal_service.reinstate, "revoke": seal_service.revoke}
        door[action](public_id, now=now, actor=f"staff:{current_staff().id}", reason=reason)
    except service.StaffError as error:
        db.session.rollback()
        return _seals_page(item, _errors(error), 400)
    except seal_service.InvalidTransition:
        db.session.rollback()
        return _seals_page(seal_service.get_seal(public_id), {"_form": (
            N_("The seal's status does not allow this, or it changed just now; see its status above."), {})}, 409)
    return redirect(url_for("staff.seal", public_id=public_id, **lang_args()))


# --- the audit log --------------------------------------------------------------------------

@bp.get("/audit")
@staff_required("audit.view")
def audit():
    filters, bad = audit_log.parse_filters(request.args)
    checked, broken = verify_chain()
    return render_template("staff/audit.html", staff=current_staff(), rows=audit_log.search(filters),
                           filters=filters, bad=bad, args=request.args, checked=checked, broken=broken)


@bp.get("/audit.csv")
@staff_required("audit.view")
def audit_csv():
    filters, _ = audit_log.parse_filters(request.args)
    response = make_response(audit_log.to_csv(audit_log.search(filters, limit=100_000)))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
