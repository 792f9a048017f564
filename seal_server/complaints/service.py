"""Complaints: one door per transition, each in one transaction (the caller gets a committed result).

filing (pending) -> code checked + bank confirms -> open -> answered -> accepted | rejected.
A bank that does not confirm leaves the complaint `unconfirmed`: nothing is opened.
`sweep(now)` moves every running clock with one statement per window (compare-and-set on the count),
then adds or lifts each seal's complaints hold, so concurrent ticks do each thing once.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, select, update

from ..events import Actor, CLOCK_ACTOR, emit
from ..extensions import db
from ..integrations import bank_inquiry, post_office
from ..iran.digits import to_latin_digits
from ..marks import N_
from ..onboarding.storage import storage_from_config
from ..seals import service as seals
from ..seals.models import Seal, SealHold
from . import clock, files, rules
from .models import (ANSWERED, BUYER, CONFIRMED_STATES, OPEN, PENDING, UNCONFIRMED, ACCEPTED, REJECTED, Complaint,
                     ComplaintFile)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
CODE_TRIES = 5
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LIVE_FOR_FILING = (seals.ACTIVE, seals.SUSPENDED)
HOLD_NOTE = "unanswered complaints"
# the attachments of a filing never confirmed by SMS are deleted after this: an unconfirmed filing (anyone,
# any mobile) must not keep its files in the upload storage for ever
PENDING_FILES_KEPT = timedelta(days=2)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


class ComplaintError(Exception):
    """A complaint step that cannot be done; `message` is a msgid for people, `field` the form field."""

    def __init__(self, message, field=None, **variables):
        super().__init__(message)
        self.message, self.field, self.variables = message, field, variables
        self.errors = {field or "_form": (message, variables)}


def _setting(name, default):
    return current_app.config.get(name, default)


def _code_hash(complaint, code):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"complaint.v1|{complaint.tracking_code}|{code}".encode(), hashlib.sha256).hexdigest()


def _compare_and_set(complaint, condition, message, **values):
    """One transition: UPDATE ... WHERE `condition`, so two clicks at once give one; ComplaintError otherwise."""
    done = db.session.execute(update(Complaint).where(Complaint.id == complaint.id, condition).values(**values)
                              .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        raise ComplaintError(message)
    db.session.refresh(complaint)


def _new_tracking_code():
    while True:
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))
        if not db.session.scalar(select(func.count()).where(Complaint.tracking_code == code)):
            return code


def _send_code(complaint, now, purpose):
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    complaint.code_hash, complaint.code_expires_at, complaint.code_attempts = \
        _code_hash(complaint, code), now + CODE_TTL, 0
    emit("complaint.code", ("complaint", complaint.id), {"tracking_code": complaint.tracking_code,
                                                         "purpose": purpose}, Actor.system("complaints"),
         now=now, to={"sms": complaint.mobile}, secrets={"code": code}, audit=False)


def _check_limits(mobile, ip, now):
    per_mobile = _setting("SEAL_COMPLAINTS_PER_MOBILE_DAY", 3)
    per_ip = _setting("SEAL_COMPLAINTS_PER_IP_DAY", 10)
    if db.session.scalar(select(func.count()).select_from(Complaint).where(
            Complaint.mobile == mobile, Complaint.filed_at > now - DAY)) >= per_mobile:
        raise ComplaintError(N_("Too many complaints were filed with this mobile today; try again tomorrow."),
                             "mobile")
    if ip and db.session.scalar(select(func.count()).select_from(Complaint).where(
            Complaint.ip == ip, Complaint.filed_at > now - DAY)) >= per_ip:
        raise ComplaintError(N_("Too many complaints were filed from your connection today; try again tomorrow."))


def file_complaint(seal, form, *, ip, now, today, attachments=()):
    """Check the form and its optional attachments ((data, filename) pairs), then send a one-time code to
    the buyer's mobile; returns the pending complaint."""
    if seal.status not in LIVE_FOR_FILING:
        raise ComplaintError(N_("Complaints can be filed only against an active or suspended seal."))
    values, errors = rules.clean_filing(form, today)
    good, file_errors = files.checked(attachments, "attachments")
    errors.update(file_errors)
    if errors:
        field, (message, variables) = next(iter(errors.items()))
        error = ComplaintError(message, field, **variables)
        error.errors = errors
        raise error
    _check_limits(values["mobile"], ip, now)
    same = db.session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.seal_id == seal.id, Complaint.payment_ref == values["payment_ref"],
        Complaint.state.in_(CONFIRMED_STATES)))
    if same:
        raise ComplaintError(N_("A complaint about this payment is already open; follow it with its tracking code."),
                             "payment_ref")
    complaint = Complaint(tracking_code=_new_tracking_code(), seal_id=seal.id, ip=ip, state=PENDING, filed_at=now,
                          **values)
    db.session.add(complaint)
    db.session.flush()
    files.store(complaint, BUYER, good, now=now)
    _send_code(complaint, now, "file")
    db.session.commit()
    return complaint


