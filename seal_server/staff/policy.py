"""The one answer to "may this staff member do this to this object?". Every staff route asks it.

Pure: takes the staff member's roles and facts about the object, imports nothing from Flask.
"""
from ..marks import N_

REVIEWER, SUPERVISOR, ARBITER, SUPPORT, ADMIN = "reviewer", "supervisor", "arbiter", "support", "admin"
ROLES = (REVIEWER, SUPERVISOR, ARBITER, SUPPORT, ADMIN)
ROLE_TITLES = {
    REVIEWER: N_("Reviewer"), SUPERVISOR: N_("Supervisor"), ARBITER: N_("Arbiter"),
    SUPPORT: N_("Support"), ADMIN: N_("Administrator"),
}

# action -> the roles that may take it
RULES = {
    "console.enter": set(ROLES),
    "queue.view": {REVIEWER, SUPERVISOR, ADMIN},
    "application.view": {REVIEWER, SUPERVISOR, SUPPORT, ADMIN},
    "document.view": {REVIEWER, SUPERVISOR, ADMIN},
    "application.claim": {REVIEWER, SUPERVISOR},
    "application.assign": {SUPERVISOR, ADMIN},
    "step.decide": {REVIEWER, SUPERVISOR},
    "application.approve": {REVIEWER, SUPERVISOR},
    "application.reject": {REVIEWER, SUPERVISOR},
    "check.override": {SUPERVISOR},
    "check.sandbox": {SUPPORT, ADMIN},
    "staff.manage": {ADMIN},
    "audit.view": {SUPERVISOR, ADMIN},
    "gray.view": {REVIEWER, SUPERVISOR, ADMIN},
    "operator.view": {SUPPORT, ADMIN},
    "account.move": {SUPPORT, ADMIN},
    "seal.view": {REVIEWER, SUPERVISOR, SUPPORT, ADMIN},
    "seal.suspend": {SUPERVISOR, ADMIN},  # suspend and reinstate
    "seal.revoke": {SUPERVISOR, ADMIN},
    "complaint.view": {SUPERVISOR, ARBITER, SUPPORT, ADMIN},
    "arbitration.rule": {ARBITER},  # a ruling in online arbitration: arbiters only, not even administrators
    "bank.sandbox": {SUPPORT, ADMIN},
    "cancellation.decide": {SUPERVISOR, ADMIN},  # confirm (revokes the seal) or send back an owner's request
    "change.decide": {REVIEWER, SUPERVISOR},  # apply or refuse an owner's registered change of names, category ...
    # approving a new owner hands an existing seal, with its record, to someone else: a supervisor's call
    "transfer.approve": {SUPERVISOR},
    "renewal.decide": {REVIEWER, SUPERVISOR},  # renew or refuse a paid renewal held for a reviewer
    "licence.verify": {REVIEWER, SUPERVISOR},
    "rating.decide": {REVIEWER, SUPERVISOR},
    "nonconformity.record": {REVIEWER, SUPERVISOR},  # and decide on the owner's answer
    "violation.triage": {REVIEWER, SUPERVISOR},  # suspending for a report also needs seal.suspend
    "provider.manage": {SUPERVISOR, ADMIN},  # register payment providers, rotate or disable their tokens
}
# actions that need a TOTP code typed in the last few minutes (see service.FRESH_SECONDS)
FRESH = frozenset({"application.approve", "check.override", "staff.manage", "account.move", "seal.revoke",
                   "cancellation.decide", "provider.manage", "transfer.approve", "renewal.decide",
                   "arbitration.rule"})
# actions that change an application: the reviewer may not touch their own, nor one another reviewer holds
DECISIONS = frozenset({"step.decide", "application.approve", "application.reject", "application.claim",
                       "cancellation.decide", "change.decide", "transfer.approve", "renewal.decide",
                       "arbitration.rule"})


class Refused(Exception):
    """The staff member may not do this; `message` is a msgid for them."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def decide(roles, action, *, staff_national_code=None, staff_id=None, applicant_national_code=None,
           assigned_to=None, seller_national_code=None):
    """None when allowed, else the msgid that says why not."""
    if action not in RULES:
        raise KeyError(f"unknown staff action {action!r}")
    if not set(roles or ()) & RULES[action]:
        return N_("Your role does not allow this.")
    if action in DECISIONS:
        if staff_national_code and staff_national_code in (applicant_national_code, seller_national_code):
            return N_("You cannot review your own application.")
        if assigned_to is not None and assigned_to != staff_id and SUPERVISOR not in roles \
                and action != "application.claim":
            return N_("Another reviewer holds this application; ask them or a supervisor.")
        if action == "application.claim" and assigned_to not in (None, staff_id) and SUPERVISOR not in roles:
            return N_("Another reviewer holds this application; ask them or a supervisor.")
    return None


def may(staff, action, application=None):
    """True when `staff` may take `action` (on `application`, when given)."""
    return decide(staff.roles, action, **facts(staff, application)) is None


def require(staff, action, application=None):
    """Raise Refused unless `staff` may take `action`."""
    reason = decide(staff.roles, action, **facts(staff, application))
    if reason:
        raise Refused(reason)


def facts(staff, application):
    facts = {"staff_national_code": staff.national_code, "staff_id": staff.id}
    if application is not None:
        owner = application.owner
        facts["applicant_national_code"] = owner.national_code if owner is not None else None
        facts["assigned_to"] = getattr(application, "assigned_staff_id", None)
        seal = getattr(application, "seal", None)  # a transfer: the seller is a party too
        if getattr(application, "purpose", None) == "transfer" and seal is not None:
            facts["seller_national_code"] = seal.business.owner.national_code
    return facts
