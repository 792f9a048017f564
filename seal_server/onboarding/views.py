"""The owner's panel: the dashboard and one page per application step."""
import os
import re
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, make_response, redirect, render_template, request,
                   send_from_directory, url_for)

from .. import PAGE_CSP

from ..accounts.auth import current_account, lang_args, login_required
from ..clock import utcnow
from ..extensions import db, limiter
from ..billing import fees
from ..i18n import current_language
from ..marks import N_
from ..iran import places
from ..seals import service as seal_service
from ..seals import cache as seal_cache
from ..seals.badge import DEFAULT_SIZE, SIZES, as_seen_on_own_site
from . import checks, codes, contact, documents, gray, issuance, payment, proof, service, terms
from . import domain as domain_proof
from .storage import storage_from_config

bp = Blueprint("onboarding", __name__, url_prefix="/panel")

STEP_TITLES = {
    "identity": N_("Identity"),
    "documents": N_("Documents"),
    "business": N_("Business"),
    "domain": N_("Proof of domain ownership"),
    "contact": N_("Contact details"),
    "postal": N_("Postal address verification"),
    "commitment": N_("Commitment"),
    "payment": N_("Payment"),
}
STEP_ENDPOINTS = {
    "identity": "onboarding.identity",
    "documents": "onboarding.documents_step",
    "business": "onboarding.business",
    "domain": "onboarding.domain",
    "contact": "onboarding.contact_step",
    "postal": "onboarding.postal",
    "commitment": "onboarding.commitment",
    "payment": "onboarding.payment_step",
}
STATE_TITLES = {
    "not_started": N_("Not started"),
    "pending": N_("Pending"),
    "done": N_("Done"),
    "rejected": N_("Rejected"),
}


@bp.context_processor
def titles():
    return {"STEP_TITLES": STEP_TITLES, "STEP_ENDPOINTS": STEP_ENDPOINTS, "STATE_TITLES": STATE_TITLES, "DOCUMENT_LABELS": documents.KIND_LABELS}


def _application(application_id):
    account = current_account()
    application = service.find_for(account, application_id)
    # staff may look at any application; only its owner may change it
    if application is None or (request.method != "GET" and application.account_id != account.id):
        abort(404)
    return application


def _to_overview(application):
    return redirect(url_for("onboarding.application", application_id=application.id, **lang_args()))


@bp.errorhandler(service.NotEditable)
def not_editable(error):
    """One answer for every change refused because the application is not open to it."""
    return render_template("error.html", code=409, message=error.message), 409


@bp.get("")
@login_required
def dashboard():
    account = current_account()
    applications = service.applications_for(account)
    now = utcnow()
    for application in applications:
        service.refresh_steps(application, now)
    return render_template("onboarding/dashboard.html", account=account, applications=applications,
                           next_step=service.next_step, required_steps=service.required_steps)


@bp.post("/applications")
@login_required
def new_application():
    try:
        application = service.open_application(current_account(), utcnow())
    except service.QuotaReached as refused:
        account = current_account()
        return render_template("onboarding/dashboard.html", account=account,
                               applications=service.applications_for(account), next_step=service.next_step,
                               required_steps=service.required_steps,
                               errors={"_form": (refused.message, refused.variables)}), 400
    return _to_overview(application)


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id):
    application = _application(application_id)
    now = utcnow()
    service.refresh_steps(application, now)
    seal = issuance.seal_of(application)
    account = current_account()
    moved = seal is not None and seal.business.owner.account_id != account.id and not account.is_staff
    if moved:
        seal = None  # transferred to a new owner: this account no longer holds it
    return render_template("onboarding/application.html", application=application, transferred_seal=moved,
                           seal=seal, snippet=seal_service.snippet(seal, current_language()) if seal else None,
                           seal_urls=seal_service.urls_for(seal) if seal else None, badge_size=SIZES[DEFAULT_SIZE],
                           badge_preview=as_seen_on_own_site(seal_cache.snapshot(seal.public_id), current_language(),
                                                             now).data_uri if seal else None,
                           required=service.required_steps(application),
                           gray_months=gray.flagged_months(seal) if seal and seal.kind == "gray" else [],
                           second_year=payment.invoice_for(application, payment.SECOND_YEAR_PURPOSE) if seal else None,
                           next_step=service.next_step(application),
                           missing_documents=service.missing_documents(application, now),
                           missing=request.args.getlist("missing"))


@bp.post("/applications/<int:application_id>/submit")
@login_required
def submit(application_id):
    application = _application(application_id)
    missing = issuance.submit(application, utcnow())
    if missing:
        return redirect(url_for("onboarding.application", application_id=application.id, missing=missing, **lang_args()))
    return _to_overview(application)