def by_tracking_code(text):
    code = rules.clean_tracking_code(text)
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code)) if code else None
    if complaint is None:
        raise ComplaintError(N_("No complaint has this tracking code."), "tracking_code")
    return complaint


def _use_code(complaint, typed, now):
    """Spend one try of the latest code; ComplaintError unless it matches."""
    if complaint.code_hash is None or complaint.code_expires_at is None or now >= complaint.code_expires_at:
        raise ComplaintError(N_("This code has expired; ask for a new one."), "code")
    typed = to_latin_digits(str(typed or "")).strip()
    if not (len(typed) == CODE_DIGITS and typed.isascii() and typed.isdigit()):
        raise ComplaintError(N_("The code has 6 digits."), "code")
    spent = db.session.execute(update(Complaint).where(
        Complaint.id == complaint.id, Complaint.code_attempts < CODE_TRIES, Complaint.code_hash == complaint.code_hash)
        .values(code_attempts=Complaint.code_attempts + 1).execution_options(synchronize_session=False))
    db.session.commit()
    if spent.rowcount != 1:
        raise ComplaintError(N_("Too many wrong codes; ask for a new one."), "code")
    if not hmac.compare_digest(_code_hash(complaint, typed), complaint.code_hash):
        raise ComplaintError(N_("The code is not right; check the SMS and try again."), "code")
    complaint.code_hash = None  # one use only
    db.session.commit()


def confirm_filing(tracking_code, code, *, now):
    """The buyer's code, then the bank: an open complaint and the business told, or `unconfirmed`."""
    complaint = by_tracking_code(tracking_code)
    if complaint.state != PENDING:
        raise ComplaintError(N_("This complaint was already confirmed; follow it with its tracking code."))
    _use_code(complaint, code, now)
    seal = complaint.seal
    transaction = bank_inquiry.Transaction(complaint.paid_on, complaint.amount, complaint.payment_ref,
                                           complaint.card_last4, seal.domain)
    confirmed = bank_inquiry.backend_from_config(current_app.config).confirms(transaction)
    if not confirmed:
        complaint.state = UNCONFIRMED
        db.session.commit()
        return complaint
    ends = clock.deadlines(now)
    _compare_and_set(complaint, Complaint.state == PENDING,
                     N_("This complaint was already confirmed; follow it with its tracking code."),
                     state=OPEN, confirmed_at=now, deadline_1=ends[0], deadline_2=ends[1], deadline_3=ends[2])
    emit("complaint.filed", seal, {"tracking_code": complaint.tracking_code, "amount": complaint.amount,
                                   "deadline": ends[0].isoformat()}, Actor.system("complaints"), now=now)
    db.session.commit()
    return complaint


