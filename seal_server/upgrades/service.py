"""Gray or temporary to a one-star standard seal: the remaining steps, the fee's difference, review, same id.

The owner starts an application with purpose "upgrade" and `seal_id` set. A gray seal skipped the
contact and postal steps, so it asks for them and the fee; a temporary seal did the contact step,
so it asks for the postal check and the fee. The fee is the one-star two-year fee less what the
seal already paid for its seal (the gray seal's micro instalments; the temporary seal paid
nothing, as its payment step promises: "the fee is paid with the standard seal that follows it").
Staff review the application like any standard one; approval changes the seal's kind and stars
through `seals.service.change_kind`, so the id, domain, serial and code stay. A temporary seal
also gets the standard seal's two Jalali years from approval.
"""
from flask import current_app
from sqlalchemy import select, update

from ..billing import fees
from ..billing import service as billing
from ..billing.models import CONFIRMING, OPEN as INVOICE_OPEN, VOID, Invoice
from ..events import emit
from ..extensions import db
from ..iran import places
from ..marks import N_
from ..onboarding import issuance, payment
from ..onboarding import service as onboarding
from ..onboarding.models import LIVE_APPLICATION, NEW_SEAL, SUBMITTED, UPGRADE, Application
from ..renewals import rules as dates
from ..seals import service as seals
from ..seals.models import GRAY, STANDARD, TEMPORARY, Seal

STEPS = {GRAY: ("contact", "postal", "payment"), TEMPORARY: ("postal", "payment")}
CONTACT = ("landline", "email", "postal_code", "address", "city", "response_hours", "latitude", "longitude")


class UpgradeError(Exception):
    def __init__(self, message, **variables):
        super().__init__(message)
        self.message, self.variables = message, variables


def steps_for(application):
    seal = application.seal
    return STEPS.get(seal.kind if seal is not None else None, STEPS[TEMPORARY])


onboarding.PURPOSE_STEPS[UPGRADE] = steps_for


def original_application(seal):
    return db.session.scalar(select(Application).where(Application.business_id == seal.business_id,
                                                       Application.purpose == NEW_SEAL))


def paid_for(seal):
    """Rials this seal already paid for the seal itself (its first and second year), not postal or rating fees."""
    original = original_application(seal)
    return billing.seal_fees_paid(original.id) if original is not None else 0


def due(seal):
    return fees.upgrade_due(current_app.config["SEAL_FEES"], paid_for(seal))


def open_for(seal):
    return db.session.scalar(select(Application).where(
        Application.seal_id == seal.id, Application.purpose == UPGRADE, Application.status.in_(LIVE_APPLICATION)))


def upgradable(seal):
    """A msgid saying why this seal cannot be upgraded, or None."""
    if seal.kind not in STEPS:
        return N_("Only a gray or temporary seal is upgraded to a one-star seal.")
    if seal.status not in seals.LIVE_STATUSES:
        return N_("Only a live seal can be upgraded.")
    return None


def start(seal, account, *, now):
    """The upgrade application (an open one is reused), filled from the seal's business."""
    existing = open_for(seal)
    if existing is not None:
        return existing
    refused = upgradable(seal)
    if refused:
        raise UpgradeError(refused)
    try:
        application = onboarding.open_application(account, now)
    except onboarding.QuotaReached as error:
        raise UpgradeError(error.message, **error.variables) from None
    business = seal.business
    application.purpose, application.seal_id, application.seal_kind = UPGRADE, seal.id, STANDARD
    application.owner = business.owner
    application.domain, application.name_fa, application.name_en = business.domain, business.name_fa, business.name_en
    application.category, application.sales_method = business.category, business.sales_method
    application.owns_domain_declared_at = now
    for name in CONTACT:
        setattr(application, name, getattr(business, name))
    province = next((row for row in places.provinces() if business.province in (row[1], row[2])), None)
    application.province = province[0] if province else None
    if seal.kind == TEMPORARY:  # its contact step was done and checked; the postal letter goes to that address
        application.landline_verified, application.email_verified = business.landline, business.email
    application.micro = False
    if due(seal) == 0:
        application.fee_paid_at = now  # the micro instalments already add up to the two-year fee
    onboarding.refresh_steps(application, now)
    db.session.commit()
    return application


def invoice(application, account, now):
    """The fee step of an upgrade: the difference, once; an unpaid second-year invoice is folded into it."""
    seal = application.seal
    amount = due(seal)
    if amount == 0:
        raise payment.StepError(N_("Nothing is left to pay: the seal's fees already add up to the two-year fee."))
    original = original_application(seal)
    if original is not None:
        second = payment.invoice_for(original, payment.SECOND_YEAR_PURPOSE)
        if second is not None and second.status == CONFIRMING:
            raise payment.StepError(N_("A payment of the second year's fee is being confirmed; try again in a "
                                       "moment."))
        if second is not None and second.status == INVOICE_OPEN:
            db.session.execute(update(Invoice).where(Invoice.id == second.id, Invoice.status == INVOICE_OPEN)
                               .values(status=VOID).execution_options(synchronize_session=False))
    return payment.billing.create_invoice(account, [fees.upgrade_line(current_app.config["SEAL_FEES"],
                                                                      paid_for(seal))],
                                          purpose=payment.SEAL_PURPOSE, now=now, application=application)


@issuance.on_approval(UPGRADE)
def complete(application, *, now, actor):
    """The seal becomes a one-star standard seal (same id and code); commits through change_kind."""
    seal = db.session.get(Seal, application.seal_id)
    if seal.kind not in STEPS or seal.status not in seals.LIVE_STATUSES:
        raise issuance.ApprovalError(f"seal {seal.public_id} is {seal.status} {seal.kind}; it cannot be upgraded")
    business, was = seal.business, seal.kind
    if was == GRAY:  # the contact step was done in this application: its details become the public ones
        province = places.province_by_code(application.province or "")
        for name in CONTACT:
            setattr(business, name, getattr(application, name))
        business.province = province[1] if province else None
    if was == TEMPORARY:
        ends = dates.add_jalali_years(now, 2)
        if ends > seal.expires_at:
            seals.renew_seal(seal.public_id, expected_expires_at=seal.expires_at, new_expires_at=ends, now=now,
                             actor=actor, payload={"upgrade": application.id})
    emit("application.approved", application, {"application": application.id, "domain": application.domain,
                                               "purpose": UPGRADE, "seal": seal.public_id},
         actor, now=now, before={"status": SUBMITTED}, after={"status": "approved"})
    return seals.change_kind(seal.public_id, kind=STANDARD, stars=1, now=now, actor=actor,
                             reason=f"upgraded from {was} (application {application.id})")
