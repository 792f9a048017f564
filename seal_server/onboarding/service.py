"""The application's use cases. Every owner's change goes through one door (`door` / `changed`):
check the step is editable, apply, lift the reviewer's rejection of the changed step, refresh the
step states, emit, commit.
"""
import functools
import inspect
import re
from datetime import timedelta

import jdatetime
from flask import current_app
from sqlalchemy import func, or_, select

from .. import domains
from ..accounts.models import LEGAL, NATURAL, Owner
from ..audit import record_event
from ..events import Actor, emit
from ..extensions import db
from ..iran.calendar import TEHRAN
from ..iran.digits import to_latin_digits
from ..iran.identifiers import (
    IdentifierError, clean_landline, clean_legal_national_id, clean_postal_code, digits_only,
)
from ..marks import N_
from ..seals.models import KINDS
from ..seals.service import live_seal_for_domain
from . import categories, documents, terms
from .models import (
    DONE, DRAFT, LIVE_APPLICATION, NEW_SEAL, NOT_STARTED, PENDING, STEP_REJECTED, STEPS, SUBMITTED, TRANSFER,
    WITHDRAWN,
    Application, ApplicationStep, Document, DomainChallenge,
)

GENDERS = (("female", N_("Female")), ("male", N_("Male")))
SALES_METHODS = (("direct", N_("Direct (the shop sells and delivers itself)")),
                 ("indirect", N_("Indirect (through other sellers or marketplaces)")),
                 ("both", N_("Both")))
SEAL_KINDS = (("standard", N_("Standard seal (with stars)")), ("gray", N_("Gray seal (no stars, for new businesses)")),
              ("temporary", N_("Temporary seal")))
PUBLIC_SUFFIXES = frozenset({
    "co.ir", "ac.ir", "gov.ir", "org.ir", "net.ir", "id.ir", "sch.ir", "xn--mgba3a4f16a.ir",
    "co.uk", "org.uk", "ac.uk", "com.au", "net.au", "org.au", "co.jp", "com.tr", "com.br", "co.in",
    "github.io", "blogspot.com", "herokuapp.com",
})
CONTACT_FIELDS = ("landline", "email", "postal_code", "address", "province", "city", "response_hours",
                  "latitude", "longitude")
