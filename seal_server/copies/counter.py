"""Counting where seals are shown, with no database on the request path.

Each process counts in memory (`MemoryCounts`: at most SEAL_COPY_MAX_KEYS distinct (seal, host)
keys; what does not fit is dropped and counted). A timer thread in the process, off the request
path, hands the counts on at most every SEAL_COPY_FLUSH_SECONDS: to Redis when SEAL_REDIS_URL is
set (`RedisCounts`; tick drains Redis into the database), else straight into the database. While
Redis is unreachable the counts go to the database instead; the outage and the recovery are
logged once each. A process that exits gracefully (atexit, gunicorn's worker_exit) hands on what
it holds first. tick hands on its own process's counts too.
"""
import atexit
import logging
import os
import threading
import uuid
import weakref
from datetime import datetime, timezone

from sqlalchemy.exc import SQLAlchemyError

from ..seals.bus import OutageLog
from ..seals.rules import referer_host
from . import rules

log = logging.getLogger(__name__)
REDIS_TTL = 7 * 86400  # a safety: counts nobody drains for a week are let go
_live = weakref.WeakSet()  # every app's counter in this process, for the exit flush


class MemoryCounts:
    """{(public_id, host): [count, first_seen, last_seen]} behind a lock, bounded in keys."""

    def __init__(self, max_keys):
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._counts = {}
        self.dropped = 0

    def add(self, public_id, host, now, count=1, first=None):
        key = (public_id, host)
        with self._lock:
            entry = self._counts.get(key)
            if entry is None:
                if len(self._counts) >= self.max_keys:
                    self.dropped += count
                    return
                self._counts[key] = [count, first or now, now]
            else:
                entry[0] += count
                if first is not None and first < entry[1]:
                    entry[1] = first
                if now > entry[2]:
                    entry[2] = now

    def take(self):
        """Everything counted so far, and how many sightings were dropped; the counter starts again empty."""
        with self._lock:
            counts, self._counts = self._counts, {}
            dropped, self.dropped = self.dropped, 0
        return counts, dropped

    def put_back(self, counts):
        """Return counts that could not be handed on (kept for the next flush, within the bound)."""
        for (public_id, host), (count, first, last) in counts.items():
            self.add(public_id, host, last, count, first)

    def __len__(self):
        return len(self._counts)


def _epoch(moment):
    return moment.timestamp()


def _moment(seconds):
    return datetime.fromtimestamp(float(seconds), timezone.utc)


# Moves the live keys aside under a batch name in one step, so counts pushed later start new keys.
_DRAIN = """
if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('rename', KEYS[1], KEYS[4])
redis.call('rename', KEYS[2], KEYS[5])
redis.call('rename', KEYS[3], KEYS[6])
redis.call('sadd', KEYS[7], ARGV[1])
for i = 4, 6 do redis.call('expire', KEYS[i], ARGV[2]) end
redis.call('expire', KEYS[7], ARGV[2])
return 1
"""


