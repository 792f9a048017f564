"""Conformity use cases, one door each: add and verify licences, tell owners before one expires.

Each function does one change in one transaction and writes its audit row or event there.
"""
from flask import current_app
from sqlalchemy import select

from ..accounts.models import Owner
from ..audit import record_event
from ..events import emit
from ..events.actors import Actor
from ..extensions import db
from ..iran.calendar import TEHRAN
from ..iran.digits import to_latin_digits
from ..marks import N_
from ..onboarding import documents
from ..onboarding.service import _clean_text
from ..onboarding.storage import storage_from_config
from ..seals import cache
from ..seals.models import Business, Licence, Seal
from ..seals.service import LIVE_STATUSES
from . import rules


class ConformityError(Exception):
    """A refused request; `errors` maps a form field to (msgid, variables)."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def local_today(now):
    return now.astimezone(TEHRAN).date()


def owned_seal(account, public_id):
    """The seal with this id when the signed-in account owns it, else None."""
    if account is None:
        return None
    return db.session.scalar(
        select(Seal).join(Business).join(Owner, Business.owner_id == Owner.id)
        .where(Seal.public_id == public_id, Owner.account_id == account.id))


def owned_seals(account):
    return db.session.scalars(
        select(Seal).join(Business).join(Owner, Business.owner_id == Owner.id)
        .where(Owner.account_id == account.id).order_by(Seal.id)).all()


def add_licence(seal, form, scan, *, now, actor):
    """Record a licence the owner declares, waiting for staff to verify its scan."""
    errors = {}
    values = {field: _clean_text(form.get(field), 60 if field == "number" else 200)
              for field in ("title", "issuer", "number")}
    values["number"] = to_latin_digits(values["number"])
    for field, message in (("title", N_("Enter the licence's title.")),
                           ("issuer", N_("Enter who issued the licence.")),
                           ("number", N_("Enter the licence's number."))):
        if not values[field]:
            errors[field] = (message, {})
    dates = {}
    for field in ("valid_from", "valid_to"):
        try:
            dates[field] = rules.parse_jalali_day(form.get(field))
        except ValueError as error:
            errors[field] = (str(error), {})
    if len(dates) == 2:
        problem = rules.licence_dates_error(dates["valid_from"], dates["valid_to"], local_today(now))
        if problem:
            errors["valid_to"] = (problem, {})
    try:
        content_type, extension, _ = documents.check_upload(scan, current_app.config["SEAL_UPLOAD_MAX_BYTES"])
    except documents.UploadError as error:
        errors["scan"] = (error.message, error.variables)
    if errors:
        raise ConformityError(errors)
    key = storage_from_config(current_app.config).save(scan, extension)
    licence = Licence(business=seal.business, scan_key=key, scan_type=content_type, status=rules.PENDING,
                      created_at=now, **values, **dates)
    db.session.add(licence)
    db.session.flush()
    record_event(actor=Actor.parse(actor), action="licence.added", subject_type="licence", subject_id=licence.id,
                 now=now, after={"title": licence.title, "seal": seal.public_id})
    db.session.commit()
    return licence


def pending_licences():
    return db.session.scalars(select(Licence).where(Licence.status == rules.PENDING).order_by(Licence.id)).all()


def decide_licence(licence_id, verdict, *, now, staff_id, note=""):
    """Staff verify or reject a pending licence (compare-and-set on its status)."""
    if verdict not in (rules.VERIFIED, rules.REJECTED):
        raise ConformityError({"verdict": (N_("Choose verify or reject."), {})})
    note = _clean_text(note, 500)
    if verdict == rules.REJECTED and not note:
        raise ConformityError({"note": (N_("Say why the licence is rejected; the owner reads it."), {})})
    result = db.session.execute(
        Licence.__table__.update()
        .where(Licence.id == licence_id, Licence.status == rules.PENDING)
        .values(status=verdict, decided_at=now, decided_by=staff_id, decision_note=note or None))
    if result.rowcount != 1:
        db.session.rollback()
        raise ConformityError({"verdict": (N_("This licence was already decided."), {})})
    record_event(actor=Actor.staff(staff_id), action=f"licence.{verdict}", subject_type="licence",
                 subject_id=licence_id, now=now, before={"status": rules.PENDING}, after={"status": verdict},
                 reason=note or None)
    db.session.commit()
    licence = db.session.get(Licence, licence_id)
    db.session.refresh(licence)
    for seal in licence.business.seals:
        cache.invalidate(seal.public_id)
    return licence


def public_licences(business, now):
    """Verified licences for the verification page, each with whether it still counts."""
    today = local_today(now)
    return [(licence, rules.licence_counts(licence.status, licence.valid_to, today))
            for licence in business.licences if licence.status == rules.VERIFIED]


def counting_licences(business, now):
    return sum(1 for _, counts in public_licences(business, now) if counts)


def send_expiry_notices(now):
    """Tell owners, once per licence, 30 days before a verified licence ends; returns the licence ids."""
    today = local_today(now)
    horizon = today.fromordinal(today.toordinal() + rules.EXPIRY_NOTICE_DAYS)
    candidates = db.session.scalars(
        select(Licence).where(Licence.status == rules.VERIFIED, Licence.expiry_notice_at.is_(None),
                              Licence.valid_to >= today, Licence.valid_to <= horizon)).all()
    told = []
    for licence in candidates:
        if not rules.needs_expiry_notice(licence.status, licence.valid_to, today, False):
            continue
        seal = db.session.scalar(select(Seal).where(Seal.business_id == licence.business_id,
                                                    Seal.status.in_(LIVE_STATUSES)))
        claimed = db.session.execute(
            Licence.__table__.update()
            .where(Licence.id == licence.id, Licence.expiry_notice_at.is_(None))
            .values(expiry_notice_at=now))
        if claimed.rowcount != 1:
            db.session.rollback()
            continue
        if seal is not None:
            emit("licence.expiring", seal, {"licence": {"id": licence.id, "title": licence.title,
                                                         "number": licence.number,
                                                         "valid_to": licence.valid_to.isoformat()}},
                 "clock", now=now, dedupe_key=f"licence.expiring:{licence.id}")
        db.session.commit()
        told.append(licence.id)
    return told
