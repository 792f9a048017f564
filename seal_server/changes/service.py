"""Registered changes: the owner asks, the change's own check verifies it, and only then the seal's record shows it.

One door: `request_change` opens a change (one open change per kind and seal), each check
(`confirm_code`, the invoice listener, `check_proof`, `decide`) settles it by compare-and-set on
its state, and `_apply` writes the new value and emits `seal.details_changed` (which drops the
seal's cached public record after commit). The seal stays as it is meanwhile.
"""
import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import signing
from ..accounts.models import Account
from ..audit import record_event
from ..billing import fees
from ..billing import service as billing
from ..billing.models import CONFIRMING, OPEN as INVOICE_OPEN, VOID, Invoice
from ..events import Actor, emit
from ..extensions import db
from ..integrations import checks, post_office, voice
from ..iran import places
from ..iran.identifiers import IdentifierError, clean_landline, clean_mobile, clean_postal_code
from ..marks import N_
from ..onboarding import checks as fetch_jobs
from ..onboarding import codes, contact, proof
from ..onboarding import domain as domain_proof
from ..onboarding import service as onboarding
from ..onboarding.models import Application
from ..seals import service as seals
from . import rules
from .models import APPLIED, CANCELLED, OPEN_STATES, PENDING, REFUSED, VERIFYING, SealChange

log = logging.getLogger(__name__)

POSTAL_PURPOSE, MICRO_PURPOSE = "change-postal", "change-micro"
CHANGES_PER_DAY = 10  # per seal: each change may send codes, so starting again and again is bounded


class ChangeError(Exception):
    """The change cannot go on; `errors` maps a field (or "_form") to (msgid, variables)."""

    def __init__(self, errors):
        super().__init__(next(iter(errors.values()))[0])
        self.errors = errors


def _refuse(field, message, **variables):
    raise ChangeError({field: (message, variables)})


def application_of(seal):
    """The approved application the seal was issued from (None for seals an operator issued by hand)."""
    return db.session.scalar(select(Application).where(Application.business_id == seal.business_id)
                             .order_by(Application.id.desc()).limit(1))


def owner_account(seal):
    account_id = seal.business.owner.account_id
    return db.session.get(Account, account_id) if account_id else None


def current_value(seal, kind):
    """What the seal's record holds now for `kind` (the change row's old value)."""
    business = seal.business
    if kind == rules.ADDRESS:
        return {name: getattr(business, name) or "" for name in rules.FIELDS[kind]}
    if kind == rules.MOBILE:
        account = owner_account(seal)
        return {"mobile": (account.mobile if account else business.owner.mobile) or ""}
    if kind == rules.MICRO:
        application = application_of(seal)
        return {"micro": "yes" if application is not None and application.micro else "no"}
    if kind == rules.DOMAIN:
        return {"domain": seal.domain}
    return {name: getattr(business, name) or "" for name in rules.FIELDS[kind]}


def form_values(seal, kind):
    """The change form filled with what the record holds (the province as its code)."""
    values = dict(current_value(seal, kind))
    if kind == rules.ADDRESS:
        values["province"] = next((row[0] for row in places.provinces() if row[1] == values["province"]), "")
    return values


