"""Conformity use cases, one door each: licences, their expiry notices, and rating requests.

Each function does one change in one transaction and writes its audit row or event there.
"""
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import signing
from ..accounts.models import Owner
from ..audit import record_event
from ..events import emit
from ..events.actors import Actor
from ..extensions import db
from ..iran.calendar import TEHRAN
from ..iran.digits import parse_int, to_latin_digits
from ..marks import N_
from ..onboarding import checks, documents
from ..onboarding.proof import ProofFailed
from ..onboarding.service import _clean_text
from ..onboarding.storage import storage_from_config
from ..billing import fees
from ..billing import service as billing
from ..seals import cache
from ..seals import service as seal_service
from ..seals.models import ACTIVE, STANDARD, Business, Licence, Seal
from ..seals.record import record_for
from ..seals.record import register as register_record
from ..seals.service import LIVE_STATUSES
from . import https, rules
from .models import (AWAITING_PAYMENT, DECIDED, LIVE_REQUEST, NC_ANSWERED, NC_CLOSED, NC_LEVELS, NC_OPEN, OPEN,
                     REPORT_DISMISSED, REPORT_NEW, REPORT_NONCONFORMITY, REPORT_SUSPENDED, VIOLATION_KINDS,
                     NonConformity, RatingRequest, StarCheck, StarNotice, ViolationReport)


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


# rating requests ---------------------------------------------------------------------------------------------

RATING_PREFIX = "rating-"


def live_rating(seal):
    return db.session.scalar(select(RatingRequest).where(RatingRequest.seal_id == seal.id,
                                                          RatingRequest.status.in_(LIVE_REQUEST)))


def request_rating(seal, account, level, evidence, *, now):
    """Open a rating request and its invoice; the request waits for payment. Returns (request, invoice)."""
    if level not in rules.LEVEL_CAPS:
        raise ConformityError({"level": (N_("Choose the basic or the advanced level."), {})})
    if seal.status != ACTIVE or seal.expires_at <= now:
        raise ConformityError({"_form": (N_("Only an active seal can ask for more stars."), {})})
    if seal.kind != STANDARD:
        raise ConformityError({"_form": (N_("Gray and temporary seals cannot ask for stars; apply for a standard seal."), {})})
    if live_rating(seal) is not None:
        raise ConformityError({"_form": (N_("This seal already has an open rating request."), {})})
    if rules.LEVEL_CAPS[level] <= seal.stars:
        raise ConformityError({"level": (N_("Your seal already has as many stars as this level can give."), {})})
    request = RatingRequest(seal_id=seal.id, level=level, status=AWAITING_PAYMENT, requested_at=now,
                            evidence=_clean_text(evidence, 2000) or None)
    db.session.add(request)
    db.session.flush()
    line = fees.rating_line(current_app.config["SEAL_FEES"], level)
    invoice = billing.create_invoice(account, [line], purpose=f"{RATING_PREFIX}{request.id}", now=now)
    request.invoice_id = invoice.id
    record_event(actor=Actor.owner(account.id), action="rating.requested", subject_type="seal", subject_id=seal.id,
                 now=now, after={"level": level, "invoice": invoice.number})
    db.session.commit()
    return request, invoice


@billing.on_invoice_paid
def _rating_paid(invoice, now):
    """A paid rating invoice opens its request; the two weeks to answer start now."""
    if not invoice.purpose.startswith(RATING_PREFIX):
        return
    db.session.execute(
        RatingRequest.__table__.update()
        .where(RatingRequest.invoice_id == invoice.id, RatingRequest.status == AWAITING_PAYMENT)
        .values(status=OPEN, paid_at=now, due_at=rules.rating_due(now)))


def open_ratings():
    return db.session.scalars(select(RatingRequest).where(RatingRequest.status == OPEN)
                              .order_by(RatingRequest.due_at, RatingRequest.id)).all()


def ratings_of(seal):
    return db.session.scalars(select(RatingRequest).where(RatingRequest.seal_id == seal.id)
                              .order_by(RatingRequest.id.desc())).all()


