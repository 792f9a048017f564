"""Reviewing applications: the queue, claims, a verdict per step, approval and rejection.

Every decision is a compare-and-set on the row it changes, so of two reviewers acting at the
same moment one wins and the other is told; each emits an event (the owner is told) or, for
internal steps, writes an audit row. Approval goes through `onboarding.issuance.approve`.
"""
from sqlalchemy import and_, func, or_, select, update

from ..accounts.models import Account, Owner
from ..audit import AuditEvent, record_event
from ..billing.models import Invoice
from ..events import Actor, emit
from ..extensions import db
from ..integrations import checks
from ..integrations.models import BackgroundCheck
from ..marks import N_
from ..onboarding import issuance
from ..onboarding.models import (
    DONE, DRAFT, REJECTED, STEP_REJECTED, STEPS, SUBMITTED, TRANSFER, Application, ApplicationStep, DomainChallenge,
    VerificationCode,
)
from . import policy, rules
from .models import Staff
from .service import StaffError

CHANGED = N_("Someone else decided this application just now; reload the page to see what changed.")


def queue(*, now, status=SUBMITTED, kind=None, province=None, q=None, holder=None, me=None, overdue=False,
          limit=200):
    """Submitted applications, oldest first, with their age against the seed's expectations."""
    query = select(Application).where(Application.status == status).order_by(Application.submitted_at)
    if kind:
        query = query.where(Application.seal_kind == kind)
    if province:
        query = query.where(Application.province == province)
    if holder == "mine" and me is not None:
        query = query.where(Application.assigned_staff_id == me.id)
    elif holder == "nobody":
        query = query.where(Application.assigned_staff_id.is_(None))
    text = " ".join((q or "").split())[:100]
    if text:
        like = f"%{text.lower()}%"
        query = query.outerjoin(Owner, Owner.id == Application.owner_id).where(or_(
            func.lower(Application.domain).like(like), func.lower(Application.name_fa).like(like),
            func.lower(Application.name_en).like(like), Owner.national_code == text,
            Owner.legal_national_id == text, func.lower(Owner.company_name).like(like),
            func.lower(Owner.last_name).like(like)))
    rows = []
    for application in db.session.scalars(query.limit(limit)):
        clock = rules.review_clock(application.submitted_at or application.created_at, now)
        if overdue and not (clock["documents_overdue"] or clock["seal_overdue"]):
            continue
        rows.append((application, clock))
    return rows


def get(application_id):
    application = db.session.get(Application, application_id)
    if application is None or application.status == "withdrawn":
        return None
    return application


def details(application):
    """What the review page shows beside the application itself."""
    return {
        "account": db.session.get(Account, application.account_id),
        "challenges": db.session.scalars(select(DomainChallenge).where(
            DomainChallenge.application_id == application.id).order_by(DomainChallenge.id.desc())).all(),
        "codes": db.session.scalars(select(VerificationCode).where(
            VerificationCode.application_id == application.id).order_by(VerificationCode.id.desc())).all(),
        "invoices": db.session.scalars(select(Invoice).where(
            Invoice.application_id == application.id).order_by(Invoice.id)).all(),
        "history": db.session.scalars(select(AuditEvent).where(
            AuditEvent.subject_type == "application", AuditEvent.subject_id == application.id)
            .order_by(AuditEvent.id)).all(),
        "holder": db.session.get(Staff, application.assigned_staff_id) if application.assigned_staff_id else None,
        "checks": checks.checks_of(application),
        "reviewers": db.session.scalars(select(Staff).where(Staff.disabled_at.is_(None)).order_by(Staff.name)).all(),
    }


def claim(staff, application, *, now):
    """Hold the application for review (one holder; a supervisor may take it over)."""
    policy.require(staff, "application.claim", application)
    condition = Application.id == application.id
    if not staff.has(policy.SUPERVISOR):
        condition = and_(condition, or_(Application.assigned_staff_id.is_(None),
                                        Application.assigned_staff_id == staff.id))
    before = application.assigned_staff_id
    if db.session.execute(update(Application).where(condition).values(assigned_staff_id=staff.id)
                          .execution_options(synchronize_session=False)).rowcount != 1:
        db.session.rollback()
        raise StaffError(N_("Another reviewer holds this application; ask them or a supervisor."))
    record_event(actor=Actor.staff(staff.id), action="application.claimed", subject_type="application",
                 subject_id=application.id, now=now, before={"assigned_staff_id": before},
                 after={"assigned_staff_id": staff.id})
    db.session.commit()