def resend_code(tracking_code, *, now):
    """A fresh code to the complaint's own mobile (for filing or following), at most one a minute."""
    complaint = by_tracking_code(tracking_code)
    if complaint.code_expires_at is not None and complaint.code_expires_at - CODE_TTL > now - timedelta(minutes=1):
        raise ComplaintError(N_("A code was just sent; wait a minute before asking for another."))
    _send_code(complaint, now, "file" if complaint.state == PENDING else "follow")
    db.session.commit()
    return complaint


def follow(tracking_code, code, *, now):
    """The complaint when the buyer's code to its mobile is right (the follow page's sign-in)."""
    complaint = by_tracking_code(tracking_code)
    _use_code(complaint, code, now)
    return complaint


def answer(complaint_id, account_id, text, *, now):
    """The seal owner's answer: it stops the clock; lifts the complaints hold when few enough remain."""
    complaint = db.session.get(Complaint, complaint_id)
    owner = complaint.seal.business.owner if complaint else None
    if complaint is None or owner is None or owner.account_id != account_id:
        raise ComplaintError(N_("Only the seal's owner can answer this complaint."))
    text = (text or "").strip()
    if not 10 <= len(text) <= 4000:
        raise ComplaintError(N_("Write an answer of %(low)s to %(high)s characters."), "answer", low=10, high=4000)
    on_time = now < complaint.deadline_1
    _compare_and_set(complaint, Complaint.state == OPEN, N_("This complaint is not waiting for an answer."),
                     state=ANSWERED, answer=text, answered_at=now, answered_on_time=on_time)
    emit("complaint.answered", complaint.seal, {"tracking_code": complaint.tracking_code},
         Actor.owner(account_id), now=now, to={"sms": complaint.mobile})
    db.session.commit()
    sync_holds(now, seal_ids=[complaint.seal_id])
    return complaint


def verdict(complaint, accept, *, now):
    """The buyer accepts the answer (closed, no mark) or rejects it (the escalation paths open)."""
    target = ACCEPTED if accept else REJECTED
    _compare_and_set(complaint, Complaint.state == ANSWERED,
                     N_("This complaint has no answer waiting for your verdict."), state=target, closed_at=now)
    db.session.commit()
    return complaint


def _unanswered_by_seal():
    return (select(Complaint.seal_id, func.sum(Complaint.non_responses).label("count"))
            .where(Complaint.state == OPEN, Complaint.non_responses > 0).group_by(Complaint.seal_id))


def sync_holds(now, seal_ids=None):
    """Hold seals with HOLD_AT or more unanswered non-responses; lift the hold of the others. Returns changes."""
    counts = _unanswered_by_seal()
    if seal_ids is not None:
        counts = counts.where(Complaint.seal_id.in_(seal_ids))
    counts = counts.subquery()
    held = select(SealHold.seal_id).where(SealHold.reason == seals.HOLD_COMPLAINTS)
    if seal_ids is not None:
        held = held.where(SealHold.seal_id.in_(seal_ids))
    to_hold = db.session.scalars(select(Seal.public_id).join(counts, counts.c.seal_id == Seal.id).where(
        counts.c.count >= clock.HOLD_AT, Seal.status.in_(seals.LIVE_STATUSES), Seal.id.not_in(held))).all()
    to_lift = db.session.scalars(select(Seal.public_id).where(Seal.id.in_(held), Seal.id.not_in(
        select(counts.c.seal_id).where(counts.c.count >= clock.HOLD_AT)))).all()
    db.session.rollback()  # end the read before the doors lock their seals
    changed = {"held": [], "lifted": []}
    for public_id in to_hold:
        try:
            if seals.add_hold(public_id, seals.HOLD_COMPLAINTS, now=now, actor=CLOCK_ACTOR, note=HOLD_NOTE):
                changed["held"].append(public_id)
        except seals.InvalidTransition:
            db.session.rollback()
    for public_id in to_lift:
        if seals.lift_hold(public_id, seals.HOLD_COMPLAINTS, now=now, actor=CLOCK_ACTOR,
                           reason="complaints answered"):
            changed["lifted"].append(public_id)
    return changed