def _open_rating(request_id):
    request = db.session.get(RatingRequest, request_id)
    if request is None or request.status != OPEN:
        raise ConformityError({"_form": (N_("This rating request is not open."), {})})
    return request


def request_rating_https(request_id, *, staff_id, now):
    """A reviewer's "check HTTPS": queued for the worker (it fetches the shop's site), at most
    SEAL_PROOF_CHECKS_PER_ACCOUNT at once per reviewer; the worker calls `check_rating_https`."""
    _open_rating(request_id)
    try:
        return checks.queue(now, checks.HTTPS, staff_id=staff_id, subject_id=request_id)
    except ProofFailed:
        raise ConformityError({"_form": (N_("Your previous HTTPS check is still running; wait for it to finish."),
                                         {})}) from None


def https_check_of(request_id):
    """The rating request's newest HTTPS check job, or None."""
    return checks.latest_of(checks.HTTPS, request_id)


def check_rating_https(request_id, *, now, fetcher=None):
    """Run the HTTPS check for an open request and keep its answer on the request."""
    request = _open_rating(request_id)
    ok, note = https.check_https(request.seal.domain, now, fetcher)
    request.https_ok, request.https_note = ok, note
    db.session.commit()
    return ok, note


def star_facts(seal, now, *, https_ok, long_activity):
    """Everything the star criteria judge, gathered for one seal."""
    record = record_for(seal)
    return rules.StarFacts(
        https_ok=bool(https_ok), long_activity=bool(long_activity),
        licences_counting=counting_licences(seal.business, now),
        sealed_days=max((now - seal.issued_at).days, 0),
        unanswered_complaints=record.get("complaints_open", 0),
        answer_rate=record.get("answer_rate"),
        nonconformities_open=record.get("nonconformities_open", 0))


def thresholds():
    config = current_app.config
    return rules.Thresholds(good_service_days=config.get("SEAL_GOOD_SERVICE_DAYS", 730),
                            good_service_answer_rate=config.get("SEAL_GOOD_SERVICE_ANSWER_RATE", 0.95))


def decide_rating(request_id, *, staff_id, long_activity, now, note=""):
    """Close an open request: the criteria give the stars (up to the level's cap); a gain goes through
    seals.service.set_stars. A seal never loses stars by asking. Returns the request."""
    request = db.session.get(RatingRequest, request_id)
    if request is None:
        raise ConformityError({"_form": (N_("This rating request is not open."), {})})
    seal = request.seal
    facts = star_facts(seal, now, https_ok=request.https_ok, long_activity=long_activity)
    earned = rules.earned_stars(facts, rules.LEVEL_CAPS[request.level], thresholds())
    granted = max(earned, seal.stars)
    moved = db.session.execute(
        RatingRequest.__table__.update()
        .where(RatingRequest.id == request.id, RatingRequest.status == OPEN)
        .values(status=DECIDED, decided_at=now, decided_by=staff_id, granted_stars=granted,
                long_activity=bool(long_activity), decision_note=_clean_text(note, 500) or None))
    if moved.rowcount != 1:
        db.session.rollback()
        raise ConformityError({"_form": (N_("This rating request is not open."), {})})
    record_event(actor=Actor.staff(staff_id), action="rating.decided", subject_type="seal", subject_id=seal.id,
                 now=now, before={"stars": seal.stars}, after={"stars": granted, "level": request.level})
    if granted != seal.stars:
        try:
            seal_service.set_stars(seal.public_id, granted, expected=seal.stars, now=now,
                                   actor=Actor.staff(staff_id), reason="rating request")
        except seal_service.SealError as error:
            db.session.rollback()
            raise ConformityError({"_form": (str(error), {})}) from None
    else:
        db.session.commit()
    db.session.refresh(request)
    return request


# taking back a star whose ground is lost ----------------------------------------------------------------------

RECHECK_EVERY = timedelta(days=1)


