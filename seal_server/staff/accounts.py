"""The recovery path of a national code taken by someone else: support staff verify the holder and move the account.

Today the first person to sign in with a national code and any mobile owns that account. The
real holder comes to support; support verifies the person, the mobile registry (Shahkar) must
confirm the new mobile belongs to the national code, and the account moves to that mobile,
audited, with both numbers told by SMS.
"""
from sqlalchemy import select

from ..accounts.models import Account
from ..events import Actor, emit
from ..extensions import db
from ..integrations import checks
from ..iran.identifiers import IdentifierError, clean_mobile, clean_national_code
from ..marks import N_
from . import policy, rules
from .service import StaffError


def find(national_code):
    try:
        code = clean_national_code(national_code)
    except IdentifierError:
        return None
    return db.session.scalar(select(Account).where(Account.national_code == code))


def mask(mobile):
    return f"{mobile[:4]}***{mobile[-4:]}" if mobile else ""


def move(staff, account_id, new_mobile, verified, reason, *, now):
    """Give the account to `new_mobile`; refuses unless the person was verified and the registry agrees."""
    policy.require(staff, "account.move")
    account = db.session.get(Account, account_id)
    if account is None:
        raise StaffError(N_("No such account."))
    try:
        mobile = clean_mobile(new_mobile)
    except IdentifierError as error:
        raise StaffError(str(error), "mobile") from None
    if not verified:
        raise StaffError(N_("Confirm that you verified this person's identity."), "verified")
    reason = rules.clean_reason(reason)
    if reason is None:
        raise StaffError(N_("Write how you verified the person (at least %(count)s characters)."), "reason",
                         count=rules.MIN_REASON)
    if mobile == account.mobile:
        raise StaffError(N_("The account already has this mobile number."), "mobile")
    try:
        answer = checks.owns_mobile(account.national_code, mobile, now=now)
    except checks.CheckTimeout:
        raise StaffError(N_("The mobile registry did not answer; try again in a few minutes.")) from None
    if not answer.passed:
        raise StaffError(N_("The mobile registry says this number does not belong to this national code."),
                         "mobile")
    old = account.mobile
    account.mobile = mobile
    for number in (old, mobile):
        emit("account.moved", ("account", account.id), {"mobile": mask(mobile)}, Actor.staff(staff.id), now=now,
             to={"sms": number}, audit=number == old, before={"mobile": old}, after={"mobile": mobile},
             reason=f"{reason} (registry {answer.reference})")
    db.session.commit()
    return account