@bp.post("/applications/<int:application_id>/delete")
@login_required
def delete(application_id):
    application = _application(application_id)
    service.withdraw(application, utcnow(), storage_from_config(current_app.config))
    return redirect(url_for("onboarding.dashboard", **lang_args()))


@bp.route("/applications/<int:application_id>/identity", methods=["GET", "POST"])
@login_required
def identity(application_id):
    application = _application(application_id)
    account = current_account()
    errors = {}
    if request.method == "POST":
        form = request.form.to_dict()
        errors = service.save_identity(application, account, form, utcnow())
        if not errors:
            return _to_overview(application)
        form.update(national_code=account.national_code, mobile=account.mobile)
    else:
        form = service.identity_form(application, account)
    return render_template("onboarding/identity.html", application=application, form=form, errors=errors,
                           genders=service.GENDERS), 400 if errors else 200


def _account_key():
    account = current_account()
    return f"account:{account.id}" if account else request.remote_addr or ""


@bp.route("/applications/<int:application_id>/documents", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("100 per day", methods=["POST"], key_func=_account_key)
def documents_step(application_id):
    application = _application(application_id)
    now = utcnow()
    errors = {}
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(current_app.config["SEAL_UPLOAD_MAX_BYTES"] + 1) if upload else b""
        try:
            service.add_document(application, request.form.get("kind", ""), upload.filename if upload else "",
                                 data, storage_from_config(current_app.config), now)
        except documents.UploadError as error:
            errors = {"file": (error.message, error.variables)}
        else:
            return redirect(url_for("onboarding.documents_step", application_id=application.id, **lang_args()))
    minor = service.is_minor(application.owner, now)
    kinds = documents.allowed_kinds(application.owner, is_minor=minor)
    return render_template(
        "onboarding/documents.html", application=application, errors=errors, kinds=kinds, minor=minor,
        required=documents.required_kinds(application.owner, is_minor=minor),
        form={"kind": request.form.get("kind", "")}), 400 if errors else 200


@bp.post("/applications/<int:application_id>/documents/<int:document_id>/delete")
@login_required
def delete_document(application_id, document_id):
    application = _application(application_id)
    found = service.remove_document(application, document_id, storage_from_config(current_app.config), utcnow())
    if not found:
        abort(404)
    return redirect(url_for("onboarding.documents_step", application_id=application.id, **lang_args()))


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@login_required
def document_file(application_id, document_id):
    """The stored bytes, to the application's owner or staff only, never rendered in our origin."""
    return document_response(_application(application_id), document_id)


def document_response(application, document_id, *, inline=False):
    """A stored document's bytes with headers that keep it inert: a download for the owner; for the
    staff console, shown inside the review page (a PDF in the browser's own viewer, framed by us only)."""
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    response = make_response(storage_from_config(current_app.config).read(document.storage_key))
    response.headers["Content-Type"] = document.content_type
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="document-{document.id}.{document.storage_key[-3:]}"'
    if not inline:
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    elif document.content_type == "application/pdf":
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    else:
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'self'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Referrer-Policy"] = "no-referrer"
    if inline:
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/applications/<int:application_id>/business", methods=["GET", "POST"])
@login_required
def business(application_id):
    application = _application(application_id)
    category_list, category_options = service.category_choices(current_language())
    errors = {}
    if request.method == "POST":
        form = request.form.to_dict()
        errors = service.save_business(application, form, category_list, utcnow())
        if not errors:
            return _to_overview(application)
    else:
        form = service.business_form(application)
    return render_template("onboarding/business.html", application=application, form=form, errors=errors,
                           categories=category_options, seal_kinds=service.SEAL_KINDS,
                           sales_methods=service.SALES_METHODS), 400 if errors else 200


CHECK_STATES = checks.SHOWN


def _domain_page(application, errors=None, status=200):
    now = utcnow()
    challenges = domain_proof.current_challenges(application, now)
    check = checks.latest(application)
    if check is not None and check.challenge_id not in {challenge.id for challenge in challenges.values()}:
        check = None  # a check of a code since replaced says nothing about the current ones
    if check is not None and check.state == checks.DONE and not errors and not check.verified:
        errors = {"_form": (check.message, check.variables or {})}
    return render_template(
        "onboarding/domain.html", application=application, errors=errors or {},
        challenges=challenges, methods=proof.METHODS, check=check,
        check_state=CHECK_STATES[check.state] if check is not None else None,
        mailboxes=proof.EMAIL_MAILBOXES, file_paths=proof.file_paths,
        dns_label=proof.DNS_LABEL), status


@bp.get("/applications/<int:application_id>/domain")
@login_required
def domain(application_id):
    return _domain_page(_application(application_id))


@bp.post("/applications/<int:application_id>/domain/start")
@login_required
@limiter.limit("10 per minute")
def domain_start(application_id):
    application = _application(application_id)
    try:
        domain_proof.start(application, request.form.get("method", ""), request.form.get("mailbox", ""), utcnow())
    except proof.ProofFailed as failure:
        return _domain_page(application, {"_form": (failure.message, failure.variables)}, 400)
    return redirect(url_for("onboarding.domain", application_id=application.id, **lang_args()))


@bp.post("/applications/<int:application_id>/domain/check")
@login_required
@limiter.limit("10 per minute")
def domain_check(application_id):
    """The email code is checked here; every other method is queued for the worker and the page follows it."""
    application = _application(application_id)
    challenge_id = request.form.get("challenge", type=int)
    now = utcnow()
    try:
        challenge = domain_proof.checkable(application, challenge_id, now)
        if challenge.method == proof.EMAIL:
            domain_proof.check(application, challenge_id, now, code=request.form.get("code"))
        elif checks.request_check(application, challenge_id, now) is not None:
            return redirect(url_for("onboarding.domain", application_id=application.id, **lang_args()))
    except proof.ProofFailed as failure:
        return _domain_page(application, {"_form": (failure.message, failure.variables)}, 400)
    return _to_overview(application)


@bp.get("/applications/<int:application_id>/domain/checks/<int:check_id>")
@login_required
def domain_check_state(application_id, check_id):
    """What the domain page polls: queued, fetching or done, and where to go once done."""
    application = _application(application_id)
    check = db.session.get(checks.DomainCheck, check_id)
    if check is None or check.kind != checks.ONBOARDING or check.application_id != application.id:
        abort(404)
    done = check.state == checks.DONE
    endpoint = "onboarding.application" if done and check.verified else "onboarding.domain"
    return checks.progress(check, url_for(endpoint, application_id=application.id, **lang_args()))


LEAFLET_FILES = re.compile(r"^(leaflet\.js|leaflet\.css|images/[a-z0-9\-]+\.png)$")


def _map_settings():
    """The tiles URL and its origin when the map can be offered (Leaflet installed, tiles configured)."""
    tiles = current_app.config["SEAL_MAP_TILES_URL"]
    folder = current_app.config["SEAL_LEAFLET_DIR"]
    if not tiles or not folder or not os.path.isfile(os.path.join(folder, "leaflet.js")):
        return None
    parts = urlsplit(tiles)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return {"tiles": tiles, "origin": f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}",
            "attribution": current_app.config["SEAL_MAP_ATTRIBUTION"]}


