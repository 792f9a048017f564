"""Staff accounts: creation with a one-time enrolment link, password + TOTP sign-in, sessions, roles.

Sessions are rows: the cookie holds a random token and the table its digest, so sign-out and
disabling end a session at once, whatever the cookie says. A session ends after 30 minutes
without a request or 8 hours in all. Sensitive actions (policy.FRESH) need a TOTP code typed
in the last FRESH_SECONDS. Every change and every refused sign-in leaves an audit row.
"""
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select, update

from ..audit import record_event
from ..events.actors import Actor
from ..extensions import db
from ..iran.identifiers import IdentifierError, clean_national_code
from ..marks import N_
from . import policy, totp
from .models import Staff, StaffSession

IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=8)
FRESH_SECONDS = 300
ENROL_VALID = timedelta(hours=72)
MIN_PASSWORD = 12
MAX_FAILURES = 5  # then the account is locked for LOCKOUT, doubling while failures continue
LOCKOUT = timedelta(minutes=15)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password-but-the-same-work")


class StaffError(Exception):
    """A refusal for a person: `message` is a msgid, `field` the form field it belongs to."""

    def __init__(self, message, field="_form", **variables):
        super().__init__(message)
        self.message, self.field, self.variables = message, field, variables


class NeedsFreshCode(StaffError):
    """A sensitive action: the staff member must type a current code first."""

    def __init__(self):
        super().__init__(N_("Type a current code from your authenticator app to confirm this action."), "code")


def _clean_roles(roles):
    roles = sorted({role for role in roles if role})
    if not roles:
        raise StaffError(N_("Choose at least one role."), "roles")
    unknown = [role for role in roles if role not in policy.ROLES]
    if unknown:
        raise StaffError(N_("Unknown role: %(role)s."), "roles", role=unknown[0])
    return roles


def _new_enrolment(staff, now):
    token = secrets.token_urlsafe(32)
    staff.enrol_digest, staff.enrol_expires_at = totp.token_digest(token), now + ENROL_VALID
    return token


def create_staff(national_code, name, roles, *, now, actor):
    """A new staff member who has not enrolled yet; returns (staff, one-time enrolment token). Commits."""
    try:
        code = clean_national_code(national_code)
    except IdentifierError as error:
        raise StaffError(str(error), "national_code") from None
    name = " ".join((name or "").split())[:120]
    if not name:
        raise StaffError(N_("Enter the person's name."), "name")
    roles = _clean_roles(roles)
    if db.session.scalar(select(Staff.id).where(Staff.national_code == code)) is not None:
        raise StaffError(N_("A staff member with this national code already exists."), "national_code")
    staff = Staff(national_code=code, name=name, roles=roles, totp_secret=totp.new_secret(), recovery_codes=[],
                  failed_attempts=0, created_at=now)
    token = _new_enrolment(staff, now)
    db.session.add(staff)
    db.session.flush()
    record_event(actor=actor, action="staff.created", subject_type="staff", subject_id=staff.id, now=now,
                 after={"national_code": code, "name": name, "roles": roles})
    db.session.commit()
    return staff, token


def staff_for_enrolment(token, now):
    """The staff member this enrolment link belongs to while it is valid, else None."""
    if not token:
        return None
    staff = db.session.scalar(select(Staff).where(Staff.enrol_digest == totp.token_digest(token)))
    if staff is None or staff.disabled_at is not None or staff.enrol_expires_at is None \
            or staff.enrol_expires_at <= now:
        return None
    return staff


def complete_enrolment(token, password, repeat, code, *, now):
    """Set the password and confirm the authenticator; returns the ten recovery codes (shown once)."""
    staff = staff_for_enrolment(token, now)
    if staff is None:
        raise StaffError(N_("This enrolment link is not valid any more; ask an administrator for a new one."))
    if len(password or "") < MIN_PASSWORD:
        raise StaffError(N_("Choose a password of at least %(count)s characters."), "password", count=MIN_PASSWORD)
    if password != repeat:
        raise StaffError(N_("The two passwords differ."), "repeat")
    step = totp.matching_step(staff.totp_secret, code, now, staff.totp_last_step)
    if step is None:
        raise StaffError(N_("The code is wrong or was already used; type the code your app shows now."), "code")
    codes = totp.new_recovery_codes()
    staff.password_hash = _hasher.hash(password)
    staff.totp_last_step, staff.recovery_codes = step, [totp.recovery_digest(c) for c in codes]
    staff.enrol_digest, staff.enrol_expires_at, staff.enrolled_at = None, None, now
    staff.failed_attempts, staff.locked_until = 0, None
    record_event(actor=Actor.staff(staff.id), action="staff.enrolled", subject_type="staff", subject_id=staff.id,
                 now=now)
    db.session.commit()
    return codes


