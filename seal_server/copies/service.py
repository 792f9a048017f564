"""Copy detection's use cases: add counts to the table, raise one fake-seal report per (seal, host)
over the threshold, and list sightings for the owner's panel and the staff console."""
import logging
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import func, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..events import emit
from ..extensions import db
from ..seals.models import Seal
from . import rules
from .models import CopyBatch, CopySighting

log = logging.getLogger(__name__)
CHUNK = 500
FAKE_SEAL = "fake_seal"  # conformity.models.VIOLATION_KINDS
LIST_LIMIT = 200
_FLUSH_LOCK = 0x5EA1C0B1  # pg_advisory_xact_lock key of copy-count flushes and pruning


def _chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _serialise():
    """Make this transaction the only flush or prune of copy counts until it commits, so the rows a seal
    already has are counted right when deciding what to fold. PostgreSQL: a transaction-scoped advisory
    lock, taken before any row lock (so no deadlock with the upserts). SQLite: a write statement that
    matches nothing takes the database's write lock before anything is read."""
    table = CopySighting.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FLUSH_LOCK})
    else:
        db.session.execute(table.update().where(table.c.seal_id == -1).values(count=table.c.count))


def _fold(merged, cap, threshold):
    """Redirect new hosts past `cap` rows per seal into the seal's OTHER_SITES row (set-based: one grouped
    count of the seals' rows, and for seals that could overflow, one lookup of which incoming hosts exist)."""
    table = CopySighting.__table__
    incoming = {}
    for seal_id, host in merged:
        incoming.setdefault(seal_id, []).append(host)
    have = {}
    for chunk in _chunks(sorted(incoming)):
        have.update(db.session.execute(select(table.c.seal_id, func.count()).where(
            table.c.seal_id.in_(chunk), table.c.host != rules.OTHER_SITES).group_by(table.c.seal_id)).all())
    crowded = [seal_id for seal_id, hosts in incoming.items() if have.get(seal_id, 0) + len(hosts) > cap]
    if not crowded:
        return merged
    keys = [(seal_id, host) for seal_id in sorted(crowded) for host in incoming[seal_id] if host != rules.OTHER_SITES]
    known = set()
    for chunk in _chunks(keys):
        known.update(db.session.execute(select(table.c.seal_id, table.c.host).where(
            tuple_(table.c.seal_id, table.c.host).in_(chunk))).all())
    folded = dict(merged)
    for seal_id in crowded:
        newcomers = {host: merged[(seal_id, host)][0] for host in incoming[seal_id]
                     if host != rules.OTHER_SITES and (seal_id, host) not in known}
        kept = rules.hosts_kept(cap - have.get(seal_id, 0), newcomers, threshold)
        for host in newcomers.keys() - kept:
            count, first, last = folded.pop((seal_id, host))
            other = folded.setdefault((seal_id, rules.OTHER_SITES), [0, first, last])
            other[0] += count
            other[1], other[2] = min(other[1], first), max(other[2], last)
    return folded


def add_counts(rows, *, batch=None, now=None):
    """Add sightings [(public_id, host, count, first_seen, last_seen)] to the table with set-based upserts
    (counts added, earliest first_seen, latest last_seen) and commit. A seal keeps at most
    SEAL_COPY_HOSTS_PER_SEAL hosts of its own: new hosts past that are added to its OTHER_SITES row
    (rows it has, and hosts at the report threshold, are never folded). Flushes are serialised (`_serialise`),
    so two at once add both and the cap holds. With `batch`, its id is recorded in the same transaction: a
    batch already recorded adds nothing (returns None). Returns the rows added to."""
    if batch is not None:
        db.session.add(CopyBatch(id=batch, flushed_at=now))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return None
    _serialise()
    ids = {}
    for chunk in _chunks(sorted({row[0] for row in rows})):
        ids.update(db.session.execute(select(Seal.public_id, Seal.id).where(Seal.public_id.in_(chunk))).all())
    merged = {}
    for public_id, host, count, first, last in rows:
        seal_id = ids.get(public_id)
        if seal_id is None:
            continue  # a seal deleted since (or a stray id): nothing to add to
        entry = merged.setdefault((seal_id, host), [0, first, last])
        entry[0] += count
        entry[1], entry[2] = min(entry[1], first), max(entry[2], last)
    config = current_app.config
    merged = _fold(merged, config["SEAL_COPY_HOSTS_PER_SEAL"], config["SEAL_COPY_REPORT_THRESHOLD"])
    values = [{"seal_id": seal_id, "host": host, "count": count, "first_seen": first, "last_seen": last}
              for (seal_id, host), (count, first, last) in sorted(merged.items())]  # one lock order for everyone
    table = CopySighting.__table__
    postgres = db.session.get_bind().dialect.name == "postgresql"
    insert, earliest, latest = (postgresql.insert, func.least, func.greatest) if postgres \
        else (sqlite.insert, func.min, func.max)
    for chunk in _chunks(values):
        stmt = insert(table).values(chunk)
        db.session.execute(stmt.on_conflict_do_update(index_elements=[table.c.seal_id, table.c.host], set_={
            "count": table.c.count + stmt.excluded.count,
            "first_seen": earliest(table.c.first_seen, stmt.excluded.first_seen),
            "last_seen": latest(table.c.last_seen, stmt.excluded.last_seen),
        }))
    db.session.commit()
    return len(values)