def _clean(kind, form, category_codes):
    """The asked-for value of `kind` from the form, or ChangeError with every problem."""
    errors, value = {}, {}

    def run(field, clean):
        try:
            value[field] = clean(form.get(field))
        except (IdentifierError, ValueError) as error:
            errors[field] = (str(error), {})

    if kind == rules.ADDRESS:
        run("postal_code", clean_postal_code)
        value["address"] = onboarding._clean_text(form.get("address"), 500)
        if len(value["address"]) < 10:
            errors["address"] = (N_("Enter the full postal address: province, city, street and number."), {})
        province = places.province_by_code(form.get("province") or "")
        city = onboarding._clean_text(form.get("city"), 60)
        if province is None:
            errors["province"] = (N_("Choose the province."), {})
        elif not city:
            errors["city"] = (N_("Choose the city."), {})
        elif not places.city_in_province(province[0], city):
            errors["city"] = (N_("%(city)s is not a city of %(province)s; choose a city of that province."),
                              {"city": city, "province": province[1]})
        value["province"], value["city"] = (province[1] if province else ""), city
    elif kind == rules.LANDLINE:
        run("landline", clean_landline)
    elif kind == rules.EMAIL:
        run("email", contact.clean_email)
    elif kind == rules.MOBILE:
        run("mobile", clean_mobile)
    elif kind == rules.NAMES:
        value["name_fa"], value["name_en"] = (onboarding._clean_text(form.get(name)) for name in ("name_fa", "name_en"))
        if not value["name_fa"]:
            errors["name_fa"] = (N_("Enter the business's Persian name."), {})
        if not value["name_en"]:
            errors["name_en"] = (N_("Enter the business's Latin name."), {})
        elif not value["name_en"].isascii():
            errors["name_en"] = (N_("Write the Latin name in Latin letters."), {})
    elif kind == rules.CATEGORY:
        value["category"] = form.get("category") or ""
        if value["category"] not in category_codes:
            errors["category"] = (N_("Choose a category."), {})
    elif kind == rules.SALES_METHOD:
        value["sales_method"] = form.get("sales_method") or ""
        if value["sales_method"] not in dict(onboarding.SALES_METHODS):
            errors["sales_method"] = (N_("Choose how the business sells."), {})
    elif kind == rules.MICRO:
        value["micro"] = "no"
    elif kind == rules.DOMAIN:
        run("domain", onboarding.clean_business_domain)
    if errors:
        raise ChangeError(errors)
    return value


def open_change(seal, kind):
    return db.session.scalar(select(SealChange).where(SealChange.open_key == rules.open_key(seal.id, kind)))


def changes_of(seal, *, open_only=False):
    query = select(SealChange).where(SealChange.seal_id == seal.id)
    if open_only:
        query = query.where(SealChange.state.in_(OPEN_STATES))
    return db.session.scalars(query.order_by(SealChange.id.desc())).all()


def micro_difference(application):
    """Leaving micro status costs what an upgrade to a one-star seal would: the rest of the two-year fee."""
    return fees.upgrade_due(current_app.config["SEAL_FEES"], billing.seal_fees_paid(application.id))


def _first_field(kind):
    return (rules.FIELDS[kind] or ("_form",))[0]


def _precheck(seal, account, kind, value, now):
    """The checks a change needs before it is recorded (the registry, a free domain, micro status)."""
    if kind == rules.MOBILE:
        try:
            answer = checks.owns_mobile(account.national_code, value["mobile"], now=now)
        except checks.CheckTimeout:
            _refuse("mobile", N_("The mobile registry did not answer; please try again in a few minutes."))
        if not answer.passed:
            _refuse("mobile", N_("This mobile number is not registered to your national code. Use a mobile number "
                                 "registered in your name."))
    elif kind == rules.DOMAIN:
        application = application_of(seal)
        if application is None:
            _refuse("_form", N_("This seal was issued without an application in the panel; ask the authority to "
                                "change its domain."))
        if seals.live_seal_for_domain(value["domain"]) is not None:
            _refuse("domain", N_("This domain already holds a seal."))
        taken = onboarding.domain_taken(value["domain"], application)
        if taken:
            _refuse("domain", taken)
    elif kind == rules.MICRO:
        application = application_of(seal)
        if application is None or not application.micro:
            _refuse("_form", N_("This seal is not a micro business's seal; there is no micro status to leave."))
        second = db.session.scalar(select(Invoice.number).where(
            Invoice.application_id == application.id, Invoice.purpose == "seal-year-2",
            Invoice.status.in_((INVOICE_OPEN, CONFIRMING))))
        if second is not None:
            _refuse("_form", N_("The second year's invoice %(number)s is open: pay it, then register leaving micro "
                                "status."), number=second)


