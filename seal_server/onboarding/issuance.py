"""Approval: a submitted application becomes a Business with its seal, exactly once."""
from flask import current_app
from sqlalchemy import select, update

from ..events import Actor, emit
from ..extensions import db
from ..integrations import checks, tax_id
from ..iran import places
from ..seals import service as seals
from ..seals.models import GRAY, Business
from . import service
from .models import APPROVED, NEW_SEAL, SUBMITTED, Application

FAST_PATH_ACTOR = Actor.system("gray-fast-path")


class ApprovalError(Exception):
    """The application cannot be approved; the message is one line for operators."""


# purpose -> complete(application, now=, actor=) -> seal: what approval does for applications that concern an
# existing seal (a transfer, an upgrade); it runs after the approval's claim and commits
COMPLETIONS = {}


def on_approval(purpose):
    """Register what approving an application of `purpose` does (a decorator)."""
    def register(function):
        COMPLETIONS[purpose] = function
        return function
    return register


def tracking_code(application):
    """The tax id service's tracking code for the application's owner and domain; ApprovalError without one."""
    owner = application.owner
    national_id = (owner.legal_national_id if owner.kind == "legal" else owner.national_code) or ""
    try:
        return tax_id.backend_from_config(current_app.config).tracking_code(
            national_id=national_id, domain=application.domain, postal_code=application.postal_code or "")
    except tax_id.TaxIdError as error:
        raise ApprovalError(f"the tax id service gave no tracking code ({error}); nothing was approved") from None


def seal_of(application):
    """The seal issued for this application (or, for a transfer or an upgrade, the seal it approved), if any."""
    if application.purpose != NEW_SEAL:
        return application.seal if application.status == APPROVED else None
    if application.business is None or not application.business.seals:
        return None
    return application.business.seals[0]


def _business(application):
    """The public business: contact details only from the contact step, which the owner gave for publication.

    Never the identity step's home address, postal code or landline: they are private, and a
    gray seal (which skips the contact step) would otherwise print them on its public page.
    """
    province = places.province_by_code(application.province or "")
    return Business(
        owner=application.owner, name_fa=application.name_fa, name_en=application.name_en or "",
        domain=application.domain, category=application.category, sales_method=application.sales_method,
        landline=application.landline or None, email=application.email,
        postal_code=application.postal_code or None, address=application.address or None,
        province=province[1] if province else None, city=application.city,
        response_hours=application.response_hours, latitude=application.latitude,
        longitude=application.longitude)


def approve(application_id, *, now, actor):
    """Create the Business, get its tax tracking code and issue its seal; refuses anything but one submitted draft."""
    application = db.session.get(Application, application_id)
    if application is None:
        raise ApprovalError(f"no application {application_id}")
    if application.status == APPROVED:
        seal = seal_of(application)
        raise ApprovalError(f"application {application_id} is already approved"
                            + (f" (seal {seal.public_id})" if seal else ""))
    if application.status != SUBMITTED:
        raise ApprovalError(f"application {application_id} is {application.status}, not submitted")
    # compare-and-set: of two operators approving at once, one issues the seal, the other is refused
    claimed = db.session.execute(
        update(Application).where(Application.id == application.id, Application.status == SUBMITTED)
        .values(status=APPROVED, approved_at=now, updated_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ApprovalError(f"application {application_id} was approved or changed by someone else just now")
    if application.purpose in COMPLETIONS:
        try:
            seal = COMPLETIONS[application.purpose](application, now=now, actor=actor)
        except (ApprovalError, seals.SealError):
            db.session.rollback()
            raise
        db.session.refresh(application)
        return application, seal
    try:
        code = tracking_code(application)
    except ApprovalError:
        db.session.rollback()
        raise
    business = _business(application)
    db.session.add(business)
    db.session.flush()
    application.business_id, application.tax_tracking_code = business.id, code
    emit("application.approved", application, {"application": application.id, "domain": application.domain,
                                               "kind": application.seal_kind},
         actor, now=now, before={"status": SUBMITTED}, after={"status": APPROVED})
    try:
        # issue_seal commits the approval, the business and the seal together
        seal = seals.issue_seal(business, now=now, actor=actor, kind=application.seal_kind)
    except seals.SealError as error:
        db.session.rollback()
        raise ApprovalError(f"{error}; nothing was approved") from None
    db.session.refresh(application)
    return application, seal


def run_checks(application, now):
    """Ask the background-check registries about a submitted application. Commits."""
    checks.start(application, checks.mobile_of(application), checks.backend_from_config(current_app.config), now)
    db.session.commit()


def fast_path_allows(application, now):
    """A gray seal without a reviewer only when the identity rules hold and every automatic check passed:
    an adult (or a court ruling of maturity), a legal person's documents, no failed or unanswered check."""
    if service.missing_documents(application, now):
        return False
    return checks.all_passed(application)


def submit(application, now):
    """Submit for review and run the background checks; a complete gray application that meets
    the fast path's rules is approved at once, without a reviewer; otherwise it waits in the queue."""
    missing = service.submit(application, now)
    if missing:
        return missing
    run_checks(application, now)
    if application.seal_kind != GRAY or application.purpose != NEW_SEAL or not fast_path_allows(application, now):
        return missing
    try:
        approve(application.id, now=now, actor=FAST_PATH_ACTOR)
    except ApprovalError as error:
        # left submitted: the clock tries again, and an operator can approve it by hand
        current_app.logger.warning("gray fast path for application %s deferred: %s", application.id, error)
    return []


def approve_waiting_gray(now):
    """Gray applications the fast path could not approve at submission; for the clock. Idempotent."""
    waiting = db.session.scalars(select(Application).where(
        Application.status == SUBMITTED, Application.seal_kind == GRAY, Application.purpose == NEW_SEAL)).all()
    approved = []
    for application_id in [a.id for a in waiting if fast_path_allows(a, now)]:
        try:
            approve(application_id, now=now, actor=FAST_PATH_ACTOR)
        except ApprovalError as error:
            current_app.logger.warning("gray fast path for application %s deferred: %s", application_id, error)
            continue
        approved.append(application_id)
    return approved
