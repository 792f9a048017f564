"""The complaint clock: a pure function of (confirmed_at, answered_at, now). No Flask, no database.

Once the bank confirms the transaction the business has 72 hours to answer; each missed
window adds one non-response and opens the next (48 hours, then 24). An answer stops the
clock. A business with five or more non-responses on unanswered complaints is held.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

WINDOWS = (timedelta(hours=72), timedelta(hours=48), timedelta(hours=24))
MAX_NON_RESPONSES = len(WINDOWS)
HOLD_AT = 5


def deadlines(confirmed_at):
    """The end of each window, in order: 72 h, 120 h and 144 h after confirmation."""
    ends, end = [], confirmed_at
    for window in WINDOWS:
        end = end + window
        ends.append(end)
    return tuple(ends)


@dataclass(frozen=True)
class Reading:
    non_responses: int  # windows that ended without an answer (0 to 3)
    deadline: Optional[datetime]  # end of the window now running; None once answered or after the last
    answered_on_time: Optional[bool]  # None while unanswered
    escalable: bool  # the six days passed unanswered: the buyer may go to a competent body or arbitration


def read(confirmed_at, answered_at, now):
    """Where one complaint's clock stands at `now`; an answer given after `now` is not yet known."""
    if answered_at is not None and answered_at > now:
        answered_at = None
    stop = answered_at if answered_at is not None else now
    ends = deadlines(confirmed_at)
    missed = sum(1 for end in ends if end <= stop)
    running = None if answered_at is not None or missed == len(ends) else ends[missed]
    return Reading(
        non_responses=missed,
        deadline=running,
        answered_on_time=None if answered_at is None else missed == 0,
        escalable=answered_at is None and missed == len(ends),
    )


def unanswered_non_responses(clocks, now):
    """The non-responses that count towards the hold: those of complaints still unanswered at `now`.

    `clocks` is an iterable of (confirmed_at, answered_at) pairs.
    """
    total = 0
    for confirmed_at, answered_at in clocks:
        reading = read(confirmed_at, answered_at, now)
        if reading.answered_on_time is None:
            total += reading.non_responses
    return total


def held(count):
    """True when a business with `count` unanswered non-responses must be suspended."""
    return count >= HOLD_AT
