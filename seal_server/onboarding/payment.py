"""The fee steps: the seal invoice and the postal check, settled by listeners of paid invoices."""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..billing import fees
from ..billing import service as billing
from ..billing.models import CONFIRMING, OPEN, PAID, VOID, Invoice
from ..extensions import db
from ..integrations import post_office
from ..marks import N_
from ..seals.models import GRAY, TEMPORARY
from . import codes
from ..accounts.models import Account
from ..events import CLOCK_ACTOR, emit
from .issuance import seal_of
from .models import APPROVED, UPGRADE, Application, VerificationCode
from .service import changed, editable, postal_key

log = logging.getLogger(__name__)

SEAL_PURPOSE, POSTAL_PURPOSE, SECOND_YEAR_PURPOSE = "seal", "postal-check", "seal-year-2"
POSTAL_CODE_LENGTH = 10
MAX_LETTERS = 3


class StepError(Exception):
    """The fee step cannot go on; `message` is a msgid for the owner."""

    def __init__(self, message, **variables):
        super().__init__(message)
        self.message, self.variables = message, variables


def schedule():
    return current_app.config["SEAL_FEES"]


def invoice_for(application, purpose):
    """The live (open, confirming or paid) invoice of this application for `purpose`, if any."""
    return db.session.scalars(select(Invoice).where(
        Invoice.application_id == application.id, Invoice.purpose == purpose,
        Invoice.status.in_((OPEN, CONFIRMING, PAID))).order_by(Invoice.id.desc())).first()


def seal_invoice(application, account, now):
    """The seal fee's invoice: the gray seal is the micro seal (first year now, second a year on), the
    standard one-star seal pays the two-year fee at once."""
    editable(application, ("payment",))
    if application.purpose == UPGRADE:
        from ..upgrades import service as upgrades

        existing = invoice_for(application, SEAL_PURPOSE)
        return existing if existing is not None else upgrades.invoice(application, account, now)
    if application.seal_kind == TEMPORARY:
        raise StepError(N_("A temporary seal has no fee; the fee is paid with the standard seal that follows it."))
    if application.seal_kind is None:
        raise StepError(N_("Choose the kind of seal in the business step first."))
    existing = invoice_for(application, SEAL_PURPOSE)
    if existing is not None:
        return existing
    application.micro = application.seal_kind == GRAY
    application.updated_at = now
    first = fees.seal_fee_plan(schedule(), micro=application.micro)[0]
    return billing.create_invoice(account, first.lines, purpose=SEAL_PURPOSE, now=now, application=application)


def postal_invoice(application, account, now):
    """The postal check's invoice; the contact step's address must be saved first."""
    editable(application, ("postal",))
    if postal_key(application) is None:
        raise StepError(N_("Save the contact details with the postal address first."))
    existing = invoice_for(application, POSTAL_PURPOSE)
    if existing is not None:
        return existing
    return billing.create_invoice(account, [fees.postal_check_line(schedule())], purpose=POSTAL_PURPOSE, now=now,
                                  application=application)


def _recipient(application):
    owner = application.owner
    if owner is None:
        return application.name_fa or ""
    if owner.kind == "legal":
        return owner.company_name or ""
    return f"{owner.first_name or ''} {owner.last_name or ''}".strip()


def letters_sent(application):
    return db.session.scalar(select(db.func.count(VerificationCode.id)).where(
        VerificationCode.application_id == application.id, VerificationCode.purpose == "postal"))


def send_letter(application, now):
    """Issue a postal code and hand its letter to the post office (no commit); PostOfficeError on failure."""
    ttl = timedelta(days=current_app.config["SEAL_POSTAL_CODE_DAYS"])
    code, row = codes.issue(application, "postal", postal_key(application), now, ttl=ttl,
                            length=POSTAL_CODE_LENGTH, alphabet=codes.LETTER_ALPHABET)
    letter = post_office.Letter(
        recipient=_recipient(application), address=application.address, postal_code=application.postal_code,
        title=f"{current_app.config['SEAL_AUTHORITY_NAME_FA']}: تأیید نشانی پستی",
        lines=(f"این نامه برای تأیید نشانی کسب‌وکار «{application.name_fa or ''}» "
               f"({application.domain or ''}) فرستاده شده است.",
               "کد زیر را در پنل مالک، در مرحلهٔ «تأیید نشانی پستی»، وارد کنید.",
               f"این کد یک بار مصرف است و تا {ttl.days} روز اعتبار دارد."),
        code=code)
    post_office.backend_from_config(current_app.config).send(letter, application_id=application.id, now=now)
    return row


def _try_letter(application, now):
    """Send the letter in a savepoint: a failure is logged and retried by the clock, the payment stands."""
    try:
        with db.session.begin_nested():
            send_letter(application, now)
    except post_office.PostOfficeError as error:
        log.warning("postal letter for application %s not sent: %s", application.id, error)
        return False
    return True


@billing.on_invoice_paid
def invoice_paid(invoice, now):
    """Mark the fee step paid, in the same transaction as the invoice; the postal check mails its letter."""
    if invoice.application_id is None or invoice.purpose not in (SEAL_PURPOSE, POSTAL_PURPOSE):
        return
    application = db.session.get(Application, invoice.application_id)
    if invoice.purpose == SEAL_PURPOSE:
        application.fee_paid_at = application.fee_paid_at or now
        return
    application.postal_paid_at = application.postal_paid_at or now
    _try_letter(application, now)


