"""Per-worker caches of seal snapshots (the badge) and public records (verification page, API).

A warm badge, verification page or API answer touches no database. Entries live
SEAL_BADGE_CACHE_SECONDS (30 s by default), so a status change made on another
worker shows within that time; the worker that makes a change drops its own
entries at once (`invalidate`, called by seals/service.py after each commit).
"""
import threading

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from . import bus
from .models import Seal
from .rules import SealSnapshot

MISSING = object()


class SnapshotCache:
    def __init__(self, ttl, maxsize=100_000):
        self._entries = TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    def get(self, public_id, load):
        with self._lock:
            found = self._entries.get(public_id, MISSING)
        if found is MISSING:
            found = load(public_id)
            with self._lock:
                self._entries[public_id] = found
        return found

    def peek(self, public_id):
        """The cached entry (None for a known-unknown id), or MISSING."""
        with self._lock:
            return self._entries.get(public_id, MISSING)

    def invalidate(self, public_id):
        with self._lock:
            self._entries.pop(public_id, None)

    def clear(self):
        with self._lock:
            self._entries.clear()


def init_app(app):
    snapshots = app.extensions["seal_snapshots"] = SnapshotCache(ttl=app.config["SEAL_BADGE_CACHE_SECONDS"])
    records = app.extensions["seal_public_records"] = SnapshotCache(ttl=app.config["SEAL_BADGE_CACHE_SECONDS"],
                                                                    maxsize=20_000)

    def drop(public_id):
        snapshots.invalidate(public_id)
        records.invalidate(public_id)

    def clear():
        snapshots.clear()
        records.clear()

    bus.init_app(app, drop, clear)


def _cache():
    return current_app.extensions["seal_snapshots"]


def _load(public_id):
    row = db.session.execute(
        select(
            Seal.public_id, Seal.domain, Seal.serial, Seal.kind,
            Seal.stars, Seal.status, Seal.expires_at,
        ).where(Seal.public_id == public_id)
    ).one_or_none()
    return SealSnapshot(*row) if row is not None else None


def snapshot(public_id):
    """The seal's snapshot, or None for an unknown id."""
    return _cache().get(public_id, _load)


def public_record(public_id):
    """The seal's public record (seals.public.PublicSeal), or None for an unknown id."""
    from .public import load_public_seal

    return current_app.extensions["seal_public_records"].get(public_id, load_public_seal)


def invalidate(public_id):
    """Drop what this process holds of the seal (its snapshot and public record), and tell the others."""
    _cache().invalidate(public_id)
    current_app.extensions["seal_public_records"].invalidate(public_id)
    if current_app.extensions.get("seal_bus") is not None:
        current_app.extensions["seal_bus"].publish(public_id)


def clear_local():
    """Drop every public record this process holds (after a change to many seals' records at once)."""
    current_app.extensions["seal_public_records"].clear()