def _long_activity(seal):
    return bool(db.session.scalar(
        select(RatingRequest.long_activity).where(RatingRequest.seal_id == seal.id, RatingRequest.status == DECIDED)
        .order_by(RatingRequest.decided_at.desc(), RatingRequest.id.desc()).limit(1)))


def open_notice(seal):
    return db.session.scalar(select(StarNotice).where(StarNotice.seal_id == seal.id, StarNotice.closed_at.is_(None)))


def recheck_stars(now, *, fetcher=None):
    """Check again the grounds of every active seal with more than one star (once a day each).

    A lost ground opens a notice and tells the owner; 14 days later, if still lost, the stars go down
    through seals.service.set_stars. A ground regained in between closes the notice. Returns what was done.
    """
    done = {"noticed": [], "withdrawn": [], "restored": []}
    if not current_app.config.get("SEAL_STAR_RECHECK", True) and fetcher is None:
        return done
    seals = db.session.scalars(select(Seal).where(Seal.status == ACTIVE, Seal.stars > 1, Seal.expires_at > now)
                               .order_by(Seal.id)).all()
    for seal in seals:
        check = db.session.get(StarCheck, seal.id)
        notice = open_notice(seal)
        due = notice is not None and rules.withdrawal_due(notice.noticed_at, now)
        if check is not None and now - check.checked_at < RECHECK_EVERY and not due:
            continue
        https_ok, _ = https.check_https(seal.domain, now, fetcher)
        if check is None:
            check = StarCheck(seal_id=seal.id, checked_at=now, https_ok=https_ok)
            db.session.add(check)
        check.checked_at, check.https_ok = now, https_ok
        keep = rules.stars_to_withdraw(seal.stars, star_facts(seal, now, https_ok=https_ok,
                                                               long_activity=_long_activity(seal)),
                                       thresholds())
        if notice is None and keep < seal.stars:
            reason = "https" if not https_ok else "grounds"
            db.session.add(StarNotice(seal_id=seal.id, stars_now=seal.stars, stars_due=keep, reason=reason,
                                      noticed_at=now))
            emit("seal.star_notice", seal, {"stars_due": keep, "withdraw_on": (now + timedelta(
                days=rules.NOTICE_DAYS)).date().isoformat()}, "clock", now=now)
            done["noticed"].append(seal.public_id)
        elif notice is not None and keep >= notice.stars_now:
            notice.closed_at, notice.outcome = now, "restored"
            done["restored"].append(seal.public_id)
        elif notice is not None and due:
            notice.closed_at, notice.outcome = now, "withdrawn"
            db.session.flush()
            try:
                seal_service.set_stars(seal.public_id, keep, expected=seal.stars, now=now, actor="clock",
                                       reason="a star's ground was lost")
            except seal_service.SealError:
                db.session.rollback()
                continue
            done["withdrawn"].append(seal.public_id)
        db.session.commit()
    return done


# non-conformities ---------------------------------------------------------------------------------------------

NC_HOLD_REASON = "level-3 non-conformity past its deadline"


def record_nonconformity(seal, form, *, now, staff_id):
    """Staff record a non-conformity with a public description and a deadline in days."""
    errors = {}
    level = parse_int(form.get("level"))
    if level not in NC_LEVELS:
        errors["level"] = (N_("Choose level 1, 2 or 3."), {})
    description = _clean_text(form.get("description"), 1000)
    if not description:
        errors["description"] = (N_("Describe what the owner must fix; the public reads it."), {})
    days = parse_int(form.get("days"))
    if days is None or not 1 <= days <= 90:
        errors["days"] = (N_("Give the owner between 1 and 90 days."), {})
    if errors:
        raise ConformityError(errors)
    item = NonConformity(seal_id=seal.id, level=level, description=description, status=NC_OPEN,
                         internal_note=_clean_text(form.get("internal_note"), 1000) or None,
                         deadline=now + timedelta(days=days), recorded_at=now, recorded_by=staff_id)
    db.session.add(item)
    db.session.flush()
    emit("nonconformity.recorded", seal, {"nonconformity": {"id": item.id, "level": level,
                                                             "description": description,
                                                             "deadline": item.deadline.isoformat()}},
         Actor.staff(staff_id), now=now, after={"nonconformity": item.id, "level": level})
    db.session.commit()
    cache.invalidate(seal.public_id)
    return item