def sweep(now):
    """Every window that ended by `now` adds its non-response: one statement per window. For the clock."""
    missed, touched = 0, set()
    for count, deadline in ((1, Complaint.deadline_1), (2, Complaint.deadline_2), (3, Complaint.deadline_3)):
        seal_ids = db.session.scalars(update(Complaint).where(
            Complaint.state == OPEN, Complaint.non_responses == count - 1, deadline <= now)
            .values(non_responses=count).returning(Complaint.seal_id)
            .execution_options(synchronize_session=False)).all()
        missed += len(seal_ids)
        touched.update(seal_ids)
        db.session.commit()
    _drop_public_records(touched)
    return {"non_responses": missed, **sync_holds(now), "abandoned_files": drop_abandoned_files(now)}


def drop_abandoned_files(now, at_most=500):
    """Delete the files of complaints still pending PENDING_FILES_KEPT after filing; how many. Rows first (a
    stored file without a row is harmless, a row without its file is not), then the stored bytes."""
    rows = db.session.scalars(select(ComplaintFile).join(Complaint, Complaint.id == ComplaintFile.complaint_id).where(
        Complaint.state == PENDING, Complaint.filed_at <= now - PENDING_FILES_KEPT).limit(at_most)).all()
    if not rows:
        return 0
    keys = [row.key for row in rows]
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    storage = storage_from_config(current_app.config)
    for key in keys:
        storage.delete(key)
    return len(keys)


def _drop_public_records(seal_ids, at_most=1000):
    """The records on these seals' verification pages changed: drop their cached copies (all, when many)."""
    from ..seals import cache

    if len(seal_ids) > at_most:
        cache.clear_local()  # other processes' copies expire by themselves within SEAL_BADGE_CACHE_SECONDS
        return
    for public_id in db.session.scalars(select(Seal.public_id).where(Seal.id.in_(seal_ids))):
        cache.invalidate(public_id)


def escalable(complaint, now):
    """The buyer may go to a competent body or to arbitration: rejected, or six days unanswered."""
    if complaint.state == REJECTED:
        return True
    return complaint.state == OPEN and clock.read(complaint.confirmed_at, None, now).escalable


# competent bodies a buyer may take a complaint to (seed), with their Persian names for the letter
BODIES = {
    "guild": "سازمان نظام صنفی رایانه‌ای",
    "union": "اتحادیهٔ کشوری کسب‌وکارهای مجازی",
    "consumer": "سازمان حمایت مصرف‌کنندگان و تولیدکنندگان",
}


def referral_letter(complaint, body):
    """The Persian letter that refers `complaint` to `body`, as the post office's Letter (no address)."""
    from ..iran.digits import to_persian_digits
    from ..onboarding.service import jalali_text

    seal = complaint.seal
    authority = current_app.config["SEAL_AUTHORITY_NAME_FA"]
    return post_office.Letter(
        recipient=BODIES[body], address="", postal_code="",
        title=f"{authority}: ارجاع شکایت خریدار",
        lines=(f"شکایت خریدار از کسب‌وکار دارای نماد اعتماد با دامنهٔ {seal.domain} "
               f"({seal.business.name_fa}) برای رسیدگی به آن مرجع ارجاع می‌شود.",
               f"تاریخ پرداخت: {to_persian_digits(jalali_text(complaint.paid_on))}؛ "
               f"مبلغ: {to_persian_digits(f'{complaint.amount // rules.RIALS_PER_TOMAN:,}')} تومان؛ "
               f"شمارهٔ پیگیری پرداخت: {to_persian_digits(complaint.payment_ref)}.",
               "بانک، پرداخت را تأیید کرده است. "
               f"کسب‌وکار {to_persian_digits(str(complaint.non_responses))} مهلت پاسخ را بی‌پاسخ گذاشته است."
               if complaint.answered_at is None else "خریدار پاسخ کسب‌وکار را نپذیرفته است.",
               f"شرح خریدار: {complaint.description}",
               "کد پیگیری شکایت در مرجع نماد اعتماد:"),
        code=complaint.tracking_code)