def _use_code(staff, code, now):
    """True when `code` is a current TOTP code not used before, or an unused recovery code (then spent)."""
    secret = staff.readable_totp_secret()
    step = totp.matching_step(secret, code, now, staff.totp_last_step) if secret else None
    if step is not None:
        # compare-and-set: of two requests with the same code, one wins
        won = db.session.execute(
            update(Staff).where(Staff.id == staff.id, or_(Staff.totp_last_step.is_(None),
                                                          Staff.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount == 1
        if won:
            staff.totp_last_step = step
        return won
    digest = totp.recovery_digest(code)
    if (code or "").strip() and digest in (staff.recovery_codes or []):
        staff.recovery_codes = [d for d in staff.recovery_codes if d != digest]
        record_event(actor=Actor.staff(staff.id), action="staff.recovery_code_used", subject_type="staff",
                     subject_id=staff.id, now=now, after={"recovery_codes_left": len(staff.recovery_codes)})
        return True
    return False


SIGN_IN_REFUSED = N_("The national code, password or code is wrong.")
LOCKED = N_("Too many wrong attempts: this account is locked for a while. Try again later or ask an administrator.")


def sign_in(national_code, password, code, *, now, ip=None):
    """A new session token for a staff member who gave the right password and a fresh code. Commits."""
    try:
        national_code = clean_national_code(national_code)
    except IdentifierError:
        national_code = None
    staff = db.session.scalar(select(Staff).where(Staff.national_code == national_code)) if national_code else None
    if staff is None or staff.password_hash is None:
        _verify_password(_DUMMY_HASH, password)  # the same work whether or not the account exists
        raise StaffError(SIGN_IN_REFUSED)
    if staff.locked_until is not None and staff.locked_until > now:
        raise StaffError(LOCKED)
    if staff.disabled_at is not None or not _verify_password(staff.password_hash, password) \
            or not _use_code(staff, code, now):
        _failed(staff, now)
        raise StaffError(LOCKED if staff.locked_until and staff.locked_until > now else SIGN_IN_REFUSED)
    staff.failed_attempts, staff.locked_until = 0, None
    staff.reseal_totp_secret()
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(digest=totp.token_digest(token), staff_id=staff.id, created_at=now,
                                last_seen_at=now, fresh_at=now, ip=(ip or "")[:45] or None))
    record_event(actor=Actor.staff(staff.id), action="staff.signed_in", subject_type="staff", subject_id=staff.id,
                 now=now)
    db.session.commit()
    return token


def _verify_password(stored, password):
    try:
        return _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _failed(staff, now):
    db.session.rollback()
    staff = db.session.get(Staff, staff.id)
    staff.failed_attempts = (staff.failed_attempts or 0) + 1
    over = staff.failed_attempts - MAX_FAILURES
    if over >= 0:
        staff.locked_until = now + LOCKOUT * (2 ** min(over, 6))
    record_event(actor=Actor.staff(staff.id), action="staff.sign_in_refused", subject_type="staff",
                 subject_id=staff.id, now=now,
                 after={"failed_attempts": staff.failed_attempts,
                        "locked_until": staff.locked_until.isoformat() if staff.locked_until else None})
    db.session.commit()


def session_for(token, now):
    """The live session of this token (touched), or None when it ended, was revoked or its staff disabled."""
    if not token:
        return None
    row = db.session.scalar(select(StaffSession).where(StaffSession.digest == totp.token_digest(token)))
    if row is None or row.revoked_at is not None or row.staff.disabled_at is not None:
        return None
    if now - row.last_seen_at > IDLE or now - row.created_at > LIFETIME:
        row.revoked_at = now
        db.session.commit()
        return None
    row.last_seen_at = now
    db.session.commit()
    return row


def sign_out(token, now):
    row = db.session.scalar(select(StaffSession).where(StaffSession.digest == totp.token_digest(token or "")))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        record_event(actor=Actor.staff(row.staff_id), action="staff.signed_out", subject_type="staff",
                     subject_id=row.staff_id, now=now)
        db.session.commit()


def confirm_fresh(session_row, code, now):
    """Pass when a code was typed in this session in the last minutes, or `code` is a fresh one (no commit)."""
    if (code or "").strip():
        if not _use_code(session_row.staff, code, now):
            raise StaffError(N_("The code is wrong or was already used; type the code your app shows now."), "code")
        session_row.fresh_at = now
        return
    if (now - session_row.fresh_at).total_seconds() > FRESH_SECONDS:
        raise NeedsFreshCode()


def _revoke_sessions(staff, now):
    db.session.execute(update(StaffSession).where(StaffSession.staff_id == staff.id,
                                                  StaffSession.revoked_at.is_(None))
                       .values(revoked_at=now).execution_options(synchronize_session=False))


def change_roles(admin, staff_id, roles, *, now):
    staff = _other_staff(admin, staff_id)
    roles = _clean_roles(roles)
    if staff.id == admin.id and policy.ADMIN not in roles:
        raise StaffError(N_("You cannot take the administrator role from yourself."), "roles")
    before = list(staff.roles)
    staff.roles = roles
    record_event(actor=Actor.staff(admin.id), action="staff.roles_changed", subject_type="staff",
                 subject_id=staff.id, now=now, before={"roles": before}, after={"roles": roles})
    db.session.commit()
    return staff


def disable(admin, staff_id, *, now):
    """Disable an account; its sessions end at once."""
    staff = _other_staff(admin, staff_id)
    if staff.id == admin.id:
        raise StaffError(N_("You cannot disable your own account."))
    if staff.disabled_at is None:
        staff.disabled_at = now
        _revoke_sessions(staff, now)
        record_event(actor=Actor.staff(admin.id), action="staff.disabled", subject_type="staff",
                     subject_id=staff.id, now=now, after={"disabled_at": now.isoformat()})
    db.session.commit()
    return staff


def reset_enrolment(admin, staff_id, *, now):
    """A new enrolment link (new password and authenticator); the old sessions and codes end."""
    staff = _other_staff(admin, staff_id)
    staff.totp_secret, staff.totp_last_step, staff.recovery_codes = totp.new_secret(), None, []
    staff.password_hash, staff.enrolled_at, staff.disabled_at = None, None, None
    staff.failed_attempts, staff.locked_until = 0, None
    token = _new_enrolment(staff, now)
    _revoke_sessions(staff, now)
    record_event(actor=Actor.staff(admin.id), action="staff.enrolment_reset", subject_type="staff",
                 subject_id=staff.id, now=now)
    db.session.commit()
    return staff, token


def _other_staff(admin, staff_id):
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise StaffError(N_("No such staff member."))
    return staff


def all_staff():
    return db.session.scalars(select(Staff).order_by(Staff.id)).all()