def nonconformities_of(seal, *, open_only=False):
    stmt = select(NonConformity).where(NonConformity.seal_id == seal.id)
    if open_only:
        stmt = stmt.where(NonConformity.status != NC_CLOSED)
    return db.session.scalars(stmt.order_by(NonConformity.id)).all()


def answer_nonconformity(account, item_id, text, *, now):
    """The owner says what they fixed; only the seal's owner may, and only while it is open."""
    item = db.session.get(NonConformity, item_id)
    if item is None or owned_seal(account, item.seal.public_id) is None:
        raise LookupError(item_id)
    text = _clean_text(text, 2000)
    if not text:
        raise ConformityError({"answer": (N_("Say what you fixed."), {})})
    moved = db.session.execute(
        NonConformity.__table__.update().where(NonConformity.id == item_id, NonConformity.status == NC_OPEN)
        .values(status=NC_ANSWERED, answer=text, answered_at=now))
    if moved.rowcount != 1:
        db.session.rollback()
        raise ConformityError({"answer": (N_("This non-conformity is not waiting for an answer."), {})})
    record_event(actor=Actor.owner(account.id), action="nonconformity.answered", subject_type="seal",
                 subject_id=item.seal_id, now=now, after={"nonconformity": item_id})
    db.session.commit()
    return item


def answered_nonconformities():
    return db.session.scalars(select(NonConformity).where(NonConformity.status == NC_ANSWERED)
                              .order_by(NonConformity.answered_at)).all()


def decide_nonconformity(item_id, accept, *, now, staff_id, note=""):
    """Staff accept the owner's answer (closed, off the record) or reject it (open again, with why)."""
    note = _clean_text(note, 500)
    if not accept and not note:
        raise ConformityError({"note": (N_("Say why the answer is not accepted; the owner reads it."), {})})
    values = {"status": NC_CLOSED} if accept else {"status": NC_OPEN, "rejection": note}
    moved = db.session.execute(
        NonConformity.__table__.update().where(NonConformity.id == item_id, NonConformity.status == NC_ANSWERED)
        .values(decided_at=now, decided_by=staff_id, **values))
    if moved.rowcount != 1:
        db.session.rollback()
        raise ConformityError({"_form": (N_("This non-conformity is not waiting for a decision."), {})})
    item = db.session.get(NonConformity, item_id)
    db.session.refresh(item)
    emit("nonconformity.decided", item.seal, {"nonconformity": {"id": item.id, "accepted": accept,
                                                                 "note": note}},
         Actor.staff(staff_id), now=now, before={"status": NC_ANSWERED}, after={"status": values["status"]},
         reason=note or None)
    db.session.commit()
    cache.invalidate(item.seal.public_id)
    return item


def suspend_for_nonconformity(item_id, *, now, staff_id):
    """Suspend the seal of a level-3 non-conformity past its deadline (the seal service audits it)."""
    item = db.session.get(NonConformity, item_id)
    if item is None:
        raise LookupError(item_id)
    if not rules.may_suspend_for(item.level, item.deadline, now, item.status):
        raise ConformityError({"_form": (N_("Only a level-3 non-conformity past its deadline can suspend a seal."), {})})
    try:
        return seal_service.suspend(item.seal.public_id, now=now, actor=Actor.staff(staff_id),
                                    reason=f"{NC_HOLD_REASON} (#{item.id})")
    except seal_service.SealError as error:
        raise ConformityError({"_form": (str(error), {})}) from None


def _open_nonconformities(seal):
    return db.session.scalar(select(func.count()).select_from(NonConformity).where(
        NonConformity.seal_id == seal.id, NonConformity.status != NC_CLOSED)) or 0


register_record("nonconformities_open", _open_nonconformities)


