"""The payment providers' API (bearer token) and the staff pages that register them."""
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from werkzeug.routing import PathConverter

from .. import clock
from ..accounts.auth import current_account, lang_args, login_required
from ..conformity.service import owned_seal
from ..extensions import csrf, db, limiter
from ..marks import N_
from ..iran.digits import to_latin_digits
from ..onboarding import gray
from ..responses import private
from ..staff import service as staff_service
from ..staff.auth import console_blueprint, current_session, current_staff, staff_required
from . import service
from .models import PaymentProvider

api = Blueprint("providers_api", __name__, url_prefix="/api/v1")


class AnyText(PathConverter):
    """A path segment of any characters, line breaks included: every unknown domain answers 403, not a 404."""

    regex = "(?s:[^/].*?)"


api.record_once(lambda state: state.app.url_map.converters.setdefault("anytext", AnyText))


def _bearer():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _provider():
    """The provider of the request's bearer token (or None), looked up once per request."""
    if "seal.psp_provider" not in request.environ:  # not g: a test's app context outlives its requests
        request.environ["seal.psp_provider"] = service.authenticate(_bearer())
    return request.environ["seal.psp_provider"]


def per_token():
    """Rate-limit key: the provider when its token is good, else the caller's address (a made-up token per
    request must not buy a fresh allowance)."""
    provider = _provider()
    return f"psp:{provider.id}" if provider is not None else "psp-anonymous:" + get_remote_address()


def _provider_or_401():
    provider = _provider()
    if provider is None:
        response = jsonify(error="a valid provider token is required (Authorization: Bearer ...)")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="payment providers"'
        abort(response)
    return provider


def _json_body():
    """The request's JSON, or None when it is missing, broken or nested too deep to read."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _refusal(error):
    return private(jsonify(error=str(error)), error.status)


@api.post("/gray-volumes")
@csrf.exempt
@limiter.limit("120 per minute", key_func=per_token)
def gray_volume():
    """A provider reports a gray-sealed merchant's month it bound: {seal_id, month, amount_rials, transactions}."""
    provider = _provider_or_401()
    try:
        totals = service.report_volume(provider, _json_body(), clock.utcnow())
    except gray.VolumeError as error:
        db.session.rollback()
        return _refusal(error)
    return private(jsonify(totals))


@api.post("/psp/merchants")
@csrf.exempt
@limiter.limit("120 per minute", key_func=per_token)
def bind_merchant():
    provider = _provider_or_401()
    try:
        binding, created = service.bind(provider, _json_body(), now=clock.utcnow())
    except service.ApiError as error:
        return _refusal(error)
    return private(jsonify(service.binding_json(binding)), 201 if created else 200)


@api.get("/psp/merchants")
@limiter.limit("120 per minute", key_func=per_token)
def list_merchants():
    provider = _provider_or_401()
    return private(jsonify(merchants=[service.binding_json(item) for item in
                                                   service.merchants_of(provider, disputed=False)]))


@api.get("/psp/merchants/<anytext:domain>")
@limiter.limit("600 per minute", key_func=per_token)
def merchant(domain):
    """The merchant's seal as a gateway needs it; 403 for a merchant this provider has not bound."""
    provider = _provider_or_401()
    try:
        return private(jsonify(service.merchant_status(provider, domain, clock.utcnow())))
    except service.ApiError as error:
        return _refusal(error)


@api.delete("/psp/merchants/<anytext:domain>")
@csrf.exempt
@limiter.limit("120 per minute", key_func=per_token)
def unbind_merchant(domain):
    provider = _provider_or_401()
    try:
        service.unbind(provider, domain, now=clock.utcnow())
    except service.ApiError as error:
        return _refusal(error)
    return private(current_app.response_class(), 204)


# --- staff pages ----------------------------------------------------------------------------------------------

bp = console_blueprint(Blueprint("providers", __name__, url_prefix="/staff/providers"))


