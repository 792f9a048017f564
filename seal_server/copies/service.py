"""Copy detection's use cases: add counts to the table, raise one fake-seal report per (seal, host)
over the threshold, and list sightings for the owner's panel and the staff console."""
import logging

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..events import emit
from ..extensions import db
from ..seals.models import Seal
from .models import CopyBatch, CopySighting

log = logging.getLogger(__name__)
CHUNK = 500
FAKE_SEAL = "fake_seal"  # conformity.models.VIOLATION_KINDS
LIST_LIMIT = 200


def _chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def add_counts(rows, *, batch=None, now=None):
    """Add sightings [(public_id, host, count, first_seen, last_seen)] to the table with set-based upserts
    (counts added, earliest first_seen, latest last_seen) and commit. Two flushes at once add both: the
    database's ON CONFLICT ... DO UPDATE serialises them per row. With `batch`, its id is recorded in the
    same transaction: a batch already recorded adds nothing (returns None). Returns the rows added."""
    if batch is not None:
        db.session.add(CopyBatch(id=batch, flushed_at=now))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return None
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
        CopySighting.reported_at.is_(None), CopySighting.count >= threshold)
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
    return {"keys": keys, "batches": batches, "rows": rows, "dropped": counts.dropped_total,
            "reports": report_copies(now, current_app.config["SEAL_COPY_REPORT_THRESHOLD"])}


def sightings_of(seal, limit=LIST_LIMIT):
    """Where this one seal was shown, most often first."""
    return db.session.scalars(select(CopySighting).where(CopySighting.seal_id == seal.id)
                              .order_by(CopySighting.count.desc(), CopySighting.host).limit(limit)).all()


def over_threshold(threshold, limit=LIST_LIMIT):
    """Sightings of every seal at or over `threshold`, most often first (the staff console's list)."""
    return db.session.scalars(select(CopySighting).join(Seal).where(CopySighting.count >= threshold)
                              .order_by(CopySighting.count.desc(), CopySighting.seal_id, CopySighting.host)
                              .limit(limit)).all()
