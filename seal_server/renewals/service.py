"""Renewal: one door to start it (conditions, commitment, invoice) and one to settle it at payment.

The seal is extended inside the transaction that marks its invoice paid, through the seal
service's compare-and-set on the expiry; a payment that arrives after the seal changed
(revoked, suspended, a licence lapsed) is held for a reviewer instead of renewing blindly.
"""
from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Account
from ..audit import record_event
from ..billing import fees
from ..billing import service as billing
from ..billing.models import OPEN as INVOICE_OPEN, CONFIRMING
from ..events import Actor, emit
from ..extensions import db
from ..marks import N_
from ..onboarding import terms
from ..onboarding.models import APPROVED, TRANSFER, Application
from ..seals import service as seals
from ..seals.models import Licence
from . import rules
from .models import HELD, OPEN, REFUSED, RENEWED, Renewal

PURPOSE = "renewal"

# Other packages add conditions here: `fn(seal, now) -> rules.Condition | None`
# (outstanding complaints, open level-3 non-conformities, ...).
EXTRA_CONDITIONS = []


def condition(check):
    """Register one more condition of renewal (a decorator)."""
    EXTRA_CONDITIONS.append(check)
    return check


class RenewalError(Exception):
    """A renewal that cannot start; `message` is a msgid for the owner, with `variables`."""

    def __init__(self, message, field="_form", **variables):
        super().__init__(message)
        self.message, self.field, self.variables = message, field, variables


def accepted_terms_version(seal):
    """The commitment version the owner last accepted for this seal: at its last renewal, else at application."""
    renewed = db.session.scalar(select(Renewal.terms_version).where(
        Renewal.seal_id == seal.id, Renewal.status.in_((RENEWED, HELD))).order_by(Renewal.id.desc()).limit(1))
    if renewed:
        return renewed
    # the owner's own application: the original one, or the transfer through which they took the seal over
    return db.session.scalar(select(Application.terms_version).where(or_(
        Application.business_id == seal.business_id,
        (Application.seal_id == seal.id) & (Application.purpose == TRANSFER) & (Application.status == APPROVED)))
        .order_by(Application.id.desc()).limit(1))


def expired_licences(seal, now):
    today = rules.tehran_day(now)
    return [licence.title for licence in db.session.scalars(
        select(Licence).where(Licence.business_id == seal.business_id).order_by(Licence.id))
        if licence.valid_to is not None and licence.valid_to < today]


def _standing(seal, now):
    """The conditions about the seal and its business (everything but the window and the commitment)."""
    found = [rules.renewable_status(seal.status, seal.kind), rules.licences(expired_licences(seal, now))]
    for check in EXTRA_CONDITIONS:
        result = check(seal, now)
        if result is not None:
            found.append(result)
    return found


def conditions(seal, now):
    """Every condition of renewal, holding or not, in the order the panel shows them."""
    standing = _standing(seal, now)
    return [standing[0], rules.window(seal.expires_at, now), *standing[1:],
            rules.commitment(accepted_terms_version(seal), terms.current()["version"])]


def pending(seal):
    """The renewal started for the seal's current validity period, if any."""
    return db.session.scalar(select(Renewal).where(Renewal.seal_id == seal.id,
                                                   Renewal.old_expires_at == seal.expires_at))


def latest(seal):
    """The seal's newest renewal: the one under way, or the last one done or held."""
    return db.session.scalar(select(Renewal).where(Renewal.seal_id == seal.id).order_by(Renewal.id.desc()).limit(1))


def fee_lines():
    return [fees.renewal_line(current_app.config["SEAL_FEES"])]


def start(seal, account, *, accepted_version, now):
    """The renewal's invoice, opened once the conditions hold and the current commitment is accepted."""
    existing = pending(seal)
    if existing is not None:
        if existing.status == OPEN and existing.invoice.status in (INVOICE_OPEN, CONFIRMING):
            return existing
        if existing.status == RENEWED:
            raise RenewalError(N_("This seal has already been renewed for this period."))
        raise RenewalError(N_("This renewal was paid and is waiting for the authority; nothing more to pay."))
    found = conditions(seal, now)
    blockers = rules.blocking(found, except_commitment=True)
    if blockers:
        raise RenewalError(blockers[0].why, **blockers[0].values)
    current = terms.current()["version"]
    needs_acceptance = not next(c for c in found if c.name == "commitment").holds
    if needs_acceptance and accepted_version != current:
        raise RenewalError(N_("Accept the current commitment to renew."))
    invoice = billing.new_invoice(account, fee_lines(), purpose=PURPOSE, now=now)
    renewal = Renewal(seal_id=seal.id, account_id=account.id, invoice_id=invoice.id, status=OPEN,
                      old_expires_at=seal.expires_at, terms_version=current, terms_accepted_at=now, created_at=now)
    db.session.add(renewal)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # a second tab started it at the same moment: use that one
        return start(seal, account, accepted_version=accepted_version, now=now)
    record_event(actor=Actor.owner(account.id), action="renewal.started", subject_type="seal", subject_id=seal.id,
                 now=now, after={"invoice": invoice.number, "terms_version": current,
                                 "terms_accepted_again": needs_acceptance})
    db.session.commit()
    return renewal