@bp.get("/assets/leaflet/<path:filename>")
def leaflet_asset(filename):
    """Leaflet's files from the npm install; only the ones the map needs."""
    folder = current_app.config["SEAL_LEAFLET_DIR"]
    if not folder or not LEAFLET_FILES.match(filename):
        abort(404)
    return send_from_directory(folder, filename, max_age=86400)


def _contact_page(application, form, errors=None, code_errors=None, status=200):
    settings = _map_settings()
    response = current_app.make_response((_contact_html(application, form, errors, code_errors, settings), status))
    if settings:
        # the map's tiles are images from the tile server
        response.headers["Content-Security-Policy"] = PAGE_CSP.replace(
            "img-src 'self' data:", f"img-src 'self' data: {settings['origin']}")
    return response


def _contact_html(application, form, errors, code_errors, map_settings):
    return render_template(
        "onboarding/contact.html", application=application, form=form, errors=errors or {},
        code_errors=code_errors or {}, provinces=places.provinces(), lang=current_language(),
        email_verified=service.email_verified(application), email_code=codes.latest(application, "email"),
        landline_verified=service.landline_verified(application),
        landline_code=codes.latest(application, "landline"), map_settings=map_settings)


@bp.route("/applications/<int:application_id>/contact", methods=["GET", "POST"])
@login_required
def contact_step(application_id):
    application = _application(application_id)
    if request.method == "GET":
        return _contact_page(application, contact.contact_form(application))
    form = request.form.to_dict()
    errors = contact.save_contact(application, form, utcnow())
    if errors:
        return _contact_page(application, form, errors, status=400)
    return redirect(url_for("onboarding.contact_step", application_id=application.id, **lang_args()))


def _contact_code_action(application_id, error_field, action):
    """Send or check a contact code, then back to the contact page (with the error beside `error_field`)."""
    application = _application(application_id)
    try:
        action(application)
    except codes.CodeError as error:
        return _contact_page(application, contact.contact_form(application),
                             code_errors={error_field: (error.message, error.variables)}, status=400)
    return redirect(url_for("onboarding.contact_step", application_id=application.id, **lang_args()))


@bp.post("/applications/<int:application_id>/contact/landline/call")
@login_required
@limiter.limit("3 per minute")
def contact_landline_call(application_id):
    return _contact_code_action(application_id, "landline_code", lambda app: contact.call_landline(app, utcnow()))


