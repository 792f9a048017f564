"""Sign-up and sign-in pages: national code + mobile, a one-time SMS code, an optional password."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from ..clock import utcnow
from ..extensions import limiter
from ..marks import N_
from . import service
from .auth import code_is_fresh, current_account, end_sessions, lang_args, login_required, login_user, logout_user

bp = Blueprint("accounts", __name__, url_prefix="/account")

CHALLENGE_KEY = "otp_challenge"


def safe_next(target):
    """`target` when it is a path on this site, else None (browsers drop tabs and newlines, so refuse them)."""
    if not target or any(ord(char) <= 0x20 or char == "\\" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _after_login_url():
    return safe_next(request.args.get("next", "")) or url_for("onboarding.dashboard", **lang_args())


def _form_errors(error):
    errors = getattr(error, "errors", None)
    if errors:
        return {field: (message, {}) for field, message in errors.items()}
    return {error.field or "_form": (error.message, error.variables)}


@bp.route("/enter", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def enter():
    """One page for signing up and signing in: the code goes to the mobile on record."""
    form, errors = {}, {}
    if request.method == "POST":
        form = {"national_code": request.form.get("national_code", ""), "mobile": request.form.get("mobile", "")}
        try:
            challenge = service.start_sign_in(form["national_code"], form["mobile"],
                                              ip=request.remote_addr or "", now=utcnow())
        except service.AccountError as error:
            errors = _form_errors(error)
        else:
            session[CHALLENGE_KEY] = challenge.id
            return redirect(url_for("accounts.code", next=request.args.get("next"), **lang_args()))
    status = 400 if errors else 200
    return render_template("accounts/enter.html", form=form, errors=errors), status


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def code():
    challenge_id = session.get(CHALLENGE_KEY)
    if not challenge_id:
        return redirect(url_for("accounts.enter", **lang_args()))
    errors = {}
    if request.method == "POST":
        now = utcnow()
        try:
            account = service.verify_code(challenge_id, request.form.get("code", ""), now=now)
        except service.AccountError as error:
            errors = _form_errors(error)
        else:
            target = _after_login_url()
            login_user(account, now, by_code=True)
            return redirect(target)
    return render_template("accounts/code.html", errors=errors), 400 if errors else 200


@bp.post("/code/resend")
@limiter.limit("5 per minute")
def resend():
    try:
        challenge = service.resend(session.get(CHALLENGE_KEY), ip=request.remote_addr or "", now=utcnow())
    except service.AccountError as error:
        return render_template("accounts/code.html", errors=_form_errors(error)), 429
    session[CHALLENGE_KEY] = challenge.id
    return render_template("accounts/code.html", errors={}, resent=True)


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def recover():
    """The recovery procedure for a national code registered with someone else's mobile, and its request form."""
    form, errors, recorded = {}, {}, False
    if request.method == "POST":
        form = {name: request.form.get(name, "") for name in ("national_code", "mobile", "email", "note")}
        try:
            service.request_recovery(form["national_code"], form["mobile"], form["email"], form["note"],
                                     ip=request.remote_addr or "", now=utcnow())
        except service.AccountError as error:
            errors = _form_errors(error)
        else:
            form, recorded = {}, True
    return render_template("accounts/recover.html", form=form, errors=errors, recorded=recorded), \
        400 if errors else 200


@bp.route("/password-login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def password_login():
    form, errors = {}, {}
    if request.method == "POST":
        form = {"national_code": request.form.get("national_code", "")}
        now = utcnow()
        try:
            account = service.password_sign_in(form["national_code"], request.form.get("password", ""), now=now)
        except service.AccountError as error:
            errors = _form_errors(error)
        else:
            target = _after_login_url()
            login_user(account, now)
            return redirect(target)
    return render_template("accounts/password_login.html", form=form, errors=errors), 400 if errors else 200


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    now = utcnow()
    if not code_is_fresh(now, current_app.config["SEAL_FRESH_CODE_SECONDS"]):
        # whoever holds a stolen or forgotten session must not make the account theirs: ask the phone
        return redirect(url_for("accounts.enter", next=url_for("accounts.password"), **lang_args()))
    errors, saved = {}, False
    if request.method == "POST":
        new, again = request.form.get("password", ""), request.form.get("password_again", "")
        if new != again:
            errors = {"password_again": (N_("The two passwords are not the same."), {})}
        else:
            try:
                account = current_account()
                service.set_password(account, new)
                end_sessions(account)  # every other session ends; this one goes on
                login_user(account, now, by_code=True)
                saved = True
            except service.AccountError as error:
                errors = _form_errors(error)
    return render_template("accounts/password.html", errors=errors, saved=saved), 400 if errors else 200


@bp.get("")
@login_required
def home():
    return render_template("accounts/home.html", account=current_account())


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("seals.home", **lang_args()))