def _errors(error):
    return {error.field: (error.message, error.variables)}


def _list_page(errors=None, form=None, issued=None, status=200):
    return render_template("providers/list.html", staff=current_staff(), providers=service.all_providers(),
                           errors=errors or {}, form=form or {}, issued=issued), status


@bp.route("", methods=["GET", "POST"])
@staff_required("provider.manage")
def index():
    if request.method == "GET":
        return _list_page()
    form = {"name": request.form.get("name", ""), "contact": request.form.get("contact", "")}
    now = clock.utcnow()
    try:
        staff_service.confirm_fresh(current_session(), request.form.get("code"), now)
        provider, token = service.register(form["name"], form["contact"], now=now,
                                           actor=f"staff:{current_staff().id}")
    except staff_service.StaffError as error:
        db.session.rollback()
        return _list_page(_errors(error), form, status=400)
    return _detail_page(provider, token=token)


def _detail_page(provider, token=None, errors=None, status=200):
    return render_template("providers/detail.html", staff=current_staff(), provider=provider, token=token,
                           bindings=service.merchants_of(provider), errors=errors or {}), status


def _form_id(name):
    """A whole number from the form (any digits), or 0 when there is none: no row has id 0."""
    value = to_latin_digits(request.form.get(name, "")).strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0


def _provider_or_404(provider_id):
    provider = db.session.get(PaymentProvider, provider_id)
    if provider is None:
        abort(404)
    return provider


@bp.get("/<int:provider_id>")
@staff_required("provider.manage")
def detail(provider_id):
    return _detail_page(_provider_or_404(provider_id))


@bp.post("/<int:provider_id>")
@staff_required("provider.manage")
def change(provider_id):
    provider = _provider_or_404(provider_id)
    action = request.form.get("action", "")
    if action not in ("rotate", "disable", "clear"):
        abort(400)
    now = clock.utcnow()
    actor = f"staff:{current_staff().id}"
    try:
        staff_service.confirm_fresh(current_session(), request.form.get("code"), now)
        if action == "rotate":
            return _detail_page(provider, token=service.rotate(provider, now=now, actor=actor))
        if action == "clear":
            service.clear_dispute(provider, _form_id("binding"), now=now, actor=actor)
        else:
            service.disable(provider, now=now, actor=actor)
    except staff_service.StaffError as error:
        db.session.rollback()
        return _detail_page(_provider_or_404(provider_id), errors=_errors(error), status=400)
    return redirect(url_for("providers.detail", provider_id=provider_id, **lang_args()))


# --- the owner's view -----------------------------------------------------------------------------------------

panel = Blueprint("providers_panel", __name__, url_prefix="/panel")


@panel.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@panel.get("/seals/<public_id>/providers")
@login_required
def owner_providers(public_id):
    """The payment providers that said they serve this seal's shop, and how to reach them."""
    return _owner_page(_owned_or_404(public_id))


def _owned_or_404(public_id):
    seal = owned_seal(current_account(), public_id)
    if seal is None:
        abort(404)
    return seal


def _owner_page(seal, errors=None, status=200):
    return render_template("providers/owner.html", seal=seal, bindings=service.bindings_of_seal(seal),
                           errors=errors or {}), status


@panel.post("/seals/<public_id>/providers/dispute")
@login_required
@limiter.limit("10 per hour")
def dispute(public_id):
    """The owner says a provider does not serve the shop: its binding ends as disputed (see service.dispute)."""
    seal = _owned_or_404(public_id)
    try:
        if request.form.get("confirm") != "yes":
            raise service.ProviderError(N_("Tick the box to confirm that this provider does not serve your shop."))
        service.dispute(seal, _form_id("binding"), current_account(), now=clock.utcnow())
    except service.ProviderError as error:
        db.session.rollback()
        return _owner_page(seal, {"_form": (error.message, error.variables)}, 400)
    return redirect(url_for("providers_panel.owner_providers", public_id=public_id, disputed=1, **lang_args()))