@bp.post("/applications/<int:application_id>/contact/landline/check")
@login_required
@limiter.limit("10 per minute")
def contact_landline_check(application_id):
    code = request.form.get("code", "")
    return _contact_code_action(application_id, "landline_code",
                                lambda app: contact.check_landline_code(app, code, utcnow()))


@bp.post("/applications/<int:application_id>/contact/email/send")
@login_required
@limiter.limit("5 per minute")
def contact_email_send(application_id):
    return _contact_code_action(application_id, "code", lambda app: contact.send_email_code(app, utcnow()))


@bp.post("/applications/<int:application_id>/contact/email/check")
@login_required
@limiter.limit("10 per minute")
def contact_email_check(application_id):
    code = request.form.get("code", "")
    return _contact_code_action(application_id, "code", lambda app: contact.check_email_code(app, code, utcnow()))


@bp.route("/applications/<int:application_id>/commitment", methods=["GET", "POST"])
@login_required
def commitment(application_id):
    application = _application(application_id)
    current = terms.current()
    notice, errors, status = None, {}, 200
    if request.method == "POST":
        if request.form.get("accept") != "yes":
            errors, status = {"accept": (N_("Tick the box to accept the commitment."), {})}, 400
        else:
            try:
                accepted = service.accept_terms(application, request.form.get("version", ""),
                                                request.remote_addr, utcnow())
            except ValueError as error:
                errors, status = {"_form": (str(error), {})}, 409
            else:
                if accepted:
                    return _to_overview(application)
                notice = N_("You had already accepted this version of the commitment; nothing changed.")
    return render_template("onboarding/commitment.html", application=application, terms=current,
                           lang=current_language(), errors=errors, notice=notice), status


def _to_invoice(invoice):
    return redirect(url_for("billing.invoice", number=invoice.number, **lang_args()))


def _payment_page(application, errors=None, status=200):
    schedule = current_app.config["SEAL_FEES"]
    upgrade_due = None
    if application.purpose == "upgrade":
        from ..upgrades import service as upgrades

        upgrade_due = upgrades.due(application.seal)
    return render_template(
        "onboarding/payment.html", application=application, errors=errors or {}, upgrade_due=upgrade_due,
        invoice=payment.invoice_for(application, payment.SEAL_PURPOSE),
        plans={"standard": fees.seal_fee_plan(schedule, micro=False), "micro": fees.seal_fee_plan(schedule, micro=True)},
    ), status


@bp.get("/applications/<int:application_id>/payment")
@login_required
def payment_step(application_id):
    return _payment_page(_application(application_id))


@bp.post("/applications/<int:application_id>/payment")
@login_required
def payment_invoice(application_id):
    application = _application(application_id)
    try:
        invoice = payment.seal_invoice(application, current_account(), utcnow())
    except payment.StepError as error:
        return _payment_page(application, {"_form": (error.message, error.variables)}, 400)
    return _to_invoice(invoice)


def _postal_page(application, errors=None, status=200):
    latest = codes.latest(application, "postal")
    return render_template(
        "onboarding/postal.html", application=application, errors=errors or {},
        invoice=payment.invoice_for(application, payment.POSTAL_PURPOSE), latest=latest, now=utcnow(),
        fee=current_app.config["SEAL_FEES"].postal_check, verified=service.step(application, "postal"),
        postal_key=service.postal_key(application)), status


@bp.get("/applications/<int:application_id>/postal")
@login_required
def postal(application_id):
    application = _application(application_id)
    service.refresh_steps(application, utcnow())
    return _postal_page(application)


@bp.post("/applications/<int:application_id>/postal/invoice")
@login_required
def postal_invoice(application_id):
    application = _application(application_id)
    try:
        invoice = payment.postal_invoice(application, current_account(), utcnow())
    except payment.StepError as error:
        return _postal_page(application, {"_form": (error.message, error.variables)}, 400)
    return _to_invoice(invoice)


@bp.post("/applications/<int:application_id>/postal/letter")
@login_required
@limiter.limit("5 per minute")
def postal_letter(application_id):
    application = _application(application_id)
    try:
        payment.new_letter(application, utcnow())
    except payment.StepError as error:
        return _postal_page(application, {"_form": (error.message, error.variables)}, 400)
    return redirect(url_for("onboarding.postal", application_id=application.id, **lang_args()))


@bp.post("/applications/<int:application_id>/postal/check")
@login_required
@limiter.limit("10 per minute")
def postal_check(application_id):
    application = _application(application_id)
    try:
        payment.check_postal_code(application, request.form.get("code", ""), utcnow())
    except payment.StepError as error:
        return _postal_page(application, {"code": (error.message, error.variables)}, 400)
    return _to_overview(application)