class RedisCounts:
    """Counts in Redis, shared by every process: a hash of counts and two sorted sets (first and last seen,
    in Unix seconds), each field "public_id host". Pushes add in one transaction; `drain` moves them to a
    batch that tick adds to the database exactly once (the batch id is recorded in the same transaction)."""

    def __init__(self, url):
        import redis

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        db_number = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.prefix = f"seal:copies:{db_number}"
        self.outage = OutageLog("Redis at SEAL_REDIS_URL is unreachable (%s): copy counts go to the database "
                                "from each process until it is back",
                                "Redis is reachable again: copy counts go through Redis again", log)
        self._drain = self.client.register_script(_DRAIN)

    def _keys(self, batch=None):
        base = f"{self.prefix}:batch:{batch}" if batch else f"{self.prefix}:live"
        return [f"{base}:counts", f"{base}:first", f"{base}:last"]

    def push(self, counts):
        """Add counts; False (and the outage logged once) when Redis cannot take them."""
        counts_key, first_key, last_key = self._keys()
        try:
            with self.client.pipeline(transaction=True) as pipe:
                for (public_id, host), (count, first, last) in counts.items():
                    field = f"{public_id} {host}"
                    pipe.hincrby(counts_key, field, count)
                    pipe.zadd(first_key, {field: _epoch(first)}, lt=True)
                    pipe.zadd(last_key, {field: _epoch(last)}, gt=True)
                for key in (counts_key, first_key, last_key):
                    pipe.expire(key, REDIS_TTL)
                pipe.execute()
        except self.errors as error:
            self.outage.down(error)
            return False
        self.outage.up()
        return True

    def drain(self):
        """Move the live counts to a new batch; every batch not yet added ([(batch id, rows)], rows as
        (public_id, host, count, first_seen, last_seen)), including ones an earlier tick left half-done."""
        batch = uuid.uuid4().hex
        pending = f"{self.prefix}:batches"
        self._drain(keys=[*self._keys(), *self._keys(batch), pending], args=[batch, REDIS_TTL])
        found = []
        for name in sorted(member.decode() for member in self.client.smembers(pending)):
            counts_key, first_key, last_key = self._keys(name)
            with self.client.pipeline(transaction=False) as pipe:
                pipe.hgetall(counts_key)
                pipe.zrange(first_key, 0, -1, withscores=True)
                pipe.zrange(last_key, 0, -1, withscores=True)
                counts, firsts, lasts = pipe.execute()
            firsts, lasts = dict(firsts), dict(lasts)
            rows = []
            for field, count in counts.items():
                public_id, _, host = field.decode().partition(" ")
                if field in firsts and field in lasts:
                    rows.append((public_id, host, int(count), _moment(firsts[field]), _moment(lasts[field])))
            found.append((name, rows))
        return found

    def forget(self, batch):
        """The batch is in the database: drop it from Redis."""
        with self.client.pipeline(transaction=True) as pipe:
            pipe.srem(f"{self.prefix}:batches", batch)
            pipe.delete(*self._keys(batch))
            pipe.execute()


class CopyCounts:
    """One per app: counts sightings on the request path and hands them on off it."""

    def __init__(self, app):
        config = app.config
        self.app = app
        self.own_host = referer_host(config["SEAL_BASE_URL"])
        self.memory = MemoryCounts(config["SEAL_COPY_MAX_KEYS"])
        self.interval = config["SEAL_COPY_FLUSH_SECONDS"]
        self.redis = RedisCounts(config["SEAL_REDIS_URL"]) if config.get("SEAL_REDIS_URL") else None
        self.database = OutageLog("Copy counts could not be written to the database (%s): kept in memory "
                                  "and tried again", "Copy counts reach the database again", log)
        self.dropped_total = 0
        self._timer_pid = None
        self._timer_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        _live.add(self)

    def note(self, public_id, seal_domain, referer, now):
        """Count one badge or verification request for this seal when its Referer is another site. No I/O."""
        if not referer:
            return
        host = rules.counted_host(referer, seal_domain, self.own_host)
        if host is None:
            return
        self.memory.add(public_id, host, now)
        if self._timer_pid != os.getpid():
            self._start_timer()

    def _start_timer(self):
        if self.interval <= 0:
            return
        with self._timer_lock:
            if self._timer_pid == os.getpid():
                return
            if self._timer_pid is not None:  # a forked child: what the parent counted is the parent's to flush
                self.memory.take()
            self._timer_pid = os.getpid()
            threading.Thread(target=self._run, name="seal-copy-counts", daemon=True).start()

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # the timer must outlive any one failure; the counts were put back
                log.exception("copy counts: flush failed")

    def stop(self):
        self._stop.set()

    def flush(self):
        """Hand this process's counts on (to Redis, else the database); returns how many keys went."""
        from . import service

        with self._flush_lock:
            counts, dropped = self.memory.take()
            if dropped:
                self.dropped_total += dropped
                log.warning("copy counts: %d sightings dropped (more than SEAL_COPY_MAX_KEYS=%d hosts "
                            "between two flushes)", dropped, self.memory.max_keys)
            if not counts:
                return 0
            if self.redis is not None and self.redis.push(counts):
                return len(counts)
            rows = [(public_id, host, count, first, last)
                    for (public_id, host), (count, first, last) in counts.items()]
            try:
                service.add_counts_in(self.app, rows)
            except SQLAlchemyError as error:  # the database is down or busy: keep the counts for next time
                self.memory.put_back(counts)
                self.database.down(error)
                return 0
            self.database.up()
            return len(counts)


def flush_all():
    """Hand on every app's counts in this process (gunicorn's worker_exit, atexit)."""
    for counts in list(_live):
        try:
            counts.flush()
        except Exception:  # noqa: BLE001  (exiting: log and go on)
            log.exception("copy counts: flush at exit failed")


atexit.register(flush_all)


def init_app(app):
    app.extensions["seal_copies"] = CopyCounts(app)
