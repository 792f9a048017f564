"""Sign-up and sign-in: one-time SMS codes with their limits, and optional passwords."""
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import signing
from ..extensions import db
from ..iran.digits import to_latin_digits
from ..iran.identifiers import IdentifierError, clean_mobile, clean_national_code
from ..marks import N_
from ..events import Actor, emit
from ..events.actors import PUBLIC
from .models import Account, OtpChallenge, RecoveryRequest

CODE_DIGITS = 6
MIN_PASSWORD = 10
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
RECOVERY_NOTE_MAX = 2000
RECOVERY_PER_IP_DAY = 5
RECOVERY_PER_CODE_DAY = 3


class AccountError(Exception):
    """A sign-in step that cannot go on; `message` is a msgid, `variables` fill it, `field` names the input."""

    def __init__(self, message, field=None, **variables):
        super().__init__(message)
        self.message, self.field, self.variables = message, field, variables


def _config(name):
    return current_app.config[name]


def _code_text(challenge_id, code):
    return f"otp.v1|{challenge_id}|{code}"


def clean_sign_in(national_code, mobile):
    """Both identifiers, canonical; AccountError naming the first bad field."""
    errors = {}
    try:
        national_code = clean_national_code(national_code)
    except IdentifierError as error:
        errors["national_code"] = str(error)
    try:
        mobile = clean_mobile(mobile)
    except IdentifierError as error:
        errors["mobile"] = str(error)
    return national_code, mobile, errors


def _check_send_limits(mobile, ip, now):
    since = now - HOUR
    last = db.session.scalar(select(func.max(OtpChallenge.created_at)).where(OtpChallenge.mobile == mobile))
    interval = timedelta(seconds=_config("SEAL_OTP_RESEND_SECONDS"))
    if last is not None and last + interval > now:
        raise AccountError(N_("A code was just sent to this number; you can ask for another in %(seconds)s seconds."),
                           seconds=int((last + interval - now).total_seconds()) + 1)
    counts = (
        (OtpChallenge.mobile == mobile, "SEAL_OTP_SENDS_PER_NUMBER_HOUR",
         N_("Too many codes were sent to this number; try again in an hour.")),
        (OtpChallenge.ip == ip, "SEAL_OTP_SENDS_PER_IP_HOUR",
         N_("Too many codes were asked for from your connection; try again in an hour.")),
        (True, "SEAL_OTP_SENDS_PER_HOUR",
         N_("We are sending too many codes right now; please try again later.")),
    )
    for condition, setting, message in counts:
        sent = db.session.scalar(
            select(func.count()).select_from(OtpChallenge).where(condition, OtpChallenge.created_at > since))
        if sent >= _config(setting):
            raise AccountError(message)


ATTEMPT_NOTICE_INTERVAL = timedelta(hours=1)


def _check_mobile_owner(national_code, mobile, now):
    """A new account only for the mobile the registry (Shahkar) says belongs to the national code."""
    from ..integrations import checks

    try:
        answer = checks.owns_mobile(national_code, mobile, now=now)
    except checks.CheckTimeout:
        raise AccountError(N_("The mobile registry did not answer; please try again in a few minutes.")) from None
    if not answer.passed:
        raise AccountError(N_("This mobile number is not registered to this national code. Use the mobile number "
                              "registered in your name; if someone else holds your code, ask for recovery."), "mobile")


def _tell_holder_of_attempt(account, mobile, now):
    """Tell the account's own mobile that someone tried another number (at most once an hour, or it is spam)."""
    from ..events.models import Event

    recent = db.session.scalar(select(Event.id).where(
        Event.kind == "account.sign_in_attempted", Event.subject_type == "account", Event.subject_id == account.id,
        Event.created_at > now - ATTEMPT_NOTICE_INTERVAL).limit(1))
    if recent is None:
        emit("account.sign_in_attempted", ("account", account.id), {"masked_mobile": mobile[:4] + "***" + mobile[-4:]},
             Actor(PUBLIC), now=now, to={"sms": account.mobile}, audit=False)