@billing.on_invoice_paid
def invoice_paid(invoice, now):
    """Renew at payment, in the invoice's transaction; hold it for a reviewer when the seal changed meanwhile."""
    if invoice.purpose != PURPOSE:
        return
    renewal = db.session.scalar(select(Renewal).where(Renewal.invoice_id == invoice.id))
    if renewal is None or renewal.status != OPEN:
        return
    seal = renewal.seal
    blockers = rules.blocking(_standing(seal, now))
    reason = blockers[0].why % blockers[0].values if blockers else None
    if reason is None and seal.expires_at != renewal.old_expires_at:
        reason = "the seal's validity changed after the renewal started"
    if reason is None and renewal.terms_version != terms.current()["version"]:
        reason = "the commitment changed after the owner accepted it for this renewal"
    if reason is None:
        _, new_expires_at = rules.new_period(seal.expires_at, now)
        try:
            with db.session.begin_nested():
                seals.renew_seal(seal.public_id, expected_expires_at=renewal.old_expires_at,
                                 new_expires_at=new_expires_at, now=now,
                                 actor=Actor.system(f"renewal:{invoice.number}"),
                                 payload={"invoice": invoice.number})
        except seals.SealError as error:
            reason = str(error)
        else:
            renewal.status, renewal.new_expires_at, renewal.renewed_at = RENEWED, new_expires_at, now
            return
    renewal.status, renewal.held_reason = HELD, reason[:300]
    record_event(actor=Actor.system(f"renewal:{invoice.number}"), action="renewal.held", subject_type="seal",
                 subject_id=seal.id, now=now, after={"invoice": invoice.number, "reason": reason[:300]})


def owner_account(seal):
    account_id = seal.business.owner.account_id
    return db.session.get(Account, account_id) if account_id else None


# --- renewals held for a reviewer -----------------------------------------------------------------

MIN_NOTE = 10


def held(limit=200):
    """Paid renewals waiting for a reviewer, oldest first."""
    return db.session.scalars(select(Renewal).where(Renewal.status == HELD).order_by(Renewal.id).limit(limit)).all()


def recently_decided(limit=50):
    return db.session.scalars(select(Renewal).where(Renewal.decided_at.is_not(None))
                              .order_by(Renewal.decided_at.desc()).limit(limit)).all()


def _claim(renewal, target, staff, now, **values):
    """Compare-and-set held -> target: of two reviewers deciding at once, one decides."""
    done = db.session.execute(
        update(Renewal).where(Renewal.id == renewal.id, Renewal.status == HELD)
        .values(status=target, decided_at=now, decided_by=staff.id, **values)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not done:
        db.session.rollback()
        raise RenewalError(N_("Someone else decided this renewal just now; reload the page."))


def held_period(renewal):
    """(start, end) the held renewal gives: from the seal's expiry, or from the payment when it had expired by
    then, exactly as if it had renewed at payment; the reviewer's delay costs the owner nothing."""
    return rules.new_period(renewal.seal.expires_at, renewal.invoice.paid_at)


def approve_held(renewal, staff, *, now):
    """Renew the seal for the period it would have had at payment. Commits."""
    seal = renewal.seal
    expected = seal.expires_at
    _, new_expires_at = held_period(renewal)
    _claim(renewal, RENEWED, staff, now, new_expires_at=new_expires_at, renewed_at=now)
    try:
        seals.renew_seal(seal.public_id, expected_expires_at=expected, new_expires_at=new_expires_at, now=now,
                         actor=Actor.staff(staff.id), payload={"invoice": renewal.invoice.number, "reviewed": True})
    except seals.SealError:
        db.session.rollback()
        raise RenewalError(N_("The seal cannot be renewed as it is now (suspended, revoked, or its period already "
                              "ends later); refuse the renewal with a message, or settle the seal first.")) from None
    db.session.commit()
    db.session.refresh(renewal)
    return renewal


def refuse_held(renewal, staff, *, note, now):
    """Refuse with a message the owner reads. The fee is not returned by this system (it has no refunds):
    the message says so and tells the owner to ask the authority, quoting the invoice."""
    note = " ".join((note or "").split())
    if len(note) < MIN_NOTE:
        raise RenewalError(N_("Write the reason the owner will read (at least %(count)s characters)."),
                           field="note", count=MIN_NOTE)
    _claim(renewal, REFUSED, staff, now, decision_note=note[:500])
    emit("renewal.refused", renewal.seal, {"invoice": renewal.invoice.number, "note": note[:500],
                                           "total_rials": int(renewal.invoice.total)},
         Actor.staff(staff.id), now=now, before={"renewal": HELD}, after={"renewal": REFUSED}, reason=note[:500])
    db.session.commit()
    db.session.refresh(renewal)
    return renewal
