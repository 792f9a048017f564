"""Fetches of owners' sites off the request path: a press of "check" queues a row, the worker runs it.

A check that fetches the owner's site (or asks its DNS) may wait up to the fetcher's timeouts on a
stranger's slow server; run inside the request, a few of them held every thread of a web process.
Now the request only queues a `DomainCheck` (at most SEAL_PROOF_CHECKS_PER_ACCOUNT queued or running
per account, or per staff member, kept by unique (account, slot) and (staff, slot) pairs so the limit
holds across processes), the worker claims it (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, then
a compare-and-set with a lease) and runs it by its kind, and the page polls the row's state:

- onboarding: `domain.check`, an application's domain proof;
- change: `changes.service.check_proof`, a registered domain change's proof (the seal moves on success);
- https: `conformity.service.check_rating_https`, a reviewer's HTTPS check for a star rating.

The email code methods fetch nothing and stay in the request.
"""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import current_app, jsonify
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..marks import N_
from . import domain, proof
from .models import Application, DomainCheck
from .service import NotEditable

QUEUED, RUNNING, DONE = "queued", "running", "done"
ONBOARDING, CHANGE, HTTPS = "onboarding", "change", "https"
SHOWN = {QUEUED: "queued", RUNNING: "fetching", DONE: "done"}  # what the pages and their script call the states
LEASE = timedelta(minutes=2)  # far above the fetcher's timeouts: a lease outlives only a dead worker
MAX_RUNS = 3  # a check whose worker died this many times is given up
BUSY = N_("Your previous ownership check is still running; wait for it to finish.")
GAVE_UP = N_("The check could not be finished; please try again.")

requested = 0  # checks queued by this process (the test client runs them after the request)


def queue(now, kind=ONBOARDING, *, account_id=None, staff_id=None, **columns):
    """Queue a job of `kind` for an account (or a staff member) when one of its slots is free, else ProofFailed."""
    global requested
    owner = DomainCheck.staff_id == staff_id if staff_id is not None else DomainCheck.account_id == account_id
    per_account = current_app.config["SEAL_PROOF_CHECKS_PER_ACCOUNT"]
    taken = set(db.session.scalars(select(DomainCheck.slot).where(owner, DomainCheck.slot.is_not(None))))
    free = [slot for slot in range(per_account) if slot not in taken]
    if not free:
        raise proof.ProofFailed(BUSY)
    row = DomainCheck(kind=kind, account_id=account_id, staff_id=staff_id, state=QUEUED, slot=free[0],
                      requested_at=now, runs=0, verified=False, **columns)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # another process took the same slot between our look and our insert
        db.session.rollback()
        raise proof.ProofFailed(BUSY) from None
    requested += 1
    return row


def request_check(application, challenge_id, now):
    """Queue a check of a challenge that fetches; the challenge's own problems (expired, too many tries)
    and the account's limit raise ProofFailed at once. Returns the queued row, or None when the
    challenge is already verified."""
    challenge = domain.checkable(application, challenge_id, now)
    if challenge.verified_at is not None:
        return None
    return queue(now, account_id=application.account_id, application_id=application.id, challenge_id=challenge.id)


def latest(application):
    """The application's newest onboarding check, or None."""
    return db.session.scalars(select(DomainCheck).where(DomainCheck.kind == ONBOARDING,
                                                        DomainCheck.application_id == application.id)
                              .order_by(DomainCheck.id.desc()).limit(1)).first()


def latest_of(kind, subject_id):
    """The newest job of `kind` on one subject (a change, a rating request), or None."""
    return db.session.scalars(select(DomainCheck).where(DomainCheck.kind == kind, DomainCheck.subject_id == subject_id)
                              .order_by(DomainCheck.id.desc()).limit(1)).first()


def progress(check, next_url):
    """The JSON a page polls while a job runs (static/onboarding-domain.js): its state and where to go once done."""
    response = jsonify(state=SHOWN[check.state], verified=bool(check.verified), next=next_url)
    response.headers["Cache-Control"] = "no-store"
    return response


def _due(now):
    return or_(DomainCheck.state == QUEUED, and_(DomainCheck.state == RUNNING, DomainCheck.lease_until <= now))