def request_change(seal, account, kind, form, *, now, category_codes=()):
    """Open a change of `kind` with the form's value and start its check; returns the change.

    The same request twice (two tabs, a double click) gives the one open change; another
    value while one is open is refused until that one is finished or cancelled.
    """
    if kind not in rules.KINDS:
        _refuse("_form", N_("Choose what changed."))
    problem = rules.changeable(seal.status)
    if problem:
        _refuse("_form", problem)
    value = _clean(kind, form, category_codes)
    old = current_value(seal, kind)
    if kind != rules.MICRO and rules.unchanged(old, value):
        _refuse(_first_field(kind), N_("This is what the seal already has; there is nothing to change."))
    existing = open_change(seal, kind)
    if existing is not None:
        if rules.unchanged(existing.new_value, value):
            return existing
        _refuse("_form", N_("A change of this kind is already under way; finish it or cancel it first."))
    today = db.session.scalar(select(func.count()).select_from(SealChange).where(
        SealChange.seal_id == seal.id, SealChange.created_at > now - timedelta(days=1)))
    if today >= CHANGES_PER_DAY:
        _refuse("_form", N_("At most %(count)s changes a day for one seal; try again tomorrow."), count=CHANGES_PER_DAY)
    _precheck(seal, account, kind, value, now)
    change = SealChange(seal_id=seal.id, account_id=account.id, kind=kind, old_value=old, new_value=value,
                        state=VERIFYING if kind in rules.REVIEWED else PENDING,
                        open_key=rules.open_key(seal.id, kind), created_at=now, updated_at=now, code_attempts=0,
                        codes_sent=0)
    db.session.add(change)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # another tab opened it this very moment: the same request gets that one
        existing = open_change(seal, kind)
        if existing is not None and rules.unchanged(existing.new_value, value):
            return existing
        _refuse("_form", N_("A change of this kind is already under way; finish it or cancel it first."))
    record_event(actor=Actor.owner(account.id), action="seal.change_requested", subject_type="seal",
                 subject_id=seal.id, now=now, before={"kind": kind, **old}, after={"kind": kind, **value})
    check = rules.CHECK_OF[kind]
    if check in (rules.EMAIL_CODE, rules.SMS_CODE, rules.VOICE_CODE):
        _send_code(change, now)
    elif kind == rules.ADDRESS:
        change.invoice = billing.new_invoice(account, [fees.postal_check_line(current_app.config["SEAL_FEES"])],
                                             purpose=POSTAL_PURPOSE, now=now, application=application_of(seal))
    elif kind == rules.MICRO:
        application = application_of(seal)
        difference = micro_difference(application)
        if difference == 0:
            _settle(change, PENDING, now)
            _apply(change, now, Actor.owner(account.id))
        else:
            line = fees.Line("seal-leave-micro", N_("Leaving micro business status: the rest of the two-year fee"),
                             difference)
            change.invoice = billing.new_invoice(account, [line], purpose=MICRO_PURPOSE, now=now,
                                                 application=application)
    db.session.commit()
    return change


# --- codes ------------------------------------------------------------------------------------

def _code_text(change, code):
    return f"seal-change.v1|{change.id}|{code}"


