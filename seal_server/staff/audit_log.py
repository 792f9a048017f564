"""Reading the audit log: search by actor, subject, action and time; CSV export."""
import csv
import io
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..audit import AuditEvent
from ..extensions import db
from ..iran.calendar import TEHRAN
from ..iran.digits import to_latin_digits

COLUMNS = ("id", "at", "actor", "action", "subject_type", "subject_id", "before", "after", "reason", "request_id",
           "ip", "hash")


def _day(text):
    try:
        return datetime.strptime(to_latin_digits(text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


def parse_filters(args):
    """The filters from query arguments; unreadable values are dropped (and reported back)."""
    filters, bad = {}, []
    for name in ("actor", "subject", "action"):
        value = " ".join((args.get(name) or "").split())[:80]
        if value:
            filters[name] = value
    for name in ("from", "to"):
        if args.get(name):
            day = _day(args.get(name))
            if day is None:
                bad.append(name)
            else:
                filters[name] = day
    return filters, bad


def search(filters, *, limit=200):
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    actor = filters.get("actor")
    if actor:
        kind, _, ident = actor.partition(":")
        query = query.where(AuditEvent.actor_kind == kind)
        if ident:
            query = query.where(AuditEvent.actor_id == ident)
    subject = filters.get("subject")
    if subject:
        kind, _, ident = subject.partition(":")
        query = query.where(AuditEvent.subject_type == kind)
        if ident.isdigit():
            query = query.where(AuditEvent.subject_id == int(ident))
    if filters.get("action"):
        query = query.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if filters.get("from"):
        query = query.where(AuditEvent.at >= datetime.combine(filters["from"], time(), TEHRAN))
    if filters.get("to"):
        query = query.where(AuditEvent.at < datetime.combine(filters["to"] + timedelta(days=1), time(), TEHRAN))
    return db.session.scalars(query.limit(limit)).all()


def _cell(value):
    text = "" if value is None else str(value)
    # a spreadsheet runs a cell that starts with = + - @ as a formula: make it plain text
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.at.isoformat() if name == "at" else getattr(row, name)) for name in COLUMNS])
    return out.getvalue()
