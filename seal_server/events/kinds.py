"""The documented list of event kinds: stable names other programs rely on.

For each kind: who is told by default (the owner by email and/or SMS) and whether the
seal's webhook endpoints receive it. A kind not listed here cannot be emitted.
"""
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from .models import EMAIL, SMS


@dataclass(frozen=True)
class Kind:
    owner_channels: tuple = ()  # channels on which the subject's owner is told
    webhook: bool = False  # sent to the seal's webhook endpoints
    description: str = ""
    ttl: Optional[timedelta] = None  # a message useless after this long (a one-time code) is not sent late


CODE_TTL = timedelta(hours=1)

KINDS = {
    # seals
    "seal.issued": Kind((EMAIL, SMS), True, "a seal was issued"),
    "seal.suspended": Kind((EMAIL, SMS), True, "a seal was suspended (a hold was added)"),
    "seal.reinstated": Kind((EMAIL, SMS), True, "a suspended seal is active again"),
    "seal.revoked": Kind((EMAIL, SMS), True, "a seal was revoked for good"),
    "seal.expired": Kind((EMAIL, SMS), True, "a seal's validity ended"),
    "seal.renewed": Kind((EMAIL, SMS), True, "a seal was renewed for another period"),
    "seal.stars_changed": Kind((EMAIL,), True, "a seal's stars or kind changed"),
    "seal.expiry_reminder": Kind((EMAIL, SMS), True, "a seal expires in N days (SEAL_REMINDER_DAYS)"),
    "seal.gray_limit_reached": Kind((EMAIL, SMS), True, "a gray seal passed its monthly limit"),
    "seal.cancellation_rejected": Kind((EMAIL,), False, "staff sent back the owner's cancellation request"),
    # registered changes (the changes package)
    "seal.details_changed": Kind((EMAIL,), True, "a registered change was verified and is now on the seal's record"),
    "seal.change_refused": Kind((EMAIL,), False, "staff refused a registered change, with a reason"),
    "seal.domain_changed": Kind((EMAIL, SMS), True,
                                "the seal moved to a new domain with a new code; data.details.code and data.details.snippet "
                                "replace the old ones"),
    "change.code": Kind((), False, "a code to the new email or mobile of a registered change", CODE_TTL),
    "account.mobile_changed": Kind((), False, "the old mobile is told that a registered change replaced it"),
    "renewal.refused": Kind((EMAIL, SMS), False, "a reviewer refused a paid renewal held for review (no refund here)"),
    "seal.transfer_offered": Kind((EMAIL,), False, "the owner offered the seal to a new owner (who is told by SMS)"),
    "seal.transfer_accepted": Kind((EMAIL, SMS), False, "the named new owner accepted; their application is open"),
    "seal.transfer_cancelled": Kind((EMAIL, SMS), False, "a transfer ended before approval (either side or staff)"),
    "seal.transferred": Kind((EMAIL, SMS), False, "staff approved the new owner; the seal is theirs (both told)"),
    # conformity (licences, stars)
    "licence.expiring": Kind((EMAIL, SMS), False, "a verified licence of the shop ends within 30 days"),
    "nonconformity.recorded": Kind((EMAIL, SMS), False, "the authority recorded a non-conformity against the shop"),
    "nonconformity.decided": Kind((EMAIL,), False, "the authority accepted or rejected the owner's answer"),
    "seal.copy_detected": Kind((EMAIL,), True, "another site showed the seal SEAL_COPY_REPORT_THRESHOLD times; "
                                                "a fake-seal report was filed"),
    "seal.star_notice": Kind((EMAIL, SMS), False, "a star's ground was lost; the star goes in 14 days unless restored"),
    # payment providers
    "provider.registered": Kind((), False, "staff registered a payment provider (its token is shown once)"),
    "provider.token_rotated": Kind((), False, "a payment provider's token was replaced; the old one stopped"),
    "provider.disabled": Kind((), False, "a payment provider was disabled; its token stopped"),
    "provider.merchant_bound": Kind((EMAIL,), False, "a payment provider said it serves the shop (it reports its volumes)"),
    "provider.merchant_unbound": Kind((), False, "a payment provider no longer serves the shop"),
    "provider.binding_disputed": Kind((), False, "the owner said a payment provider does not serve the shop; its "
                                                 "reports stop counting and it cannot bind the seal again"),
    "provider.dispute_cleared": Kind((EMAIL,), False, "staff cleared the owner's dispute of a payment provider; "
                                                      "it may bind the seal again"),
    # applications
    "application.submitted": Kind((EMAIL,), False, "an application was submitted for review"),
    "application.approved": Kind((), False, "an application was approved (the owner hears of it by seal.issued)"),
    "application.step_rejected": Kind((EMAIL, SMS), False, "a reviewer rejected one step, with a reason"),
    "application.rejected": Kind((EMAIL, SMS), False, "a reviewer rejected the whole application"),
    "application.withdrawn": Kind((), False, "the owner deleted a draft"),
    # billing
    "invoice.issued": Kind((EMAIL, SMS), False, "an invoice is due (e.g. a micro seal's second year)"),
    "invoice.paid": Kind((EMAIL,), False, "an invoice was paid"),
    "payment.succeeded": Kind((), False, "the gateway confirmed a payment"),
    "payment.failed": Kind((), False, "the gateway refused to confirm a payment"),
    "payment.cancelled": Kind((), False, "a payment was cancelled at the gateway or not verified"),
    # complaints (the buyer's messages go to the mobile they confirmed, never to webhooks)
    "complaint.code": Kind((), False, "a one-time code to a complaining buyer's mobile", CODE_TTL),
    "complaint.filed": Kind((EMAIL, SMS), True, "a buyer's confirmed complaint opened the 72-hour clock"),
    "complaint.answered": Kind((), True, "the business answered a complaint (the buyer is told by SMS)"),
    "arbitration.opened": Kind((EMAIL, SMS), True, "the buyer paid the arbitration fee: the shop has 72 hours to "
                               "settle or reply with evidence"),
    "arbitration.settled": Kind((EMAIL,), True, "the buyer confirmed the shop's settlement: closed without a ruling"),
    "arbitration.ruled": Kind((EMAIL, SMS), True, "an arbiter ruled: for the buyer, for the shop, or partial"),
    "arbitration.buyer_notice": Kind((), False, "to the buyer's mobile: a settlement to confirm, or the ruling"),
    # accounts and one-time codes (sent to the address given, never to webhooks)
    "account.sign_in_code": Kind((), False, "a one-time sign-in code by SMS", CODE_TTL),
    "account.sign_in_attempted": Kind((), False, "someone tried to sign in to an account with another mobile"),
    "contact.landline_code": Kind((), False, "a code read to the business landline by a voice call", CODE_TTL),
    "contact.email_code": Kind((), False, "a code to confirm the business email", CODE_TTL),
    "domain.email_code": Kind((), False, "a code sent to an address at the domain to prove ownership", CODE_TTL),
    "account.moved": Kind((), False, "support staff gave an account to its verified holder's mobile"),
    "webhook.disabled": Kind((EMAIL,), False, "a webhook endpoint kept failing for 3 days and was disabled"),
    "webhook.test": Kind((), False, "a test event sent from the panel to one endpoint"),
}


def is_known(kind):
    return kind in KINDS