def _send_code(change, now):
    """A new code for the change (earlier ones stop working), sent by the change's channel. No commit."""
    if change.codes_sent >= rules.MAX_CODES:
        _refuse("code", N_("We have already sent %(count)s codes for this change; cancel it and start again "
                           "tomorrow, or contact the authority."), count=rules.MAX_CODES)
    check, config = rules.CHECK_OF[change.kind], current_app.config
    if check == rules.LETTER:
        code = "".join(secrets.choice(codes.LETTER_ALPHABET) for _ in range(rules.LETTER_CODE_LENGTH))
        ttl = timedelta(days=config["SEAL_POSTAL_CODE_DAYS"])
    else:
        code = f"{secrets.randbelow(10 ** rules.CODE_DIGITS):0{rules.CODE_DIGITS}d}"
        ttl = timedelta(seconds=config["SEAL_CONTACT_CODE_SECONDS"])
    change.code_digest, change.code_expires_at = signing.code_digest(_code_text(change, code)), now + ttl
    change.code_attempts, change.codes_sent, change.updated_at = 0, change.codes_sent + 1, now
    actor, subject, new = Actor.owner(change.account_id), ("seal_change", change.id), change.new_value
    facts = {"domain": change.seal.domain, "minutes": ttl.seconds // 60}
    if check == rules.EMAIL_CODE:
        emit("change.code", subject, facts, actor, now=now, to={"email": new["email"]}, secrets={"code": code},
             audit=False)
    elif check == rules.SMS_CODE:
        emit("change.code", subject, facts, actor, now=now, to={"sms": new["mobile"]}, secrets={"code": code},
             audit=False)
    elif check == rules.VOICE_CODE:
        emit("contact.landline_code", subject, {"authority": config["SEAL_AUTHORITY_NAME_FA"]}, actor, now=now,
             to={"voice": new["landline"]}, secrets={"code": code, "spoken": voice.spoken_code(code)}, audit=False)
    else:
        _mail_letter(change, code, ttl, now)


def _mail_letter(change, code, ttl, now):
    seal, new = change.seal, change.new_value
    application = application_of(seal)
    letter = post_office.Letter(
        recipient=seal.business.owner.display_name or seal.business.name_fa, address=new["address"],
        postal_code=new["postal_code"],
        title=f"{current_app.config['SEAL_AUTHORITY_NAME_FA']}: تأیید نشانی پستی جدید",
        lines=(f"این نامه برای تأیید نشانی جدید کسب‌وکار «{seal.business.name_fa}» ({seal.domain}) فرستاده شده است.",
               "کد زیر را در پنل مالک، در صفحهٔ «ثبت تغییرات» نماد، وارد کنید.",
               f"این کد یک بار مصرف است و تا {ttl.days} روز اعتبار دارد."),
        code=code)
    post_office.backend_from_config(current_app.config).send(
        letter, application_id=application.id if application else None, now=now)


def resend_code(change, now):
    """A fresh code (or letter) for an open change waiting for one."""
    _require_open(change)
    check = rules.CHECK_OF[change.kind]
    if check not in rules.CODE_CHECKS or (check == rules.LETTER and change.state != VERIFYING):
        _refuse("_form", N_("This change is not verified by a code."))
    if change.code_expires_at is not None and change.code_expires_at > now and check == rules.LETTER:
        _refuse("code", N_("The letter already sent is still valid; wait for it to arrive."))
    try:
        _send_code(change, now)
    except post_office.PostOfficeError as error:
        db.session.rollback()
        log.warning("change %s: letter not sent: %s", change.id, error)
        _refuse("code", N_("The letter could not be produced just now; please try again later."))
    db.session.commit()


def confirm_code(change, typed, now):
    """Apply the change when `typed` is its latest code; ChangeError otherwise (wrong tries are counted)."""
    _require_open(change)
    check = rules.CHECK_OF[change.kind]
    if check not in rules.CODE_CHECKS:
        _refuse("_form", N_("This change is not verified by a code."))
    problem = rules.code_problem(expires_at=change.code_expires_at, attempts=change.code_attempts, now=now)
    if problem:
        _refuse("code", problem)
    letter = check == rules.LETTER
    alphabet = codes.LETTER_ALPHABET if letter else codes.DIGITS
    length = rules.LETTER_CODE_LENGTH if letter else rules.CODE_DIGITS
    code = codes.normalize(typed, alphabet)
    if not code or len(code) != length:
        if letter:
            _refuse("code", N_("The code has %(length)s characters."), length=length)
        _refuse("code", N_("The code has %(length)s digits."), length=length)
    change.code_attempts += 1
    if not signing.verify_code_digest(change.code_digest, _code_text(change, code)):
        db.session.commit()
        _refuse("code", N_("This code is not right."))
    _settle(change, change.state, now)
    _apply(change, now, Actor.owner(change.account_id))
    db.session.commit()


# --- the steps' endings -----------------------------------------------------------------------

def _require_open(change):
    if change.state not in OPEN_STATES:
        _refuse("_form", N_("This change is already finished."))
    problem = rules.changeable(change.seal.status)
    if problem:
        _refuse("_form", problem)


def _settle(change, expected, now, target=APPLIED, **values):
    """Compare-and-set expected -> target: of two tabs (or staff) settling at once, one does."""
    done = db.session.execute(
        update(SealChange).where(SealChange.id == change.id, SealChange.state == expected)
        .values(state=target, open_key=None, updated_at=now, **({"applied_at": now} if target == APPLIED else {}),
                **values).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        _refuse("_form", N_("This change is already finished."))
    db.session.refresh(change)


def _apply(change, now, actor):
    """Write the change's new value on the record (no commit); the public record shows it after commit."""
    seal, new = change.seal, change.new_value
    business = seal.business
    if change.kind == rules.MOBILE:
        account = owner_account(seal)
        if account is not None:
            # the old number hears of it: a stolen session must not move the sign-in number unnoticed
            emit("account.mobile_changed", ("account", account.id), {"domain": seal.domain, "ending": new["mobile"][-4:]},
                 actor, now=now, to={"sms": account.mobile}, audit=False)
            account.mobile = new["mobile"]
        business.owner.mobile = new["mobile"]
    elif change.kind == rules.MICRO:
        application_of(seal).micro = False
    else:
        for name, value in new.items():
            setattr(business, name, value)
        if change.kind == rules.ADDRESS:
            business.latitude = business.longitude = None  # the map point was the old address's
    # the mobile is private: webhooks and the audit's public part get the kind only
    emit("seal.details_changed", seal, {"change": change.kind, "title": rules.TITLES[change.kind]}, actor, now=now,
         before={"kind": change.kind, **({} if change.kind == rules.MOBILE else change.old_value)},
         after={"kind": change.kind, **({} if change.kind == rules.MOBILE else new)})


def cancel(change, account, now):
    """The owner gives up an open change; an unpaid invoice is voided (a paid fee is not refunded)."""
    if change.state not in OPEN_STATES:
        _refuse("_form", N_("This change is already finished."))
    invoice = change.invoice
    if invoice is not None and invoice.status == CONFIRMING:
        _refuse("_form", N_("A payment for this change is being confirmed; wait a minute and look again."))
    _settle(change, change.state, now, target=CANCELLED)
    if invoice is not None and invoice.status == INVOICE_OPEN:
        db.session.execute(update(Invoice).where(Invoice.id == invoice.id, Invoice.status == INVOICE_OPEN)
                           .values(status=VOID).execution_options(synchronize_session=False))
    record_event(actor=Actor.owner(account.id), action="seal.change_cancelled", subject_type="seal",
                 subject_id=change.seal_id, now=now, after={"change": change.id, "kind": change.kind})
    db.session.commit()


@billing.on_invoice_paid
def invoice_paid(invoice, now):
    """The postal fee paid: mail the letter; the micro difference paid: apply. In the invoice's transaction."""
    if invoice.purpose not in (POSTAL_PURPOSE, MICRO_PURPOSE):
        return
    change = db.session.scalar(select(SealChange).where(SealChange.invoice_id == invoice.id))
    if change is None or change.state != PENDING:
        return
    actor = Actor.system(f"invoice:{invoice.number}")
    if invoice.purpose == MICRO_PURPOSE:
        _settle(change, PENDING, now)
        _apply(change, now, actor)
        return
    _settle(change, PENDING, now, target=VERIFYING)
    try:
        with db.session.begin_nested():
            _send_code(change, now)
    except (post_office.PostOfficeError, ChangeError) as error:
        # the payment stands; the owner asks for the letter again from the change's page
        log.warning("change %s: letter not sent at payment: %s", change.id, error)


# --- domain -----------------------------------------------------------------------------------

def start_proof(change, method, mailbox, now):
    """A proof challenge for the change's new domain, by one of onboarding's methods."""
    _require_open(change)
    if change.kind != rules.DOMAIN:
        _refuse("_form", N_("This change is not verified by a domain proof."))
    application = application_of(change.seal)
    try:
        challenge = domain_proof.open_challenge(application, change.new_value["domain"], method, mailbox, now)
    except proof.ProofFailed as failure:
        db.session.rollback()
        _refuse("method", failure.message, **failure.variables)
    change.challenge_id, change.updated_at = challenge.id, now
    db.session.commit()
    return challenge


def proof_check(change, now, *, code=None):
    """The owner's "check now": the email code is checked here; a method that fetches the new domain is queued
    for the worker (`onboarding/checks.py`, which calls `check_proof`) and the page follows it. Returns the
    queued job, or None when the code was checked here."""
    challenge = _proof_challenge(change)
    if challenge.method == proof.EMAIL:
        check_proof(change, now, code=code)
        return None
    try:
        domain_proof.still_open(challenge, now)
        return fetch_jobs.queue(now, fetch_jobs.CHANGE, account_id=change.account_id, subject_id=change.id,
                            application_id=challenge.application_id, challenge_id=challenge.id)
    except proof.ProofFailed as failure:
        _refuse("proof", failure.message, **failure.variables)


def _proof_challenge(change):
    _require_open(change)
    if change.kind != rules.DOMAIN or change.challenge is None:
        _refuse("method", N_("Choose a way to prove ownership."))
    return change.challenge


def check_proof(change, now, *, code=None):
    """Look for the new domain's proof; when found, the seal moves to it with a new serial (old codes stop)."""
    challenge = _proof_challenge(change)
    new_domain = change.new_value["domain"]
    try:
        domain_proof.prove(challenge, change.account_id, now, code=code)
    except proof.ProofFailed as failure:
        _refuse("proof", failure.message, **failure.variables)
    if seals.live_seal_for_domain(new_domain) is not None:
        challenge.last_error = N_("This domain already holds a seal.")
        db.session.commit()
        _refuse("proof", N_("This domain already holds a seal."))
    challenge.verified_at, challenge.last_error = now, None
    _settle(change, PENDING, now)
    application = application_of(change.seal)
    application.domain = new_domain
    try:
        seals.change_domain(change.seal.public_id, expected_domain=change.old_value["domain"], new_domain=new_domain,
                            now=now, actor=Actor.owner(change.account_id), payload={"change": change.id})
    except seals.SealError:
        db.session.rollback()
        _refuse("proof", N_("The seal changed meanwhile; nothing was done. Look at the seal and try again."))


# --- staff review -----------------------------------------------------------------------------

def waiting_for_review():
    return db.session.scalars(select(SealChange).where(
        SealChange.state == VERIFYING, SealChange.kind.in_(sorted(rules.REVIEWED))).order_by(SealChange.id)).all()


def recently_reviewed(limit=50):
    return db.session.scalars(select(SealChange).where(
        SealChange.kind.in_(sorted(rules.REVIEWED)), SealChange.decided_at.is_not(None))
        .order_by(SealChange.id.desc()).limit(limit)).all()


def decide(change, staff, *, approve, note, now):
    """A reviewer applies a reviewed change, or refuses it with a reason the owner reads."""
    if change.kind not in rules.REVIEWED:
        _refuse("_form", N_("This change is not reviewed by the authority."))
    note = " ".join((note or "").split())[:500]
    if not approve and len(note) < 5:
        _refuse("note", N_("Write the reason the owner will read."))
    if change.state != VERIFYING:
        _refuse("_form", N_("This change is already finished."))
    if approve and rules.changeable(change.seal.status):
        _refuse("_form", rules.changeable(change.seal.status))
    actor = Actor.staff(staff.id)
    _settle(change, VERIFYING, now, target=APPLIED if approve else REFUSED, decided_at=now, decided_by=staff.id,
            note=note or None)
    if approve:
        _apply(change, now, actor)
    else:
        emit("seal.change_refused", change.seal, {"change": change.kind, "title": rules.TITLES[change.kind], "reason": note}, actor, now=now,
             after={"change": change.id, "kind": change.kind}, reason=note)
    db.session.commit()