def prune(now, retention_days, threshold):
    """Let go of small sightings (under rules.prune_below) last seen more than `retention_days` ago, in one
    set-based delete; one that raised a report stays while the report exists. Returns how many went."""
    table = CopySighting.__table__
    _serialise()
    gone = db.session.execute(table.delete().where(
        table.c.count < rules.prune_below(threshold), table.c.last_seen < now - timedelta(days=retention_days),
        table.c.report_id.is_(None))).rowcount
    db.session.commit()
    return gone


def add_counts_in(app, rows):
    """add_counts from a thread of its own (the flush timer) or inside the app's context (tick)."""
    if has_app_context() and current_app._get_current_object() is app:
        return add_counts(rows)
    with app.app_context():
        try:
            return add_counts(rows)
        finally:
            db.session.remove()


def drain_redis(counts, now):
    """Add every batch waiting in Redis to the table, each exactly once; returns (batches, rows)."""
    redis = counts.redis
    try:
        batches = redis.drain()
    except redis.errors as error:
        redis.outage.down(error)
        return 0, 0
    added = 0
    for batch, rows in batches:
        done = add_counts(rows, batch=batch, now=now)
        added += done or 0
        try:
            redis.forget(batch)  # added now, or by an earlier tick that could not forget it
        except redis.errors as error:
            redis.outage.down(error)  # the batch id in the table keeps a retry from adding it twice
    return len(batches), added


def _description(sighting):
    return (f"The seal was shown on {sighting.host}, which is not the seal's site, {sighting.count} times "
            f"between {sighting.first_seen:%Y-%m-%d} and {sighting.last_seen:%Y-%m-%d} (copy detection).\n"
            f"نماد این فروشگاه {sighting.count} بار روی {sighting.host} نمایش داده شد که سایت این نماد نیست "
            "(تشخیص نماد کپی‌شده).")


def report_copies(now, threshold):
    """One fake-seal violation report (reporter: the system) and one owner event per (seal, host) whose count
    reached `threshold`; a compare-and-set on the sighting makes it one even when two ticks run at once."""
    from ..conformity.service import add_violation_report

    table = CopySighting.__table__
    due = db.session.execute(select(CopySighting.seal_id, CopySighting.host).where(
        CopySighting.reported_at.is_(None), CopySighting.count >= threshold, CopySighting.host != rules.OTHER_SITES)
        .order_by(CopySighting.seal_id, CopySighting.host).limit(LIST_LIMIT)).all()
    db.session.rollback()
    reports = 0
    for seal_id, host in due:
        claimed = db.session.execute(table.update().where(
            table.c.seal_id == seal_id, table.c.host == host, table.c.reported_at.is_(None))
            .values(reported_at=now))
        if claimed.rowcount != 1:
            db.session.rollback()
            continue
        sighting = db.session.scalars(select(CopySighting).where(
            CopySighting.seal_id == seal_id, CopySighting.host == host)
            .execution_options(populate_existing=True)).one()
        report = add_violation_report(sighting.seal, FAKE_SEAL, _description(sighting), now=now)
        sighting.report_id = report.id
        emit("seal.copy_detected", sighting.seal, {"copy": {
            "host": host, "count": sighting.count, "first_seen": sighting.first_seen.isoformat(),
            "last_seen": sighting.last_seen.isoformat(), "report": report.tracking_code}},
             "system", now=now, after={"host": host, "report": report.id}, dedupe_key=f"copy:{seal_id}:{host}")
        db.session.commit()
        reports += 1
    return reports


def sweep(now):
    """tick's step: this process's counts and Redis's batches into the table, then the reports."""
    counts = current_app.extensions["seal_copies"]
    keys = counts.flush()
    batches = rows = 0
    if counts.redis is not None:
        batches, rows = drain_redis(counts, now)
    config = current_app.config
    threshold = config["SEAL_COPY_REPORT_THRESHOLD"]
    return {"keys": keys, "batches": batches, "rows": rows, "dropped": counts.dropped_total,
            "reports": report_copies(now, threshold),
            "pruned": prune(now, config["SEAL_COPY_RETENTION_DAYS"], threshold)}


def sightings_of(seal, limit=LIST_LIMIT):
    """Where this one seal was shown, most often first; the other sites counted together last."""
    return db.session.scalars(select(CopySighting).where(CopySighting.seal_id == seal.id)
                              .order_by(CopySighting.host == rules.OTHER_SITES, CopySighting.count.desc(),
                                        CopySighting.host).limit(limit)).all()


def over_threshold(threshold, limit=LIST_LIMIT):
    """Sightings of every seal at or over `threshold`, most often first (the staff console's list)."""
    return db.session.scalars(select(CopySighting).join(Seal).where(CopySighting.count >= threshold)
                              .order_by(CopySighting.count.desc(), CopySighting.seal_id, CopySighting.host)
                              .limit(limit)).all()
