"""Ownership transfer: one door per step (offer, accept, cancel, complete).

The new owner's side is an application (purpose "transfer", `seal_id` set) that asks only for
identity, documents and the commitment; submitting it runs the background checks, and staff
review and approve it in the ordinary queue. Approval (`onboarding.issuance.approve`) calls
`complete`: the business, with its seal, its id, code, record and complaints, passes to the new
owner's identity and account.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from ..accounts.models import Account
from ..events import Actor, emit
from ..events.models import SMS, WebhookEndpoint
from ..extensions import db
from ..iran.identifiers import IdentifierError, clean_national_code
from ..marks import N_
from ..onboarding import issuance
from ..onboarding import service as onboarding
from ..onboarding.models import LIVE_APPLICATION, SUBMITTED, TRANSFER
from ..seals import service as seals
from ..seals.models import Seal
from .models import ACCEPTED, APPROVED, CANCELLED, OFFERED, OPEN, Transfer

SELLER, BUYER, STAFF = "seller", "buyer", "staff"
# offers of one seal in 24 hours: each tells the named person by SMS, so offer-cancel-offer cannot flood them
OFFERS_PER_DAY = 3


class TransferError(Exception):
    """The step is refused; `field` names the form field, `message` is a msgid with `variables`."""

    def __init__(self, message, field="_form", **variables):
        super().__init__(message)
        self.message, self.field, self.variables = message, field, variables


def masked(national_code):
    """A national code as messages and pages of the other side show it: the last three digits."""
    return "•••••••" + (national_code or "")[-3:]


def open_for(seal):
    return db.session.scalar(select(Transfer).where(Transfer.seal_id == seal.id, Transfer.status.in_(OPEN)))


def history(seal):
    """Every transfer of this seal, newest first: both sides read it."""
    return db.session.scalars(select(Transfer).where(Transfer.seal_id == seal.id).order_by(Transfer.id.desc())).all()


def of_account(account):
    """Transfers this account started, accepted or was offered, newest first."""
    return db.session.scalars(select(Transfer).where(or_(
        Transfer.from_account_id == account.id, Transfer.to_account_id == account.id,
        Transfer.to_national_code == account.national_code)).order_by(Transfer.id.desc())).all()


def party(transfer, account):
    """SELLER, BUYER or None: who `account` is in this transfer."""
    if account.id == transfer.from_account_id:
        return SELLER
    if account.national_code == transfer.to_national_code:
        return BUYER
    return None


def _mobile_of(account_id):
    account = db.session.get(Account, account_id) if account_id else None
    return account.mobile if account else None


def _buyer_account(transfer):
    if transfer.to_account_id:
        return db.session.get(Account, transfer.to_account_id)
    return db.session.scalar(select(Account).where(Account.national_code == transfer.to_national_code))


def _tell(kind, transfer, actor, now, *, other_mobile, **payload):
    """One event on the seal: its current owner by their channels, the other side by SMS."""
    emit(kind, transfer.seal, {"transfer": transfer.id, **payload}, actor, now=now,
         to={SMS: other_mobile} if other_mobile else None, after={"transfer": transfer.id, "status": transfer.status})


def offer(seal, account, national_code, *, now):
    """The current owner names the new owner by national code; nothing changes on the seal yet."""
    if seal.business.owner.account_id != account.id:
        raise TransferError(N_("Only the seal's owner can transfer it."))
    try:
        code = clean_national_code(national_code)
    except IdentifierError as error:
        raise TransferError(str(error), "national_code") from None
    if code in (account.national_code, seal.business.owner.national_code):
        raise TransferError(N_("This is your own national code; name the new owner's."), "national_code")
    if seal.status not in seals.LIVE_STATUSES:
        raise TransferError(N_("Only a live seal can be transferred."))
    seals._locked(seal.public_id)  # one offer at a time per seal: the row lock orders two tabs
    if open_for(seal) is not None:
        db.session.rollback()
        raise TransferError(N_("A transfer of this seal is already under way; cancel it first."))
    if db.session.scalar(select(func.count()).select_from(Transfer).where(
            Transfer.seal_id == seal.id, Transfer.created_at > now - timedelta(days=1))) >= OFFERS_PER_DAY:
        db.session.rollback()
        raise TransferError(N_("At most %(count)s transfer offers a day for one seal; try again tomorrow."),
                            count=OFFERS_PER_DAY)
    transfer = Transfer(seal_id=seal.id, from_account_id=account.id, from_owner_id=seal.business.owner_id,
                        to_national_code=code, status=OFFERED, created_at=now)
    db.session.add(transfer)
    db.session.flush()
    buyer = _buyer_account(transfer)
    _tell("seal.transfer_offered", transfer, Actor.owner(account.id), now,
          other_mobile=buyer.mobile if buyer else None, to=masked(code))
    db.session.commit()
    return transfer


def _claim(transfer, expected, **values):
    """Compare-and-set on the transfer's status; False when someone else moved it first."""
    return db.session.execute(
        update(Transfer).where(Transfer.id == transfer.id, Transfer.status.in_(expected)).values(**values)
        .execution_options(synchronize_session=False)).rowcount == 1


