"""Background checks run on submission: a small protocol per outside registry and a sandbox for each.

- police: the cyber police (FATA) record of the applicant (seed);
- mobile: the mobile number belongs to the national code (what Iran's Shahkar service answers);
- civil: the civil registry knows this national code with this name and birth date;
- company: the company registry knows this legal national id with this name and chief executive;
- domain_holder: for .ir domains, the applicant is the holder of record at the .ir registry.

The sandbox answers what an operator set on the console's checks page (pass, fail or time out,
for every applicant or for one national code, legal id or domain); passing is the default.
A failed or unanswered check blocks approval until a supervisor overrides it with a reason;
a check that timed out is asked again by the clock (`retry_unanswered`).
"""
import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from ..extensions import db
from ..marks import N_
from .models import BackgroundCheck, SandboxCheckOutcome

POLICE, MOBILE, CIVIL, COMPANY, DOMAIN_HOLDER = "police", "mobile", "civil", "company", "domain_holder"
CHECKS = (POLICE, MOBILE, CIVIL, COMPANY, DOMAIN_HOLDER)
CHECK_TITLES = {
    POLICE: N_("Cyber police record"), MOBILE: N_("Mobile number ownership"), CIVIL: N_("Civil registry"),
    COMPANY: N_("Company registry"), DOMAIN_HOLDER: N_(".ir domain holder"),
}
PASS, FAIL, TIMEOUT = "pass", "fail", "timeout"
OUTCOMES = (PASS, FAIL, TIMEOUT)
PENDING, PASSED, FAILED, TIMED_OUT = "pending", "passed", "failed", "timed_out"
MAX_ATTEMPTS = 10


class CheckTimeout(Exception):
    """The registry did not answer in time; the clock asks again."""


@dataclass(frozen=True)
class Answer:
    passed: bool
    reference: str
    detail: str = ""


class CheckBackend(Protocol):
    name: str

    def ask(self, check: str, facts: dict, *, now) -> Answer:
        """Ask the registry behind `check` about `facts`; raises CheckTimeout when it does not answer."""


def _subjects(facts):
    return [value for key, value in facts.items() if key in ("national_code", "legal_national_id", "domain") and value]


class SandboxChecks:
    """Offline registries: each answers what the operator set for it (or for one subject); pass by default."""

    name = "sandbox"

    def ask(self, check, facts, *, now):
        rows = db.session.scalars(select(SandboxCheckOutcome).where(SandboxCheckOutcome.kind == check)).all()
        chosen = {row.subject: row.outcome for row in rows}
        outcome = next((chosen[s] for s in _subjects(facts) if s in chosen), chosen.get("", PASS))
        if outcome == TIMEOUT:
            raise CheckTimeout(f"sandbox {check} registry set to time out")
        reference = f"sandbox-{check}-{secrets.token_hex(4)}"
        if outcome == FAIL:
            return Answer(False, reference, "the sandbox registry answered no")
        return Answer(True, reference, "the sandbox registry answered yes")


def backend_from_config(config):
    """Only the sandbox exists; an adapter per registry (FATA, Shahkar, NOCR, ILENC, IRNIC) implements CheckBackend."""
    return SandboxChecks()


def applicable(owner, domain):
    """The checks this applicant needs: natural persons the civil registry, legal persons the company registry."""
    if owner is None:
        return []
    names = [POLICE, MOBILE]
    names.append(COMPANY if owner.kind == "legal" else CIVIL)
    if domain and (domain == "ir" or domain.endswith(".ir")):
        names.append(DOMAIN_HOLDER)
    return names


def facts_for(check, owner, domain, mobile):
    person = {"national_code": owner.national_code}
    if check == POLICE:
        return {**person, "name": owner.display_name}
    if check == MOBILE:
        return {**person, "mobile": mobile}
    if check == CIVIL:
        return {**person, "first_name": owner.first_name, "last_name": owner.last_name,
                "birth_date": owner.birth_date.isoformat() if owner.birth_date else None}
    if check == COMPANY:
        return {"legal_national_id": owner.legal_national_id, "company_name": owner.company_name,
                "ceo_name": owner.ceo_name}
    holder = owner.legal_national_id if owner.kind == "legal" else owner.national_code
    return {"domain": domain, "holder_id": holder, "national_code": holder}