def refer(complaint, body, *, now):
    """Record the buyer's referral to a competent body with its generated letter; once per complaint."""
    if body not in BODIES:
        raise ComplaintError(N_("Choose the body to take the complaint to."), "body")
    if not escalable(complaint, now):
        raise ComplaintError(N_("A complaint can go to a competent body after six days without an answer, "
                                "or once you reject the answer."))
    from . import arbitration

    arbitration.give_up_unpaid(complaint)  # the seed's two paths are alternatives: one or the other
    pdf = post_office.render_pdf(referral_letter(complaint, body), current_app.config["SEAL_LETTER_FONT"])
    _compare_and_set(complaint, Complaint.referred_at.is_(None), N_("This complaint was already referred."),
                     referred_to=body, referred_at=now, referral_pdf=pdf)
    db.session.commit()
    return complaint


def reading(complaint, now):
    if complaint.confirmed_at is None:
        return None
    return clock.read(complaint.confirmed_at, complaint.answered_at, now)


def owner_complaints(account_id):
    """Every confirmed complaint against the seals this account owns, newest first."""
    from ..accounts.models import Owner
    from ..seals.models import Business

    return db.session.scalars(select(Complaint).join(Seal, Seal.id == Complaint.seal_id)
                              .join(Business, Business.id == Seal.business_id).join(Owner, Owner.id == Business.owner_id)
                              .where(Owner.account_id == account_id, Complaint.state.in_(CONFIRMED_STATES))
                              .order_by(Complaint.confirmed_at.desc())).all()


def staff_list(state=None, overdue=False, now=None, limit=200, arbitration=None, overdue_before=None):
    """All confirmed complaints for staff, by state and those whose current window has ended unanswered;
    `arbitration`: "any" (paid and not void), "awaiting_ruling", or "overdue" (awaiting a ruling since
    before `overdue_before`)."""
    from .models import ARBITRATING, AWAITING_RULING, RULED, SETTLED, Arbitration

    stmt = select(Complaint).where(Complaint.state.in_(CONFIRMED_STATES + (UNCONFIRMED,)))
    if state:
        stmt = stmt.where(Complaint.state == state)
    if overdue:
        stmt = stmt.where(Complaint.state == OPEN, Complaint.non_responses > 0)
    if arbitration:
        stmt = stmt.join(Arbitration, Arbitration.complaint_id == Complaint.id)
        if arbitration == "any":
            stmt = stmt.where(Arbitration.state.in_((ARBITRATING, AWAITING_RULING, RULED, SETTLED)))
        else:
            stmt = stmt.where(Arbitration.state == AWAITING_RULING)
        if arbitration == "overdue":
            stmt = stmt.where(Arbitration.shop_deadline <= overdue_before)
    return db.session.scalars(stmt.order_by(Complaint.filed_at.desc()).limit(limit)).all()


# --- the public record ---------------------------------------------------------------------------

def record_counts(seal):
    """The seal's complaint record; None for every field until it has had a confirmed complaint."""
    row = db.session.execute(select(
        func.count(Complaint.id),
        func.count(Complaint.id).filter(Complaint.state.in_((OPEN, ANSWERED))),
        func.coalesce(func.sum(Complaint.non_responses), 0),
        func.count(Complaint.id).filter(Complaint.answered_on_time.is_(True)),
        func.count(Complaint.answered_at),
        func.count(Complaint.id).filter(and_(Complaint.answered_at.is_(None), Complaint.non_responses > 0)),
    ).where(Complaint.seal_id == seal.id, Complaint.state.in_(CONFIRMED_STATES))).one()
    total, open_, non_responses, on_time, answered, missed = row
    if not total:
        return None
    due = answered + missed
    return {"complaints_total": total, "complaints_open": open_, "non_responses": int(non_responses),
            "answered_on_time": on_time, "answer_rate": round(100 * answered / due) if due else None}
