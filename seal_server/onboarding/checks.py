"""Domain checks off the request path: the owner's "check now" queues a row, the worker runs it.

A check that fetches the owner's site (or asks its DNS) may wait up to the fetcher's timeouts on a
stranger's slow server; run inside the request, a few of them held every thread of a web process.
Now the request only queues a `DomainCheck` (at most SEAL_PROOF_CHECKS_PER_ACCOUNT queued or running
per account, kept by a unique (account, slot) pair so the limit holds across processes), the worker
claims it (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, then a compare-and-set with a lease)
and calls `domain.check`, which still decides the proof, and the page polls the row's state.
The email code method fetches nothing and stays in the request.
"""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..marks import N_
from . import domain, proof
from .models import Application, DomainCheck
from .service import NotEditable

QUEUED, RUNNING, DONE = "queued", "running", "done"
LEASE = timedelta(minutes=2)  # far above the fetcher's timeouts: a lease outlives only a dead worker
MAX_RUNS = 3  # a check whose worker died this many times is given up
BUSY = N_("Your previous ownership check is still running; wait for it to finish.")
GAVE_UP = N_("The check could not be finished; please try again.")

requested = 0  # checks queued by this process (the test client runs them after the request)


def request_check(application, challenge_id, now):
    """Queue a check of a challenge that fetches; the challenge's own problems (expired, too many tries)
    and the account's limit raise ProofFailed at once. Returns the queued row, or None when the
    challenge is already verified."""
    global requested
    challenge = domain.checkable(application, challenge_id, now)
    if challenge.verified_at is not None:
        return None
    per_account = current_app.config["SEAL_PROOF_CHECKS_PER_ACCOUNT"]
    taken = set(db.session.scalars(select(DomainCheck.slot).where(
        DomainCheck.account_id == application.account_id, DomainCheck.slot.is_not(None))))
    free = [slot for slot in range(per_account) if slot not in taken]
    if not free:
        raise proof.ProofFailed(BUSY)
    row = DomainCheck(application_id=application.id, challenge_id=challenge.id, account_id=application.account_id,
                      state=QUEUED, slot=free[0], requested_at=now, runs=0, verified=False)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # another process took the same slot between our look and our insert
        db.session.rollback()
        raise proof.ProofFailed(BUSY) from None
    requested += 1
    return row


def latest(application):
    """The application's newest check, or None."""
    return db.session.scalars(select(DomainCheck).where(DomainCheck.application_id == application.id)
                              .order_by(DomainCheck.id.desc()).limit(1)).first()


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
    application_id, challenge_id = row.application_id, row.challenge_id
    verified, message, variables = False, GAVE_UP, None
    if runs <= MAX_RUNS:
        try:
            domain.check(db.session.get(Application, application_id), challenge_id, now)
            verified, message = True, None
        except proof.ProofFailed as failure:
            message, variables = failure.message, failure.variables or None
        except NotEditable as refused:
            message = refused.message
        except Exception:  # noqa: BLE001 - the owner gets "try again", the operator the traceback
            current_app.logger.exception("domain check %s failed", check_id)
        db.session.rollback()  # domain.check committed what it decided; drop anything left half-done
    finished = db.session.execute(
        update(DomainCheck).where(DomainCheck.id == check_id, DomainCheck.state == RUNNING, DomainCheck.runs == runs)
        .values(state=DONE, slot=None, lease_until=None, finished_at=now, verified=verified,
                message=message, variables=variables).execution_options(synchronize_session=False))
    db.session.commit()
    return db.session.get(DomainCheck, check_id) if finished.rowcount else None


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
