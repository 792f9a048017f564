"""The owner's "Register a change" pages of a seal, and the staff list of changes to review."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import clock
from ..accounts.auth import current_account, lang_args, login_required
from ..extensions import db, limiter
from ..i18n import current_language
from ..iran import places
from ..onboarding import checks, proof
from ..onboarding import service as onboarding
from ..responses import private
from ..seals import service as seals
from ..seals.models import Seal
from ..staff import policy
from ..staff.auth import console_blueprint, current_staff, staff_required
from . import rules, service
from .models import SealChange

bp = Blueprint("changes", __name__, url_prefix="/panel/seals")
staff_bp = console_blueprint(Blueprint("changes_staff", __name__, url_prefix="/staff/changes"))


def _owned_seal(public_id):
    """The seal when the signed-in account owns it; 404 otherwise (never tell whose it is)."""
    seal = db.session.scalar(select(Seal).where(Seal.public_id == public_id))
    if seal is None or seal.business.owner.account_id != current_account().id:
        abort(404)
    return seal


def _owned_change(public_id, change_id):
    seal = _owned_seal(public_id)
    change = db.session.get(SealChange, change_id)
    if change is None or change.seal_id != seal.id:
        abort(404)
    return seal, change


def _categories():
    items, choices = onboarding.category_choices(current_language())
    return {code for code, _, _ in items}, choices, {code: name for code, name in choices}


def _render(template, status=200, **context):
    _, choices, names = _categories()
    html = render_template(template, rules=rules, categories=choices, category_names=names,
                           provinces=[(row[0], row[1] if current_language() == "fa" else row[2]) for row in places.provinces()], sales_methods=onboarding.SALES_METHODS, **context)
    return private(html, status)


def _index(seal, status=200, errors=None):
    return _render("changes/index.html", status, seal=seal, changes=service.changes_of(seal), errors=errors or {},
                   closed=rules.changeable(seal.status))


@bp.get("/<public_id>/changes")
@login_required
def index(public_id):
    return _index(_owned_seal(public_id))


def _form_page(seal, kind, form, errors=None, status=200):
    extra = {}
    if kind == rules.MICRO:
        application = service.application_of(seal)
        extra["difference"] = service.micro_difference(application) if application and application.micro else None
    return _render("changes/new.html", status, seal=seal, kind=kind, form=form, errors=errors or {},
                   current=service.current_value(seal, kind), closed=rules.changeable(seal.status), **extra)


@bp.get("/<public_id>/changes/new/<kind>")
@login_required
def new(public_id, kind):
    seal = _owned_seal(public_id)
    if kind not in rules.KINDS:
        abort(404)
    return _form_page(seal, kind, service.form_values(seal, kind))


@bp.post("/<public_id>/changes/new/<kind>")
@login_required
@limiter.limit("30 per hour")
def create(public_id, kind):
    seal = _owned_seal(public_id)
    if kind not in rules.KINDS:
        abort(404)
    form = {name: request.form.get(name, "") for name in rules.FIELDS[kind]}
    try:
        change = service.request_change(seal, current_account(), kind, form, now=clock.utcnow(),
                                        category_codes=_categories()[0])
    except service.ChangeError as error:
        db.session.rollback()
        return _form_page(seal, kind, form, error.errors, 409 if "_form" in error.errors else 400)
    return redirect(url_for("changes.show", public_id=seal.public_id, change_id=change.id, **lang_args()))


def _change_page(seal, change, errors=None, status=200, form=None):
    check = checks.latest_of(checks.CHANGE, change.id)
    if check is not None and (change.challenge_id is None or check.challenge_id != change.challenge_id):
        check = None  # a check of a challenge since replaced says nothing about the current one
    errors = errors or {}
    if check is not None and check.state == checks.DONE and not check.verified and not errors:
        errors = {"proof": (check.message, check.variables or {})}
    return _render("changes/change.html", status, seal=seal, change=change, errors=errors, form=form or {},
                   proof_job=check, check_state=checks.SHOWN[check.state] if check is not None else None,
                   methods=proof.METHODS, mailboxes=proof.EMAIL_MAILBOXES, snippet=seals.snippet(seal),
                   file_paths=proof.file_paths(change.challenge.token) if change.challenge else (),
                   meta_name=proof.META_NAME, dns_label=proof.DNS_LABEL)


@bp.get("/<public_id>/changes/<int:change_id>")
@login_required
def show(public_id, change_id):
    return _change_page(*_owned_change(public_id, change_id))


ACTIONS = {
    "code": lambda change, now: service.confirm_code(change, request.form.get("code", ""), now),
    "resend": service.resend_code,
    "cancel": lambda change, now: service.cancel(change, current_account(), now),
    "proof-start": lambda change, now: service.start_proof(change, request.form.get("method", ""),
                                                           request.form.get("mailbox", ""), now),
    "proof-check": lambda change, now: service.proof_check(change, now, code=request.form.get("code")),
}


@bp.post("/<public_id>/changes/<int:change_id>/<action>")
@login_required
@limiter.limit("60 per hour")
def act(public_id, change_id, action):
    seal, change = _owned_change(public_id, change_id)
    if action not in ACTIONS:
        abort(404)
    try:
        ACTIONS[action](change, clock.utcnow())
    except service.ChangeError as error:
        db.session.rollback()
        seal, change = _owned_change(public_id, change_id)
        return _change_page(seal, change, error.errors, 409 if "_form" in error.errors else 400,
                            form={"code": request.form.get("code", ""), "method": request.form.get("method", ""),
                                  "mailbox": request.form.get("mailbox", "")})
    return redirect(url_for("changes.show", public_id=seal.public_id, change_id=change.id, **lang_args()))


@bp.get("/<public_id>/changes/<int:change_id>/checks/<int:check_id>")
@login_required
def check_state(public_id, change_id, check_id):
    """What the change's page polls while the worker looks for the new domain's proof."""
    seal, change = _owned_change(public_id, change_id)
    check = db.session.get(checks.DomainCheck, check_id)
    if check is None or check.kind != checks.CHANGE or check.subject_id != change.id:
        abort(404)
    return checks.progress(check, url_for("changes.show", public_id=seal.public_id, change_id=change.id,
                                          **lang_args()))


# --- staff ------------------------------------------------------------------------------------

def _staff_page(errors=None, status=200, form=None):
    html = render_template("changes/staff.html", staff=current_staff(), waiting=service.waiting_for_review(),
                           decided=service.recently_reviewed(), rules=rules, errors=errors or {}, form=form or {},
                           category_names=_categories()[2], sales_methods=dict(onboarding.SALES_METHODS))
    return html, status


@staff_bp.get("")
@staff_required("change.decide")
def staff_list():
    return _staff_page()


@staff_bp.post("/<int:change_id>")
@staff_required("change.decide")
def staff_decide(change_id):
    change = db.session.get(SealChange, change_id)
    if change is None:
        abort(404)
    action = request.form.get("action", "")
    if action not in ("apply", "refuse"):
        abort(400)
    staff = current_staff()
    policy.require(staff, "change.decide", change.seal.business)
    try:
        service.decide(change, staff, approve=action == "apply", note=request.form.get("note"), now=clock.utcnow())
    except service.ChangeError as error:
        db.session.rollback()
        return _staff_page({change_id: error.errors}, 409 if "_form" in error.errors else 400,
                           form={"change": change_id, "note": request.form.get("note", "")})
    return redirect(url_for("changes_staff.staff_list", **lang_args()))