def start_sign_in(national_code, mobile, *, ip, now):
    """Send a one-time code for signing up or in; returns the challenge whose id the session keeps.

    When the national code belongs to an account with another mobile number, no SMS goes
    out and the challenge can never be passed, so the page does not reveal who is registered;
    the code page offers every visitor the recovery procedure (`request_recovery`), so the
    real holder who finds their code taken is never locked out.
    """
    national_code, mobile, errors = clean_sign_in(national_code, mobile)
    if errors:
        field, message = next(iter(errors.items()))
        error = AccountError(message, field)
        error.errors = errors
        raise error
    _check_send_limits(mobile, ip, now)
    account = db.session.scalar(select(Account).where(Account.national_code == national_code))
    if account is None:
        _check_mobile_owner(national_code, mobile, now)
    challenge_id = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    deliver = account is None or account.mobile == mobile
    challenge = OtpChallenge(
        id=challenge_id, national_code=national_code, mobile=mobile,
        account_id=account.id if account else None,
        code_hash=signing.code_digest(_code_text(challenge_id, code)) if deliver else "-",
        ip=ip, created_at=now, expires_at=now + timedelta(seconds=_config("SEAL_OTP_TTL_SECONDS")),
        attempts=0, delivered=deliver,
    )
    db.session.add(challenge)
    if not deliver:
        _tell_holder_of_attempt(account, mobile, now)
    if deliver:
        # queued in this transaction; the worker sends it within a second or two
        emit("account.sign_in_code", ("account", account.id if account else 0),
             {"minutes": _config("SEAL_OTP_TTL_SECONDS") // 60}, Actor(PUBLIC), now=now,
             to={"sms": mobile}, secrets={"code": code}, audit=False)
    db.session.commit()
    return challenge


def resend(challenge_id, *, ip, now):
    """A fresh code for the same national code and mobile, under the same limits."""
    challenge = db.session.get(OtpChallenge, challenge_id) if challenge_id else None
    if challenge is None:
        raise AccountError(N_("Start again: enter your national code and mobile number."))
    return start_sign_in(challenge.national_code, challenge.mobile, ip=ip, now=now)


def _check_try_limits(challenge, now):
    """Hourly caps on tries: per national code and mobile over delivered codes only, and per address.

    Challenges sent to other mobiles never carry a code, so counting them would let anyone lock
    the holder out by asking for codes with their own numbers.
    """
    tries = func.coalesce(func.sum(OtpChallenge.attempts), 0)
    recent = OtpChallenge.created_at > now - HOUR
    for condition, setting, message in (
        ((OtpChallenge.national_code == challenge.national_code) & (OtpChallenge.mobile == challenge.mobile)
         & OtpChallenge.delivered.is_(True), "SEAL_OTP_ACCOUNT_TRIES_PER_HOUR",
         N_("Too many wrong codes for this account; try again in an hour.")),
        (OtpChallenge.ip == challenge.ip, "SEAL_OTP_IP_TRIES_PER_HOUR",
         N_("Too many wrong codes from your connection; try again in an hour.")),
    ):
        if db.session.scalar(select(tries).where(condition, recent)) >= _config(setting):
            raise AccountError(message)


def verify_code(challenge_id, code, *, now):
    """The account this code signs in (created on first sign-in), or AccountError."""
    challenge = db.session.get(OtpChallenge, challenge_id) if challenge_id else None
    if challenge is None:
        raise AccountError(N_("Start again: enter your national code and mobile number."))
    if challenge.used_at is not None:
        raise AccountError(N_("This code was already used; ask for a new one."))
    if now >= challenge.expires_at:
        raise AccountError(N_("This code has expired; ask for a new one."))
    max_tries = _config("SEAL_OTP_MAX_TRIES")
    if challenge.attempts >= max_tries:
        raise AccountError(N_("Too many wrong codes; ask for a new one."))
    _check_try_limits(challenge, now)
    typed = to_latin_digits(str(code or "")).strip().replace(" ", "")
    if not (len(typed) == CODE_DIGITS and typed.isascii() and typed.isdigit()):
        raise AccountError(N_("The code has 6 digits."), "code")
    # Spend a try before comparing, atomically: parallel guesses cannot share the last try.
    spent = db.session.execute(
        update(OtpChallenge).where(OtpChallenge.id == challenge.id, OtpChallenge.attempts < max_tries,
                                   OtpChallenge.used_at.is_(None))
        .values(attempts=OtpChallenge.attempts + 1).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if spent != 1:
        raise AccountError(N_("Too many wrong codes; ask for a new one."))
    if not (challenge.delivered and signing.verify_code_digest(challenge.code_hash, _code_text(challenge.id, typed))):
        db.session.refresh(challenge)
        left = max_tries - challenge.attempts
        if left <= 0:
            raise AccountError(N_("Too many wrong codes; ask for a new one."))
        raise AccountError(N_("This code is not right; %(left)s tries left."), "code", left=left)
    used = db.session.execute(
        update(OtpChallenge).where(OtpChallenge.id == challenge.id, OtpChallenge.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        db.session.rollback()
        raise AccountError(N_("This code was already used; ask for a new one."))
    account = db.session.scalar(select(Account).where(Account.national_code == challenge.national_code))
    if account is None:
        account = Account(national_code=challenge.national_code, mobile=challenge.mobile, created_at=now)
        db.session.add(account)
    account.last_login_at = now
    db.session.commit()
    return account


def request_recovery(national_code, mobile, email, note, *, ip, now):
    """Record a holder's request to take back a national code (staff act on it); the same answer for anyone.

    Returns the request, or None when the daily caps are reached (the answer looks the same,
    so the caps reveal nothing either); AccountError (with `errors`) for bad input.
    """
    national_code, mobile, errors = clean_sign_in(national_code, mobile)
    email = (email or "").strip()
    if email:
        from ..onboarding.contact import clean_email

        try:
            email = clean_email(email)
        except ValueError as error:
            errors["email"] = str(error)
    note = (note or "").strip()
    if len(note) > RECOVERY_NOTE_MAX:
        errors["note"] = N_("This note is too long; keep it to a few lines.")
    if errors:
        field, message = next(iter(errors.items()))
        error = AccountError(message, field)
        error.errors = errors
        raise error
    since = now - DAY
    for condition, cap in ((RecoveryRequest.ip == ip, RECOVERY_PER_IP_DAY),
                           (RecoveryRequest.national_code == national_code, RECOVERY_PER_CODE_DAY)):
        if db.session.scalar(select(func.count()).select_from(RecoveryRequest)
                             .where(condition, RecoveryRequest.created_at > since)) >= cap:
            return None
    account = db.session.scalar(select(Account).where(Account.national_code == national_code))
    request = RecoveryRequest(national_code=national_code, mobile=mobile, email=email or None, note=note or None,
                              account_id=account.id if account else None, ip=ip, status="open", created_at=now)
    db.session.add(request)
    db.session.commit()
    return request


def set_password(account, password):
    """Store a scrypt hash of a new password; AccountError when it is too short."""
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(N_("Choose a password of at least %(count)s characters."), "password", count=MIN_PASSWORD)
    account.password_hash = generate_password_hash(password, method="scrypt")
    db.session.commit()


_DUMMY_HASH = []


def _dummy_hash():
    """A scrypt hash of a random password, made once, compared against when there is no real hash."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash(secrets.token_urlsafe(24), method="scrypt"))
    return _DUMMY_HASH[0]


def password_sign_in(national_code, password, *, now):
    """The account for this national code and password, or one AccountError for any mismatch."""
    try:
        national_code = clean_national_code(national_code)
    except IdentifierError as error:
        raise AccountError(str(error), "national_code") from None
    account = db.session.scalar(select(Account).where(Account.national_code == national_code))
    dummy = _dummy_hash()
    stored = account.password_hash if account is not None and account.password_hash else dummy
    # hash every time: a quick answer would tell which national codes have a password
    if not check_password_hash(stored, password or "") or stored is dummy:
        raise AccountError(N_("The national code or password is not right."))
    account.last_login_at = now
    db.session.commit()
    return account