def claim(now, limit):
    """Up to `limit` due checks leased to this worker, as (id, runs) pairs; a lapsed lease is due again."""
    session = db.session
    candidates = select(DomainCheck.id).where(_due(now)).order_by(DomainCheck.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = session.scalars(candidates).all()
    if not ids:
        session.commit()
        return []
    claimed = session.execute(
        update(DomainCheck).where(DomainCheck.id.in_(ids), _due(now))
        .values(state=RUNNING, started_at=now, lease_until=now + LEASE, runs=DomainCheck.runs + 1)
        .returning(DomainCheck.id, DomainCheck.runs).execution_options(synchronize_session=False)).all()
    session.commit()
    return sorted((row.id, row.runs) for row in claimed)


def run(check_id, runs, now):
    """Run one claimed check (`runs` is the claim it holds) and record its result; returns the row or None."""
    row = db.session.get(DomainCheck, check_id)
    if row is None or row.state != RUNNING or row.runs != runs:
        db.session.rollback()
        return None
    job = (row.kind, row.subject_id, row.application_id, row.challenge_id)
    verified, message, variables = False, GAVE_UP, None
    if runs <= MAX_RUNS:
        try:
            verified, message, variables = _perform(*job, now)
        except proof.ProofFailed as failure:
            message, variables = failure.message, failure.variables or None
        except NotEditable as refused:
            message = refused.message
        except Exception:  # noqa: BLE001 - the owner gets "try again", the operator the traceback
            current_app.logger.exception("domain check %s failed", check_id)
        db.session.rollback()  # the job committed what it decided; drop anything left half-done
    finished = db.session.execute(
        update(DomainCheck).where(DomainCheck.id == check_id, DomainCheck.state == RUNNING, DomainCheck.runs == runs)
        .values(state=DONE, slot=None, lease_until=None, finished_at=now, verified=verified,
                message=message, variables=variables).execution_options(synchronize_session=False))
    db.session.commit()
    return db.session.get(DomainCheck, check_id) if finished.rowcount else None


def _perform(kind, subject_id, application_id, challenge_id, now):
    """Run one job by its kind: (verified, message, variables); a refusal may also raise ProofFailed."""
    if kind == CHANGE:
        from ..changes import service as changes
        from ..changes.models import SealChange
        try:
            changes.check_proof(db.session.get(SealChange, subject_id), now)
        except changes.ChangeError as refused:
            message, variables = next(iter(refused.errors.values()))
            return False, message, variables or None
        return True, None, None
    if kind == HTTPS:
        from ..conformity import service as conformity
        try:
            ok, note = conformity.check_rating_https(subject_id, now=now)
        except conformity.ConformityError as refused:
            message, variables = next(iter(refused.errors.values()))
            return False, message, variables or None
        return ok, note, None
    domain.check(db.session.get(Application, application_id), challenge_id, now)
    return True, None, None


def run_due(now, limit=None):
    """Claim and run due checks one after another at `now`; returns how many ran."""
    count = 0
    while limit is None or count < limit:
        batch = claim(now, 10 if limit is None else min(10, limit - count))
        if not batch:
            break
        for check_id, runs in batch:
            run(check_id, runs, now)
            count += 1
    return count


def queued_since():
    """The newest queued check's time (the test client runs checks as of then), or None."""
    return db.session.scalar(select(func.max(DomainCheck.requested_at)).where(DomainCheck.state == QUEUED))


class Runner:
    """Checks run on their own threads in the worker, so a slow site never holds up emails and SMS."""

    def __init__(self, app, threads):
        self.app, self.threads = app, max(1, threads)
        self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="domain-check")
        self.running = set()

    def fill(self, now):
        """Claim as many due checks as there are free threads; returns how many started."""
        self.running = {future for future in self.running if not future.done()}
        free = self.threads - len(self.running)
        if free <= 0:
            return 0
        claimed = claim(now, free)
        for check_id, runs in claimed:
            self.running.add(self.pool.submit(self._run, check_id, runs, now))
        return len(claimed)

    def _run(self, check_id, runs, now):
        with self.app.app_context():
            try:
                run(check_id, runs, now)
            except Exception:  # noqa: BLE001 - e.g. the database went away: the lease brings it back later
                current_app.logger.exception("domain check %s could not be recorded", check_id)
            finally:
                db.session.remove()

    def close(self):
        self.pool.shutdown(wait=True)