# violation reports ----------------------------------------------------------------------------------------------

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _tracking_code():
    return "V" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(9))


def file_violation_report(seal, form, *, now):
    """A report from anyone; the form's honeypot must be empty and its proof of work done. Returns the report."""
    if form.get("website"):  # the honeypot: people do not see this field, form-filling robots do
        raise ConformityError({"_form": (N_("The report could not be accepted."), {})})
    errors = {}
    kind = form.get("kind", "")
    if kind not in VIOLATION_KINDS:
        errors["kind"] = (N_("Choose what kind of violation you saw."), {})
    description = _clean_text(form.get("description"), 2000)
    if len(description) < 10:
        errors["description"] = (N_("Describe what you saw in a sentence or two."), {})
    challenge = form.get("challenge", "")
    if not signing.verify_report_challenge(challenge, seal.public_id, now=int(now.timestamp()),
                                           max_age=rules.CHALLENGE_MAX_AGE) \
            or not rules.work_ok(challenge, form.get("nonce", "")):
        errors["_form"] = (N_("Your browser did not finish the anti-robot check; reload the page with JavaScript on and send again."), {})
    elif db.session.scalar(select(ViolationReport.id).where(ViolationReport.challenge == challenge)):
        errors["_form"] = (N_("This report was already sent."), {})
    if errors:
        raise ConformityError(errors)
    report = add_violation_report(seal, kind, description, now=now,
                                  contact=_clean_text(form.get("contact"), 200) or None, challenge=challenge)
    db.session.commit()
    return report


def add_violation_report(seal, kind, description, *, now, contact=None, challenge=None):
    """A new report for staff to triage, with its audit row, in the caller's transaction (the caller commits).
    Reports from the public come through file_violation_report; the system files fake-seal reports (copies/)."""
    report = ViolationReport(seal_id=seal.id, kind=kind, description=description, contact=contact,
                             tracking_code=_tracking_code(), challenge=challenge, status=REPORT_NEW, created_at=now)
    db.session.add(report)
    db.session.flush()
    record_event(actor="system", action="violation.reported", subject_type="seal", subject_id=seal.id, now=now,
                 after={"report": report.id, "kind": kind})
    return report


def new_violation_reports():
    return db.session.scalars(select(ViolationReport).where(ViolationReport.status == REPORT_NEW)
                              .order_by(ViolationReport.id)).all()


def triage_violation_report(report_id, outcome, *, now, staff_id):
    """Staff dismiss a report, turn it into a level-1 non-conformity, or suspend the seal for it."""
    if outcome not in (REPORT_DISMISSED, REPORT_NONCONFORMITY, REPORT_SUSPENDED):
        raise ConformityError({"_form": (N_("Choose what to do with the report."), {})})
    moved = db.session.execute(
        ViolationReport.__table__.update().where(ViolationReport.id == report_id, ViolationReport.status == REPORT_NEW)
        .values(status=outcome, decided_at=now, decided_by=staff_id))
    if moved.rowcount != 1:
        db.session.rollback()
        raise ConformityError({"_form": (N_("This report was already handled."), {})})
    report = db.session.get(ViolationReport, report_id)
    db.session.refresh(report)
    record_event(actor=Actor.staff(staff_id), action=f"violation.{outcome}", subject_type="seal",
                 subject_id=report.seal_id, now=now, before={"status": REPORT_NEW}, after={"status": outcome})
    db.session.commit()
    if outcome == REPORT_NONCONFORMITY:
        record_nonconformity(report.seal, {"level": "1", "description": report.description, "days": "14",
                                           "internal_note": f"violation report {report.tracking_code}"},
                             now=now, staff_id=staff_id)
    elif outcome == REPORT_SUSPENDED:
        try:
            seal_service.suspend(report.seal.public_id, now=now, actor=Actor.staff(staff_id),
                                 reason=f"violation report {report.tracking_code}")
        except seal_service.SealError as error:
            raise ConformityError({"_form": (str(error), {})}) from None
    return report