def assign(staff, application, to_staff_id, *, now):
    policy.require(staff, "application.assign", application)
    target = db.session.get(Staff, to_staff_id) if to_staff_id else None
    if target is None or target.disabled_at is not None or not policy.may(target, "step.decide"):
        raise StaffError(N_("Choose a reviewer who may decide applications."), "assignee")
    if policy.decide(target.roles, "step.decide", **policy.facts(target, application)) == \
            N_("You cannot review your own application."):
        raise StaffError(N_("This reviewer is the applicant; choose someone else."), "assignee")
    before = application.assigned_staff_id
    application.assigned_staff_id = target.id
    record_event(actor=Actor.staff(staff.id), action="application.assigned", subject_type="application",
                 subject_id=application.id, now=now, before={"assigned_staff_id": before},
                 after={"assigned_staff_id": target.id})
    db.session.commit()


def decide_step(staff, application, step_name, verdict, reason, *, now):
    """Accept a done step, or reject it with a reason: the application goes back to its owner with only
    that step reopened; the owner is told (application.step_rejected)."""
    policy.require(staff, "step.decide", application)
    if step_name not in STEPS or verdict not in ("accept", "reject"):
        raise StaffError(N_("Choose a step and a decision."))
    if application.status != SUBMITTED:
        raise StaffError(N_("Only a submitted application can be decided."))
    item = next(s for s in application.steps if s.step == step_name)
    seen = (item.state, item.accepted_at)
    if verdict == "accept":
        if item.state != DONE:
            raise StaffError(N_("Only a finished step can be accepted."))
        values = {"accepted_at": now, "reviewed_by": staff.id}
    else:
        reason = rules.clean_reason(reason)
        if reason is None:
            raise StaffError(N_("Write the reason the owner will read (at least %(count)s characters)."), "reason",
                             count=rules.MIN_REASON)
        values = {"state": STEP_REJECTED, "reason": reason, "reopened": True, "accepted_at": None,
                  "reviewed_by": staff.id, "updated_at": now}
    # compare-and-set on the step as this reviewer saw it, while the application is still submitted
    won = db.session.execute(
        update(ApplicationStep).where(
            ApplicationStep.id == item.id, ApplicationStep.state == seen[0],
            ApplicationStep.accepted_at.is_(None) if seen[1] is None else ApplicationStep.accepted_at == seen[1],
            select(Application.id).where(Application.id == application.id,
                                         Application.status == SUBMITTED).exists())
        .values(**values).execution_options(synchronize_session=False)).rowcount == 1
    if won and verdict == "reject":
        changes = {"status": DRAFT, "updated_at": now}
        if step_name == "domain":
            changes.update(domain_verified_at=None, domain_verified_by=None)  # the proof must be made again
        won = db.session.execute(
            update(Application).where(Application.id == application.id, Application.status == SUBMITTED)
            .values(**changes).execution_options(synchronize_session=False)).rowcount == 1
    if not won:
        db.session.rollback()
        raise StaffError(CHANGED)
    if verdict == "accept":
        record_event(actor=Actor.staff(staff.id), action="application.step_accepted", subject_type="application",
                     subject_id=application.id, now=now, after={"step": step_name})
    else:
        emit("application.step_rejected", application, {"step": step_name, "reason": reason}, Actor.staff(staff.id),
             now=now, before={"step": step_name, "state": seen[0]}, after={"step": step_name, "state": STEP_REJECTED},
             reason=reason)
    db.session.commit()
    db.session.expire_all()


