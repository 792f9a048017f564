"""The one source of "now": services take `now` as an argument, callers get it here."""
from datetime import datetime, timezone


def utcnow():
    return datetime.now(timezone.utc)


def parse_iso(value):
    """Parse an ISO 8601 timestamp; a value without offset is taken as UTC."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment
