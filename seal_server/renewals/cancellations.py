"""Cancellation by request: the owner sends the signed request and an ID copy, staff confirm, the seal is revoked.

The seed's list: reason, owner's name, ID copy, signature, domain, user id (the domain and
the user are the seal's and the account's); legal persons write on letterhead with the
company's stamp and the CEO's signature.
"""
from sqlalchemy import select, update

from ..audit import record_event
from ..events import Actor, emit
from ..extensions import db
from ..marks import N_
from ..onboarding.documents import UploadError, check_upload
from ..seals import service as seals
from ..seals.models import REVOKED
from .models import CONFIRMED, REJECTED, WAITING, Cancellation

# the seal's public reason; the verification page shows it in the reader's language
CANCELLED_REASON = "cancelled at the owner's request"
MIN_REASON, MAX_REASON = 10, 1000


class CancellationError(Exception):
    """The request or decision is refused; `errors` maps a field to (msgid, variables)."""

    def __init__(self, errors):
        super().__init__(next(iter(errors.values()))[0])
        self.errors = errors


def waiting_for(seal):
    return db.session.scalar(select(Cancellation).where(Cancellation.seal_id == seal.id,
                                                        Cancellation.status == WAITING))


def check_request(*, reason, owner_name, id_copy, letter, legal, letterhead_confirmed, max_bytes):
    """The cleaned request, or CancellationError with every problem at once."""
    errors, files = {}, {}
    reason = " ".join((reason or "").split())
    owner_name = " ".join((owner_name or "").split())
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        errors["reason"] = (N_("Write the reason for cancelling (%(min)s to %(max)s characters)."),
                            {"min": MIN_REASON, "max": MAX_REASON})
    if not 2 <= len(owner_name) <= 200:
        errors["owner_name"] = (N_("Write the owner's full name as on the signed letter."), {})
    for field, data in (("id_copy", id_copy), ("letter", letter)):
        try:
            files[field] = check_upload(data, max_bytes)
        except UploadError as error:
            errors[field] = (error.message, error.variables)
    if legal and not letterhead_confirmed:
        errors["letterhead"] = (N_("A company's request must be on its letterhead, with its stamp and the "
                                   "CEO's signature; confirm that the letter is."), {})
    if errors:
        raise CancellationError(errors)
    return reason, owner_name, files


def request(seal, account, *, reason, owner_name, id_copy, letter, letterhead_confirmed, storage, max_bytes, now):
    """Record the owner's request with its documents; nothing changes on the seal until staff confirm."""
    if seal.status == REVOKED:
        raise CancellationError({"_form": (N_("This seal has already been revoked."), {})})
    if waiting_for(seal) is not None:
        raise CancellationError({"_form": (N_("A cancellation request for this seal is already waiting for the "
                                              "authority."), {})})
    legal = seal.business.owner.kind == "legal"
    reason, owner_name, files = check_request(
        reason=reason, owner_name=owner_name, id_copy=id_copy, letter=letter, legal=legal,
        letterhead_confirmed=letterhead_confirmed, max_bytes=max_bytes)
    keys = {field: storage.save(data, files[field][1]) for field, data in (("id_copy", id_copy), ("letter", letter))}
    row = Cancellation(seal_id=seal.id, account_id=account.id, status=WAITING, reason=reason, owner_name=owner_name,
                       id_copy_key=keys["id_copy"], id_copy_type=files["id_copy"][0], letter_key=keys["letter"],
                       letter_type=files["letter"][0], legal_person=legal, created_at=now)
    db.session.add(row)
    db.session.flush()
    record_event(actor=Actor.owner(account.id), action="seal.cancellation_requested", subject_type="seal",
                 subject_id=seal.id, now=now, after={"cancellation": row.id}, reason=reason)
    db.session.commit()
    return row


def _claim(row, target, staff, now, note=None):
    """Compare-and-set waiting -> target: of two staff deciding at once, one decides."""
    done = db.session.execute(
        update(Cancellation).where(Cancellation.id == row.id, Cancellation.status == WAITING)
        .values(status=target, decided_at=now, decided_by=staff.id, decision_note=note)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not done:
        db.session.rollback()
        raise CancellationError({"_form": (N_("This request was decided by someone else just now."), {})})


def confirm(row, staff, *, now):
    """Revoke the seal with the public reason "cancelled at the owner's request"."""
    _claim(row, CONFIRMED, staff, now)
    try:
        seals.revoke(row.seal.public_id, now=now, actor=Actor.staff(staff.id), reason=CANCELLED_REASON)
    except seals.InvalidTransition:
        db.session.rollback()
        raise CancellationError({"_form": (N_("The seal's status does not allow this, or it changed just now; see "
                                              "its status above."), {})}) from None
    db.session.refresh(row)
    return row


def reject(row, staff, *, note, now):
    """Send the request back with a note the owner reads (a missing signature, an unreadable copy...)."""
    note = " ".join((note or "").split())
    if len(note) < MIN_REASON:
        raise CancellationError({"note": (N_("Write the reason the owner will read (at least %(count)s characters)."),
                                          {"count": MIN_REASON})})
    _claim(row, REJECTED, staff, now, note[:500])
    emit("seal.cancellation_rejected", row.seal, {"note": note[:500]}, Actor.staff(staff.id), now=now,
         before={"cancellation": WAITING}, after={"cancellation": REJECTED}, reason=note[:500])
    db.session.commit()
    db.session.refresh(row)
    return row