def approve(staff, application, *, now):
    """Issue the seal through the one issuance path (compare-and-set: approved once); a transfer's
    approval moves an existing seal to a new owner and asks for its own permission."""
    policy.require(staff, "application.approve", application)
    if application.purpose == TRANSFER:
        policy.require(staff, "transfer.approve", application)
    blocking = [item.step for item in application.steps if item.state == STEP_REJECTED]
    if blocking:
        raise StaffError(N_("A step is still rejected; the owner must fix it first."))
    if checks.blocking(application):
        raise StaffError(N_("A background check failed or has no answer; a supervisor must override it, with a "
                            "reason, first."))
    try:
        return issuance.approve(application.id, now=now, actor=Actor.staff(staff.id))
    except issuance.ApprovalError:
        db.session.rollback()
        db.session.expire_all()
        current = db.session.get(Application, application.id)
        if current is not None and current.status != SUBMITTED:
            raise StaffError(CHANGED) from None
        if current is not None and current.seal is not None and current.seal.status not in ("active", "suspended"):
            raise StaffError(N_("The seal this request concerns is no longer live; nothing was approved. Reject the "
                                "request with a reason the owner reads.")) from None
        raise StaffError(N_("The seal could not be issued just now (the tax id service did not answer); "
                            "nothing was approved. Try again later.")) from None


def reject(staff, application, reason, *, now):
    """Reject the whole application with a reason the owner reads."""
    policy.require(staff, "application.reject", application)
    reason = rules.clean_reason(reason)
    if reason is None:
        raise StaffError(N_("Write the reason the owner will read (at least %(count)s characters)."), "reason",
                         count=rules.MIN_REASON)
    won = db.session.execute(
        update(Application).where(Application.id == application.id, Application.status == SUBMITTED)
        .values(status=REJECTED, rejected_at=now, rejection_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not won:
        db.session.rollback()
        raise StaffError(CHANGED)
    emit("application.rejected", application, {"reason": reason}, Actor.staff(staff.id), now=now,
         before={"status": SUBMITTED}, after={"status": REJECTED}, reason=reason)
    if application.purpose == TRANSFER:
        from ..transfers import service as transfers

        transfers.application_ended(application, by=transfers.STAFF, now=now, note=reason)
    db.session.commit()
    db.session.expire_all()


def override_check(staff, application, check_id, reason, *, now):
    """A supervisor lets approval go ahead despite a failed or unanswered check, with a written reason (audited)."""
    policy.require(staff, "check.override", application)
    row = db.session.get(BackgroundCheck, check_id) if check_id else None
    if row is None or row.application_id != application.id:
        raise StaffError(N_("Choose a background check of this application."))
    reason = rules.clean_reason(reason)
    if reason is None:
        raise StaffError(N_("Write why approval may go ahead despite this check (at least %(count)s characters)."),
                         "override_reason", count=rules.MIN_REASON)
    won = db.session.execute(
        update(BackgroundCheck).where(BackgroundCheck.id == row.id, BackgroundCheck.overridden_at.is_(None),
                                      BackgroundCheck.status != checks.PASSED)
        .values(overridden_at=now, overridden_by=staff.id, override_reason=reason)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not won:
        db.session.rollback()
        raise StaffError(CHANGED)
    record_event(actor=Actor.staff(staff.id), action="check.overridden", subject_type="application",
                 subject_id=application.id, now=now, before={"check": row.kind, "status": row.status},
                 after={"check": row.kind, "overridden": True}, reason=reason)
    db.session.commit()
    db.session.expire_all()


def gray_over_limit(limit=200):
    """Gray seals whose reported monthly volume passed a limit: (seal, month, amount in rials, transactions)."""
    from ..onboarding.gray import counted
    from ..onboarding.models import GrayMonthlyVolume
    from ..seals.models import Seal

    flagged = select(GrayMonthlyVolume.seal_id, GrayMonthlyVolume.month).where(
        GrayMonthlyVolume.over_limit_at.is_not(None)).distinct().subquery()
    rows = db.session.execute(
        select(Seal, GrayMonthlyVolume.month, func.sum(GrayMonthlyVolume.amount),
               func.sum(GrayMonthlyVolume.transactions))
        .join(GrayMonthlyVolume, GrayMonthlyVolume.seal_id == Seal.id)
        .join(flagged, and_(flagged.c.seal_id == GrayMonthlyVolume.seal_id,
                            flagged.c.month == GrayMonthlyVolume.month))
        .where(counted())
        .group_by(Seal.id, GrayMonthlyVolume.month)
        .order_by(GrayMonthlyVolume.month.desc(), Seal.id).limit(limit)).all()
    return [(seal, month, int(amount), int(count)) for seal, month, amount, count in rows]