def accept(transfer, account, *, owns_domain, now):
    """The named person accepts: their application for the seal opens (identity, documents, commitment)."""
    if party(transfer, account) != BUYER:
        raise TransferError(N_("This transfer was not offered to you."))
    if transfer.status != OFFERED:
        raise TransferError(N_("This transfer is no longer waiting for acceptance."))
    if not owns_domain:
        raise TransferError(N_("Only the owner of the domain may hold its seal: confirm that you own it now."),
                            "owns_domain")
    seal = transfer.seal
    if seal.status not in seals.LIVE_STATUSES:
        raise TransferError(N_("Only a live seal can be transferred."))
    try:
        application = onboarding.open_application(account, now)
    except onboarding.QuotaReached as refused:
        raise TransferError(refused.message, **refused.variables) from None
    business = seal.business
    application.purpose, application.seal_id, application.seal_kind = TRANSFER, seal.id, seal.kind
    application.domain, application.name_fa, application.name_en = business.domain, business.name_fa, business.name_en
    application.category, application.sales_method = business.category, business.sales_method
    application.owns_domain_declared_at = now
    if not _claim(transfer, (OFFERED,), status=ACCEPTED, to_account_id=account.id, application_id=application.id,
                  accepted_at=now):
        db.session.rollback()
        db.session.delete(application)  # opened above, committed: take it back
        db.session.commit()
        raise TransferError(N_("This transfer changed just now; reload the page."))
    onboarding.refresh_steps(application, now)
    db.session.refresh(transfer)
    _tell("seal.transfer_accepted", transfer, Actor.owner(account.id), now, other_mobile=None,
          application=application.id)
    db.session.commit()
    return application


def cancel(transfer, account, *, now, storage):
    """Either side ends the transfer before approval; the new owner's application is deleted with its files."""
    side = party(transfer, account)
    if side is None:
        raise TransferError(N_("This transfer was not offered to you."))
    if transfer.status not in OPEN:
        raise TransferError(N_("This transfer is over; nothing to cancel."))
    application = transfer.application
    if not _claim(transfer, OPEN, status=CANCELLED, ended_at=now, ended_by=side):
        db.session.rollback()
        raise TransferError(N_("This transfer changed just now; reload the page."))
    if application is not None and application.status in LIVE_APPLICATION:
        onboarding.withdraw(application, now, storage, commit=False)
    db.session.refresh(transfer)
    other = _buyer_account(transfer) if side == SELLER else db.session.get(Account, transfer.from_account_id)
    _tell("seal.transfer_cancelled", transfer, Actor.owner(account.id), now,
          other_mobile=other.mobile if other else None, by=side)
    db.session.commit()
    return transfer


def application_ended(application, *, by, now, note=None):
    """The transfer application was withdrawn or rejected: the transfer ends with it (no commit)."""
    transfer = db.session.scalar(select(Transfer).where(Transfer.application_id == application.id))
    if transfer is None or not _claim(transfer, OPEN, status=CANCELLED, ended_at=now, ended_by=by,
                                      end_note=(note or None) and note[:500]):
        return
    db.session.refresh(transfer)
    _tell("seal.transfer_cancelled", transfer, Actor.system("transfer"), now,
          other_mobile=_mobile_of(transfer.to_account_id), by=by, **({"note": note[:500]} if note else {}))


@issuance.on_approval(TRANSFER)
def complete(application, *, now, actor):
    """Staff approved the new owner: the business (and its seal) passes to them. Runs inside the approval's
    claim; commits. The seal's webhook endpoints were the old owner's integration: they stop."""
    transfer = db.session.scalar(select(Transfer).where(Transfer.application_id == application.id))
    if transfer is None or not _claim(transfer, (ACCEPTED,), status=APPROVED, ended_at=now, ended_by=STAFF):
        raise issuance.ApprovalError(f"application {application.id} has no accepted transfer")
    seal = db.session.get(Seal, application.seal_id)
    if seal.status not in seals.LIVE_STATUSES:
        raise issuance.ApprovalError(f"seal {seal.public_id} is {seal.status}; it cannot be transferred")
    business = seal.business
    before = {"owner": business.owner_id}
    application.tax_tracking_code = issuance.tracking_code(application)
    business.owner = application.owner
    db.session.execute(update(WebhookEndpoint).where(WebhookEndpoint.seal_id == seal.id).values(active=False)
                       .execution_options(synchronize_session=False))
    db.session.refresh(transfer)
    emit("application.approved", application, {"application": application.id, "domain": application.domain,
                                               "purpose": TRANSFER, "seal": seal.public_id},
         actor, now=now, before={"status": SUBMITTED}, after={"status": "approved"})
    emit("seal.transferred", seal, {"transfer": transfer.id}, actor, now=now,
         to={SMS: _mobile_of(transfer.from_account_id)}, before=before, after={"owner": business.owner_id})
    db.session.commit()
    current_app.logger.info("seal %s transferred to application %s's owner", seal.public_id, application.id)
    return seal

