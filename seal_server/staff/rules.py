"""Pure review rules: working days in Tehran and the seed's expectations for a submitted application.

Seed: documents are checked in about 3 working days; the whole seal takes 7 to 10 days when the
documents are complete. Iran's working week runs Saturday to Wednesday (Thursday and Friday off).
"""
from datetime import timedelta

from ..iran.calendar import TEHRAN

DOCUMENTS_WORKING_DAYS = 3
SEAL_DAYS = 10
WEEKEND = (3, 4)  # Thursday, Friday (Monday = 0)
MIN_REASON = 5


def working_days_between(start, end):
    """Whole working days (Saturday to Wednesday, Tehran time) after `start`'s day up to `end`'s day."""
    first, last = start.astimezone(TEHRAN).date(), end.astimezone(TEHRAN).date()
    days, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if day.weekday() not in WEEKEND:
            days += 1
    return days


def review_clock(submitted_at, now):
    """Age of a submitted application against the seed's expectations."""
    working = working_days_between(submitted_at, now)
    calendar_days = (now - submitted_at).days
    return {
        "working_days": working,
        "days": calendar_days,
        "documents_overdue": working > DOCUMENTS_WORKING_DAYS,
        "seal_overdue": calendar_days > SEAL_DAYS,
    }


def clean_reason(text, limit=500):
    """A reviewer's reason, one paragraph; None when too short to tell the owner anything."""
    reason = " ".join((text or "").split())[:limit]
    return reason if len(reason) >= MIN_REASON else None
