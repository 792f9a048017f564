"""Single-use, expiring codes sent to the owner; only an HMAC of each code is stored."""
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from .. import signing
from ..extensions import db
from ..iran.digits import to_latin_digits
from ..marks import N_
from .models import Application, VerificationCode

DIGITS = "0123456789"
LETTER_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I, 5/S, 8/B, 2/Z) on a printed letter
MAX_TRIES = 5


class CodeError(Exception):
    """The typed code does not finish the check; `message` is a msgid for the owner."""

    def __init__(self, message, **variables):
        super().__init__(message)
        self.message, self.variables = message, variables


def _text(purpose, scope, code):
    return f"verification.v1|{purpose}|{scope}|{code}"


def _scope(purpose, application):
    # postal codes are unique across all applications, so they are looked up by the code alone
    return "*" if purpose == "postal" else str(application.id)


def normalize(text, alphabet):
    """What the owner typed, without spaces or dashes, in Latin digits and upper case."""
    cleaned = "".join(ch for ch in to_latin_digits(str(text or "")) if ch.isalnum()).upper()
    return cleaned if all(ch in alphabet for ch in cleaned) else None


CODES_PER_DAY = 5  # per application, and per address or number across applications
CODES_PER_ACCOUNT_DAY = 10


def _check_caps(application, purpose, target, now):
    """Each new code brings fresh tries: daily caps keep guessing (and calls or emails to anyone) bounded,
    per application, per address and per account, so withdrawing and starting again resets nothing."""
    sent_today = select(func.count()).select_from(VerificationCode).join(
        Application, Application.id == VerificationCode.application_id).where(
        VerificationCode.purpose == purpose, VerificationCode.created_at > now - timedelta(days=1))
    for condition, cap, message in (
        (VerificationCode.application_id == application.id, CODES_PER_DAY,
         N_("At most %(count)s codes a day; use the last one, or try again tomorrow.")),
        (VerificationCode.target == target, CODES_PER_DAY,
         N_("At most %(count)s codes a day to this address or number; try again tomorrow.")),
        (Application.account_id == application.account_id, CODES_PER_ACCOUNT_DAY,
         N_("At most %(count)s codes a day from your account; try again tomorrow.")),
    ):
        if db.session.scalar(sent_today.where(condition)) >= cap:
            raise CodeError(message, count=cap)


def issue(application, purpose, target, now, *, ttl, length=6, alphabet=DIGITS):
    """A new code for `purpose`; earlier unused ones stop working. Returns (plain code, row); no commit."""
    _check_caps(application, purpose, target, now)
    db.session.execute(
        update(VerificationCode)
        .where(VerificationCode.application_id == application.id, VerificationCode.purpose == purpose,
               VerificationCode.used_at.is_(None), VerificationCode.expires_at > now)
        .values(expires_at=now).execution_options(synchronize_session=False))
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(length))
        # unique under every listed key, since a code is looked up by its digest under any of them
        digests = signing.code_digests(_text(purpose, _scope(purpose, application), code))
        if db.session.scalar(select(VerificationCode.id).where(VerificationCode.digest.in_(digests))) is None:
            digest = digests[0]
            break
    row = VerificationCode(application_id=application.id, purpose=purpose, target=target, digest=digest,
                           created_at=now, expires_at=now + ttl, attempts=0)
    db.session.add(row)
    db.session.flush()
    return code, row


def latest(application, purpose):
    return db.session.scalars(
        select(VerificationCode).where(VerificationCode.application_id == application.id,
                                       VerificationCode.purpose == purpose)
        .order_by(VerificationCode.id.desc())).first()


def use(application, purpose, typed, now, *, target, length=6, alphabet=DIGITS):
    """Spend the newest code for `purpose` if `typed` matches it; raises CodeError otherwise (commits tries)."""
    row = latest(application, purpose)
    if row is None:
        raise CodeError(N_("No code has been sent yet."))
    if row.used_at is not None:
        raise CodeError(N_("This code has already been used; ask for a new one if you need to check again."))
    if row.target != target:
        raise CodeError(N_("The code was sent to an address that has since changed; ask for a new code."))
    if now >= row.expires_at:
        raise CodeError(N_("This code has expired; ask for a new one."))
    if row.attempts >= MAX_TRIES:
        raise CodeError(N_("Too many wrong tries; ask for a new code."))
    code = normalize(typed, alphabet)
    if not code or len(code) != length:
        raise CodeError(N_("The code has %(length)s characters.") if alphabet != DIGITS
                        else N_("The code has %(length)s digits."), length=length)
    row.attempts += 1
    if not signing.verify_code_digest(row.digest, _text(purpose, _scope(purpose, application), code)):
        db.session.commit()
        raise CodeError(N_("This code is not right."))
    # compare-and-set: two tabs submitting the same code spend it once
    spent = db.session.execute(
        update(VerificationCode).where(VerificationCode.id == row.id, VerificationCode.used_at.is_(None))
        .values(used_at=now, attempts=row.attempts).execution_options(synchronize_session=False))
    if spent.rowcount != 1:
        db.session.rollback()
        raise CodeError(N_("This code has already been used; ask for a new one if you need to check again."))
    return row