def send_due_letters(now):
    """Letters paid for but not yet produced (the post office failed at payment time); for the clock."""
    waiting = db.session.scalars(select(Application).where(
        Application.postal_paid_at.is_not(None), Application.postal_verified_at.is_(None),
        ~select(VerificationCode.id).where(VerificationCode.application_id == Application.id,
                                           VerificationCode.purpose == "postal").exists())).all()
    sent = [application.id for application in waiting if _try_letter(application, now)]
    db.session.commit()
    return sent


def new_letter(application, now):
    """A fresh letter when the last code expired or the address changed; at most MAX_LETTERS in all."""
    editable(application, ("postal",))
    if not application.postal_paid_at:
        raise StepError(N_("Pay the postal check fee first."))
    latest = codes.latest(application, "postal")
    if latest is not None and latest.used_at is None and latest.expires_at > now \
            and latest.target == postal_key(application):
        raise StepError(N_("The letter already sent is still valid; wait for it to arrive."))
    if letters_sent(application) >= MAX_LETTERS:
        raise StepError(N_("We have already mailed %(count)s letters; contact the authority to go on."),
                        count=MAX_LETTERS)
    if postal_key(application) is None:
        raise StepError(N_("Save the contact details with the postal address first."))
    try:
        send_letter(application, now)
    except post_office.PostOfficeError as error:
        db.session.rollback()
        log.warning("postal letter for application %s not sent: %s", application.id, error)
        raise StepError(N_("The letter could not be produced just now; please try again later.")) from None
    db.session.commit()


def check_postal_code(application, typed, now):
    """Finish the postal step when `typed` is the code from the latest letter."""
    editable(application, ("postal",))
    key = postal_key(application)
    if key is not None and application.postal_verified == key:
        return
    try:
        codes.use(application, "postal", typed, now, target=key or "", length=POSTAL_CODE_LENGTH,
                  alphabet=codes.LETTER_ALPHABET)
    except codes.CodeError as error:
        raise StepError(error.message, **error.variables) from None
    application.postal_verified, application.postal_verified_at = key, now
    changed(application, ("postal",), now)



def invoice_second_years(now):
    """A micro business's second-year fee, invoiced (and the owner told) once it falls due; for the clock."""
    later = fees.seal_fee_plan(schedule(), micro=True)[1]
    due = db.session.scalars(select(Application).where(
        Application.status == APPROVED, Application.micro.is_(True),
        Application.approved_at <= now - timedelta(days=later.due_after_days))).all()
    made = []
    for application in due:
        seal = seal_of(application)
        if seal is None or seal.kind != GRAY or upgrade_paid(seal) \
                or seal.issued_at + timedelta(days=later.due_after_days) > now \
                or invoice_for(application, SECOND_YEAR_PURPOSE) is not None:
            continue
        # the seal's current owner pays: after a transfer that is not the account that applied
        account = db.session.get(Account, seal.business.owner.account_id or application.account_id)
        invoice = billing.create_invoice(account, later.lines, purpose=SECOND_YEAR_PURPOSE, now=now,
                                         application=application)
        made.append(invoice.number)
        emit("invoice.issued", invoice, billing.invoice_facts(invoice, purpose="second-year", domain=application.domain,
                                                             due=(now + SECOND_YEAR_GRACE).isoformat()),
             CLOCK_ACTOR, now=now)
        db.session.commit()
    return made


def upgrade_paid(seal):
    """True once the fee of an upgrade of this seal to one star was paid (it covers the second year)."""
    return db.session.scalar(select(Invoice.id).join(Application, Application.id == Invoice.application_id).where(
        Application.purpose == UPGRADE, Application.seal_id == seal.id, Invoice.purpose == SEAL_PURPOSE,
        Invoice.status == PAID).limit(1)) is not None


SECOND_YEAR_GRACE = timedelta(days=30)
SECOND_YEAR_REASON = "second-year fee unpaid"


def enforce_second_years(now):
    """Hold a micro seal whose second-year invoice is 30 days unpaid; lift the hold once paid. For the clock."""
    from ..seals import service as seals

    changed = []
    invoices = db.session.scalars(select(Invoice).where(Invoice.purpose == SECOND_YEAR_PURPOSE)).all()
    for invoice in invoices:
        seal = seal_of(db.session.get(Application, invoice.application_id))
        if seal is None or seal.status not in seals.LIVE_STATUSES:
            continue
        try:
            if invoice.status == OPEN and invoice.created_at <= now - SECOND_YEAR_GRACE:
                done = seals.add_hold(seal.public_id, seals.HOLD_SECOND_YEAR, now=now, actor=CLOCK_ACTOR,
                                      note=SECOND_YEAR_REASON)
            elif invoice.status == PAID or (invoice.status == VOID and upgrade_paid(seal)):
                done = seals.lift_hold(seal.public_id, seals.HOLD_SECOND_YEAR, now=now, actor=CLOCK_ACTOR,
                                       reason="second-year fee paid")
            else:
                continue
        except seals.InvalidTransition:
            continue  # another tick or a reviewer changed it first
        if done:
            changed.append(seal.public_id)
    return changed