_LETTER = "(?:[^\\W\\d_][\u064b-\u065f\u0670]*)"  # a letter and any short-vowel marks on it
_NAME = re.compile(f"^{_LETTER}+(?:[ \u200c'\\-.]{_LETTER}*)*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ARABIC_TO_PERSIAN = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
MINOR_AGE = 18


class QuotaReached(Exception):
    """The account has used its share (applications, stored bytes); `message` is a msgid, `variables` fill it."""

    def __init__(self, message, **variables):
        super().__init__(message)
        self.message, self.variables = message, variables


class NotEditable(Exception):
    """The application is no longer a draft, or a reviewer reopened only other steps of it."""

    def __init__(self, message=None):
        super().__init__(message or N_("This application was submitted; it can no longer be changed."))
        self.message = message or N_("This application was submitted; it can no longer be changed.")


NOT_ASKED = N_("This request does not ask for this step; the seal's registered details stay as they are.")
REOPENED_ONLY = N_("A reviewer reopened only some steps of this application; change those and submit again.")


def _clean_text(value, limit=200):
    """One-line text with Arabic yeh and kaf written the Persian way, as typed on Arabic keyboards."""
    text = _CONTROL.sub("", value or "")  # NUL and friends: PostgreSQL refuses them in text
    return re.sub(r"\s+", " ", text).translate(_ARABIC_TO_PERSIAN).strip()[:limit]


def _person_name(form, field, errors, empty):
    value = _clean_text(form.get(field), 80)
    if not value:
        errors[field] = (empty, {})
    elif any(ch.isdigit() for ch in to_latin_digits(value)):
        errors[field] = (N_("A name cannot contain digits."), {})
    elif not _NAME.match(value):
        errors[field] = (N_("Use letters only in a name."), {})
    return value


def parse_jalali_date(text, *, today):
    """A Gregorian date from 'YYYY/MM/DD' in the Jalali calendar (any digits, / - . or spaces)."""
    parts = re.split(r"[/\-.\s]+", to_latin_digits(text or "").strip())
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError(N_("Enter the date as year/month/day in the Jalali calendar, such as 1370/05/21."))
    year, month, day = (int(part) for part in parts)
    if year < 100:
        raise ValueError(N_("Write the year with four digits, such as 1370."))
    try:
        gregorian = jdatetime.date(year, month, day).togregorian()
    except ValueError:
        raise ValueError(N_("This date does not exist in the Jalali calendar.")) from None
    if gregorian > today:
        raise ValueError(N_("The birth date cannot be in the future."))
    if today.year - gregorian.year > 120:
        raise ValueError(N_("Check the birth year: this would make you older than 120."))
    return gregorian


def age_on(birth, today):
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def tehran_today(now):
    return now.astimezone(TEHRAN).date()


def is_minor(owner, now):
    return bool(owner and owner.kind == NATURAL and owner.birth_date
                and age_on(owner.birth_date, tehran_today(now)) < MINOR_AGE)


def jalali_text(day):
    if day is None:
        return ""
    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


# --- applications ---------------------------------------------------------------------------

def _check_application_quota(account, now):
    config = current_app.config
    live = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.account_id == account.id, Application.status.in_(LIVE_APPLICATION)))
    if live >= config["SEAL_APPLICATIONS_PER_ACCOUNT"]:
        raise QuotaReached(N_("You already have %(count)s open applications; finish or withdraw one first."),
                           count=live)
    # withdrawn ones count too: withdrawing and starting again must not reset anything
    today = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.account_id == account.id, Application.created_at > now - timedelta(days=1)))
    if today >= config["SEAL_APPLICATIONS_PER_DAY"]:
        raise QuotaReached(N_("You can start at most %(count)s new applications a day; try again tomorrow."),
                           count=config["SEAL_APPLICATIONS_PER_DAY"])


def open_application(account, now):
    """A new draft for `account`; QuotaReached past the open and daily caps."""
    _check_application_quota(account, now)
    application = Application(account_id=account.id, status=DRAFT, created_at=now, updated_at=now)
    # an owner who already declared an identity starts from it
    previous = db.session.scalar(select(Owner).where(Owner.account_id == account.id).order_by(Owner.id.desc()))
    application.owner = previous
    for step in STEPS:
        application.steps.append(ApplicationStep(step=step, state=NOT_STARTED, updated_at=now))
    db.session.add(application)
    refresh_steps(application, now)
    db.session.commit()
    return application


def applications_for(account):
    return db.session.scalars(
        select(Application).where(Application.account_id == account.id, Application.status != WITHDRAWN)
        .order_by(Application.id.desc())).all()


def find_for(account, application_id):
    """The application if this account may see it (its owner, or staff), else None."""
    application = db.session.get(Application, application_id)
    if application is None or application.status == WITHDRAWN:
        return None
    if application.account_id != account.id and not account.is_staff:
        return None
    return application


def editable(application, steps=()):
    """Raise NotEditable unless the owner may change `steps` now (a draft; after a reviewer's
    rejection, only the steps the reviewer reopened)."""
    if application.status != DRAFT:
        raise NotEditable()
    if application.purpose != NEW_SEAL and not set(steps) <= set(required_steps(application)):
        raise NotEditable(NOT_ASKED)
    reopened = {item.step for item in application.steps if item.reopened}
    if reopened and not set(steps) <= reopened:
        raise NotEditable(REOPENED_ONLY)