def _ask(row, facts, backend, now):
    row.attempts += 1
    row.asked_at = now
    try:
        answer = backend.ask(row.kind, facts, now=now)
    except CheckTimeout as error:
        row.status, row.detail = TIMED_OUT, str(error)[:300]
        return
    row.status = PASSED if answer.passed else FAILED
    row.reference, row.detail, row.answered_at = answer.reference[:80], answer.detail[:300], now


def start(application, mobile, backend, now):
    """Ask every applicable registry about a just-submitted application (no commit)."""
    existing = {row.kind: row for row in checks_of(application)}
    for name in applicable(application.owner, application.domain):
        row = existing.get(name)
        if row is None:
            row = BackgroundCheck(application_id=application.id, kind=name, status=PENDING, attempts=0)
            db.session.add(row)
        elif row.status == PASSED or row.overridden_at is not None:
            continue
        _ask(row, facts_for(name, application.owner, application.domain, mobile), backend, now)
    db.session.flush()


def checks_of(application):
    if application.id is None:
        return []
    return db.session.scalars(select(BackgroundCheck).where(BackgroundCheck.application_id == application.id)
                              .order_by(BackgroundCheck.id)).all()


def blocking(application):
    """The checks that stop approval: failed or unanswered, and not overridden by a supervisor."""
    return [row for row in checks_of(application) if row.status != PASSED and row.overridden_at is None]


def all_passed(application):
    """True when every applicable check was asked and passed (overrides do not count: a person decided)."""
    rows = {row.kind: row for row in checks_of(application)}
    return all(name in rows and rows[name].status == PASSED
               for name in applicable(application.owner, application.domain))


def mobile_of(application):
    from ..accounts.models import Account

    account = db.session.get(Account, application.account_id)
    return account.mobile if account is not None else None


def retry_unanswered(now, backend=None):
    """Ask again the checks of submitted applications that timed out (at most MAX_ATTEMPTS times); for the clock.

    Returns the ids of the checks that got an answer. Commits.
    """
    from flask import current_app

    from ..onboarding.models import SUBMITTED, Application

    backend = backend or backend_from_config(current_app.config)
    rows = db.session.scalars(select(BackgroundCheck).join(Application, Application.id == BackgroundCheck.application_id)
                              .where(BackgroundCheck.status.in_((TIMED_OUT, PENDING)),
                                     BackgroundCheck.attempts < MAX_ATTEMPTS,
                                     Application.status == SUBMITTED)).all()
    answered = []
    for row in rows:
        application = db.session.get(Application, row.application_id)
        _ask(row, facts_for(row.kind, application.owner, application.domain, mobile_of(application)), backend, now)
        if row.status in (PASSED, FAILED):
            answered.append(row.id)
    db.session.commit()
    return answered


def owns_mobile(national_code, mobile, *, now, backend=None):
    """Does this mobile number belong to this national code (Shahkar)? An Answer; raises CheckTimeout.

    For the sign-up: call it before an account is created for a national code, and refuse when
    `answer.passed` is False.
    """
    from flask import current_app

    backend = backend or backend_from_config(current_app.config)
    return backend.ask(MOBILE, {"national_code": national_code, "mobile": mobile}, now=now)


def set_sandbox_outcome(check, outcome, subject, *, now):
    """The operator's choice for the sandbox registry behind `check` (subject '' = everyone). No commit."""
    if check not in CHECKS or outcome not in OUTCOMES:
        raise ValueError("unknown check or outcome")
    subject = (subject or "").strip()[:253]
    row = db.session.scalar(select(SandboxCheckOutcome).where(SandboxCheckOutcome.kind == check,
                                                              SandboxCheckOutcome.subject == subject))
    if row is None:
        row = SandboxCheckOutcome(kind=check, subject=subject)
        db.session.add(row)
    row.outcome, row.updated_at = outcome, now
    return row


def sandbox_outcomes():
    return db.session.scalars(select(SandboxCheckOutcome).order_by(SandboxCheckOutcome.kind,
                                                                   SandboxCheckOutcome.subject)).all()