def changed(application, steps, now, *, event=None, actor=None, payload=None):
    """The door's second half: the changed steps lose the reviewer's verdict, states are refreshed, commit.

    A rejected step stays rejected until the owner changes that step; a step that stops being done
    because of this change is reopened too, so the owner can fix it.
    """
    application.updated_at = now
    reopened_any = any(item.reopened for item in application.steps)
    for item in application.steps:
        if item.step in steps:
            if item.state == STEP_REJECTED:
                item.state = NOT_STARTED
            item.accepted_at = item.reviewed_by = None
    before = {item.step: item.state for item in application.steps}
    refresh_steps(application, now)
    if reopened_any:
        for item in application.steps:
            if before[item.step] == DONE and item.state != DONE:
                item.reopened = True
    if event:
        emit(event, application, payload, actor or Actor.owner(application.account_id), now=now)
    else:
        record_event(actor=actor or Actor.owner(application.account_id), action="application.changed",
                     subject_type="application", subject_id=application.id, now=now,
                     after={"steps": sorted(steps), **(payload or {})})
    db.session.commit()


def door(*steps):
    """Decorate a use case that changes `steps` of an application (its first argument; `now` by name or
    position): editable check first; then, unless it returned form errors (a non-empty dict), `changed`."""
    def wrap(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def run(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            application, now = bound.arguments["application"], bound.arguments["now"]
            editable(application, steps)
            result = function(*args, **kwargs)
            if isinstance(result, dict) and result:
                return result
            changed(application, steps, now)
            return result
        return run
    return wrap



def step(application, name):
    return next(s for s in application.steps if s.step == name)


def missing_documents(application, now):
    uploaded = {document.kind for document in application.documents}
    return [kind for kind in documents.required_kinds(application.owner, is_minor=is_minor(application.owner, now))
            if kind not in uploaded]


def landline_verified(application):
    return bool(application.landline) and application.landline_verified == application.landline


def email_verified(application):
    return bool(application.email) and application.email_verified == application.email


def postal_key(application):
    """What a postal letter proves: this postal code and this address."""
    if not (application.postal_code and application.address):
        return None
    return f"{application.postal_code}|{application.address}"


def _postal_state(application):
    if application.postal_verified and application.postal_verified == postal_key(application):
        return DONE
    return PENDING if application.postal_paid_at else NOT_STARTED


def _payment_state(application):
    if application.fee_paid_at:
        return DONE
    return PENDING if application.micro is not None else NOT_STARTED


def _contact_state(application):
    saved = [getattr(application, name) not in (None, "") for name in CONTACT_FIELDS]
    if all(saved) and email_verified(application) and landline_verified(application):
        return DONE
    return PENDING if any(saved) else NOT_STARTED


def _ensure_steps(application, now):
    """Applications opened before a step existed get its row."""
    have = {item.step for item in application.steps}
    for name in STEPS:
        if name not in have:
            application.steps.append(ApplicationStep(step=name, state=NOT_STARTED, updated_at=now))
    application.steps.sort(key=lambda item: STEPS.index(item.step))


def refresh_steps(application, now):
    """Recompute each step's state from what the application holds (a reviewer's rejection stays)."""
    _ensure_steps(application, now)
    owner = application.owner
    states = {
        "identity": DONE if owner is not None else NOT_STARTED,
        "documents": (NOT_STARTED if owner is None
                      else DONE if not missing_documents(application, now)
                      else PENDING if application.documents else NOT_STARTED),
        "business": DONE if application.domain and application.name_fa and application.owns_domain_declared_at
        else NOT_STARTED,
        "domain": NOT_STARTED,
        "contact": _contact_state(application),
        "postal": _postal_state(application),
        "payment": _payment_state(application),
        "commitment": DONE if application.terms_version == terms.current()["version"] else NOT_STARTED,
    }
    if application.domain and application.domain_verified_at:
        states["domain"] = DONE
    elif application.domain and any(c.domain == application.domain and c.verified_at is None and c.expires_at > now
                                    for c in open_challenges(application)):
        states["domain"] = PENDING
    for item in application.steps:
        if item.state == STEP_REJECTED:
            continue  # a reviewer's rejection stays until the owner changes that step (see `changed`)
        if item.state != states[item.step]:
            item.state, item.reason, item.updated_at = states[item.step], None, now


def open_challenges(application):
    if application.id is None:
        return []
    return db.session.scalars(select(DomainChallenge).where(DomainChallenge.application_id == application.id)).all()


# a gray seal needs only who you are, the domain, the commitment and its micro fee; a temporary one skips the fees
REQUIRED_STEPS = {
    "gray": ("identity", "business", "domain", "commitment", "payment"),
    "temporary": ("identity", "documents", "business", "domain", "contact", "commitment"),
}


# a new owner proves who they are; the business, its domain and contact details stay the seal's
TRANSFER_STEPS = ("identity", "documents", "commitment")
# Other packages give the steps of their own purposes: purpose -> fn(application) -> steps
PURPOSE_STEPS = {TRANSFER: lambda application: TRANSFER_STEPS}


def required_steps(application):
    if application.purpose in PURPOSE_STEPS:
        return PURPOSE_STEPS[application.purpose](application)
    return REQUIRED_STEPS.get(application.seal_kind, STEPS)


def next_step(application):
    required = required_steps(application)
    return next((s.step for s in application.steps if s.step in required and s.state != DONE), None)


def submit(application, now):
    """Hand a complete draft to the reviewers; returns the steps still missing (nothing changes then)."""
    if application.status != DRAFT:
        raise NotEditable()
    refresh_steps(application, now)
    required = required_steps(application)
    missing = [s.step for s in application.steps if s.step in required and s.state != DONE]
    if missing:
        db.session.commit()
        return missing
    again = application.submitted_at is not None
    application.status, application.submitted_at, application.updated_at = SUBMITTED, now, now
    for item in application.steps:
        item.reopened = False
    emit("application.submitted", application, {"application": application.id, "domain": application.domain,
                                                "kind": application.seal_kind, "resubmitted": again},
         Actor.owner(application.account_id), now=now, before={"status": DRAFT}, after={"status": SUBMITTED})
    db.session.commit()
    return []


def withdraw(application, now, storage, *, commit=True):
    """Delete an application before approval (the seed allows it); its documents are erased.

    A transfer's application takes the transfer with it (both sides are told)."""
    if application.status not in LIVE_APPLICATION:
        raise NotEditable()
    for document in list(application.documents):
        storage.delete(document.storage_key)
        db.session.delete(document)
    before = application.status
    application.status, application.updated_at = WITHDRAWN, now
    emit("application.withdrawn", application, {"application": application.id, "domain": application.domain},
         Actor.owner(application.account_id), now=now, before={"status": before}, after={"status": WITHDRAWN})
    if application.purpose == TRANSFER:
        from ..transfers import service as transfers

        transfers.application_ended(application, by=transfers.BUYER, now=now)
    if commit:
        db.session.commit()


# --- commitment -----------------------------------------------------------------------------

@door("commitment")
def accept_terms(application, version, ip, now):
    """Record acceptance of the current terms; returns False when this version was already accepted."""
    current = terms.current()["version"]
    if version != current:
        raise ValueError(N_("The terms changed while you were reading them; read the new version and accept again."))
    if application.terms_version == current:
        return False
    application.terms_version, application.terms_accepted_at = current, now
    application.terms_accepted_ip = (ip or "")[:45] or None
    return True


# --- identity -------------------------------------------------------------------------------

def identity_form(application, account):
    """The identity form's values: what was saved, else the account's identifiers."""
    owner = application.owner
    if owner is None:
        return {"person_kind": NATURAL, "national_code": account.national_code, "mobile": account.mobile}
    return {
        "person_kind": owner.kind, "first_name": owner.first_name or "", "last_name": owner.last_name or "",
        "father_name": owner.father_name or "", "gender": owner.gender or "",
        "birth_date": jalali_text(owner.birth_date), "national_code": account.national_code,
        "mobile": account.mobile, "company_name": owner.company_name or "",
        "legal_national_id": owner.legal_national_id or "", "registration_number": owner.registration_number or "",
        "ceo_name": owner.ceo_name or "", "landline": owner.landline or "",
        "postal_code": owner.postal_code or "", "address": owner.address or "",
    }


@door("identity")
def save_identity(application, account, form, now):
    """Validate and save the identity; returns {field: (msgid, vars)} errors (empty when saved)."""
    errors = {}
    kind = form.get("person_kind")
    if kind not in (NATURAL, LEGAL):
        errors["person_kind"] = (N_("Choose natural or legal person."), {})
        return errors
    values = {"kind": kind}
    if kind == NATURAL:
        values["first_name"] = _person_name(form, "first_name", errors, N_("Enter your first name."))
        values["last_name"] = _person_name(form, "last_name", errors, N_("Enter your last name."))
        values["father_name"] = _person_name(form, "father_name", errors, N_("Enter your father's name."))
        values["gender"] = form.get("gender")
        if values["gender"] not in dict(GENDERS):
            errors["gender"] = (N_("Choose a gender."), {})
        try:
            values["birth_date"] = parse_jalali_date(form.get("birth_date"), today=tehran_today(now))
        except ValueError as error:
            errors["birth_date"] = (str(error), {})
        values.update(company_name=None, legal_national_id=None, registration_number=None, ceo_name=None)
    else:
        values["company_name"] = _clean_text(form.get("company_name"))
        if not values["company_name"]:
            errors["company_name"] = (N_("Enter the company's registered name."), {})
        try:
            values["legal_national_id"] = clean_legal_national_id(form.get("legal_national_id"))
        except IdentifierError as error:
            errors["legal_national_id"] = (str(error), {})
        registration = digits_only(form.get("registration_number"))
        if not registration:
            errors["registration_number"] = (N_("Enter the registration number."), {})
        elif not (registration.isascii() and registration.isdigit() and len(registration) <= 20):
            errors["registration_number"] = (N_("The registration number is digits only, at most 20."), {})
        values["registration_number"] = registration
        values["ceo_name"] = _person_name(form, "ceo_name", errors, N_("Enter the chief executive's name."))
        values.update(first_name=None, last_name=None, father_name=None, gender=None, birth_date=None)
    for name, clean in (("landline", clean_landline), ("postal_code", clean_postal_code)):
        try:
            values[name] = clean(form.get(name))
        except IdentifierError as error:
            errors[name] = (str(error), {})
    values["address"] = _clean_text(form.get("address"), 500)
    if len(values["address"]) < 10:
        errors["address"] = (N_("Enter the full postal address: province, city, street and number."), {})
    if errors:
        return errors
    owner = application.owner
    if owner is None or owner.account_id != account.id or _shared(owner, application):
        owner = Owner(account_id=account.id, created_at=now)
        application.owner = owner
    for name, value in values.items():
        setattr(owner, name, value)
    # the account holder's own identifiers; for a company, the person acting for it
    owner.national_code, owner.mobile = account.national_code, account.mobile
    return {}


def _shared(owner, application):
    """True when another application (or a business) also uses this owner row, so edits must not leak."""
    other = db.session.scalar(select(Application.id).where(
        Application.owner_id == owner.id, Application.id != application.id, Application.status != WITHDRAWN))
    return other is not None or bool(owner.businesses)


# --- documents ------------------------------------------------------------------------------

def _check_bytes_quota(application, kind, size):
    """The account's stored documents, with this one replacing its kind, stay under SEAL_UPLOAD_ACCOUNT_BYTES."""
    stored = db.session.scalar(
        select(func.coalesce(func.sum(Document.size), 0)).join(Application, Application.id == Document.application_id)
        .where(Application.account_id == application.account_id,
               ~((Document.application_id == application.id) & (Document.kind == kind))))
    cap = current_app.config["SEAL_UPLOAD_ACCOUNT_BYTES"]
    if stored + size > cap:
        raise documents.UploadError(N_("Your documents already take %(used)s MB of your %(mb)s MB; delete one you "
                                       "no longer need first."), used=round(stored / (1024 * 1024), 1),
                                    mb=cap // (1024 * 1024))


@door("documents")
def add_document(application, kind, filename, data, storage, now):
    allowed = documents.allowed_kinds(application.owner, is_minor=is_minor(application.owner, now))
    if kind not in allowed:
        raise documents.UploadError(N_("Choose which document this is."))
    content_type, extension, digest = documents.check_upload(data, current_app.config["SEAL_UPLOAD_MAX_BYTES"])
    _check_bytes_quota(application, kind, len(data))
    key = storage.save(data, extension)
    for old in [d for d in application.documents if d.kind == kind]:
        storage.delete(old.storage_key)
        application.documents.remove(old)
    application.documents.append(Document(
        kind=kind, storage_key=key, original_name=documents.safe_display_name(filename),
        content_type=content_type, size=len(data), sha256=digest, uploaded_at=now))


@door("documents")
def remove_document(application, document_id, storage, now):
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        return False
    storage.delete(document.storage_key)
    application.documents.remove(document)
    return True


# --- business -------------------------------------------------------------------------------

def business_form(application):
    return {
        "seal_kind": application.seal_kind or "", "domain": application.domain or "",
        "name_fa": application.name_fa or "", "name_en": application.name_en or "",
        "category": application.category or "", "sales_method": application.sales_method or "",
        "owns_domain": "yes" if application.owns_domain_declared_at else "",
    }


def clean_business_domain(text):
    """The canonical domain, or ValueError with a msgid."""
    try:
        domain = domains.normalize_domain(text)
    except domains.DomainError as error:
        raise ValueError(str(error)) from None
    if domain in PUBLIC_SUFFIXES:
        raise ValueError(N_("This is a public suffix shared by many sites; enter your own domain under it."))
    return domain


def domain_taken(domain, application):
    """A msgid when another live application or a live seal holds this domain."""
    if live_seal_for_domain(domain) is not None:
        return N_("This domain already holds a seal.")
    # Another account's draft holds the domain only once it has proven it (or been submitted), so
    # nobody can park a domain they do not control by opening an empty application for it.
    other = db.session.scalar(select(Application.id).where(
        Application.domain == domain, Application.status.in_(LIVE_APPLICATION), Application.id != application.id,
        or_(Application.account_id == application.account_id, Application.domain_verified_at.is_not(None),
            Application.status == SUBMITTED)))
    if other is not None:
        return N_("Another application for this domain is already in progress.")
    return None


@door("business")
def save_business(application, form, category_list, now):
    """Validate and save the business; returns {field: (msgid, vars)} errors (empty when saved)."""
    errors = {}
    kind = form.get("seal_kind")
    if kind not in KINDS:
        errors["seal_kind"] = (N_("Choose the kind of seal."), {})
    try:
        domain = clean_business_domain(form.get("domain"))
    except ValueError as error:
        errors["domain"] = (str(error), {})
        domain = None
    if domain:
        taken = domain_taken(domain, application)
        if taken:
            errors["domain"] = (taken, {})
    name_fa, name_en = _clean_text(form.get("name_fa")), _clean_text(form.get("name_en"))
    if not name_fa:
        errors["name_fa"] = (N_("Enter the business's Persian name."), {})
    if not name_en:
        errors["name_en"] = (N_("Enter the business's Latin name."), {})
    elif not name_en.isascii():
        errors["name_en"] = (N_("Write the Latin name in Latin letters."), {})
    if form.get("category") not in {code for code, _, _ in category_list}:
        errors["category"] = (N_("Choose a category."), {})
    if form.get("sales_method") not in dict(SALES_METHODS):
        errors["sales_method"] = (N_("Choose how the business sells."), {})
    if form.get("owns_domain") != "yes":
        errors["owns_domain"] = (N_("Only the owner of the domain may apply: confirm that you own it."), {})
    if errors:
        return errors
    if domain != application.domain:
        application.domain_verified_at, application.domain_verified_by = None, None
    application.seal_kind, application.domain, application.name_fa, application.name_en = kind, domain, name_fa, name_en
    application.category, application.sales_method = form["category"], form["sales_method"]
    application.owns_domain_declared_at = application.owns_domain_declared_at or now
    return {}


def category_choices(lang):
    items = categories.load(current_app.config, current_app.instance_path)
    return items, [(code, fa if lang == "fa" else en) for code, fa, en in items]
