"""Pure rules of a seal's renewal: the window, the new period in Jalali years, the conditions.

No Flask, no database. Every date is computed in Tehran time, where the owner lives.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import jdatetime

from ..iran.calendar import TEHRAN
from ..marks import N_

WINDOW_DAYS = 30  # renewal opens this many calendar days (Tehran) before expiry
PERIOD_YEARS = 2  # a renewal adds two Jalali years


def tehran_day(moment):
    return moment.astimezone(TEHRAN).date()


def calendar_days_left(expires_at, now):
    """Days from today to the expiry day, both in Tehran: 0 on the day itself, negative after it."""
    return (tehran_day(expires_at) - tehran_day(now)).days


def window_opens_at(expires_at, window_days=WINDOW_DAYS):
    """The first moment renewal is open: the start of the Tehran day `window_days` before the expiry day."""
    day = tehran_day(expires_at) - timedelta(days=window_days)
    return datetime(day.year, day.month, day.day, tzinfo=TEHRAN)


def window_open(expires_at, now, window_days=WINDOW_DAYS):
    """Open from `window_days` calendar days before expiry, and for good after it."""
    return now >= window_opens_at(expires_at, window_days)


def add_jalali_years(moment, years):
    """The same Jalali day and Tehran clock time `years` later.

    30 Esfand of a leap year has no twin in a common year: the period then ends on
    1 Farvardin after it, the day that follows 29 Esfand, so no day is lost.
    """
    local = moment.astimezone(TEHRAN)
    j = jdatetime.date.fromgregorian(date=local.date())
    year = j.year + years
    if j.month == 12 and j.day == 30 and not jdatetime.date(year, 1, 1).isleap():
        target = jdatetime.date(year + 1, 1, 1)
    else:
        target = jdatetime.date(year, j.month, j.day)
    day = target.togregorian()
    return datetime(day.year, day.month, day.day, local.hour, local.minute, local.second, local.microsecond,
                    tzinfo=TEHRAN)


def new_period(expires_at, paid_at, years=PERIOD_YEARS):
    """(start, end) of the renewed validity: from the old expiry, or from payment when already expired."""
    start = expires_at if expires_at > paid_at else paid_at
    return start, add_jalali_years(start, years)


@dataclass(frozen=True)
class Condition:
    """One condition of renewal; `why` and `todo` are message ids (with `variables`) when it does not hold."""

    name: str
    title: str
    holds: bool
    why: str = ""
    todo: str = ""
    variables: tuple = ()

    @property
    def values(self):
        return dict(self.variables)


def renewable_status(status, kind):
    """The seal's own state: revoked seals and temporary seals are not renewed."""
    title = N_("The seal can be renewed")
    if status == "revoked":
        return Condition("status", title, False, N_("This seal has been revoked."),
                         N_("A revoked seal cannot be renewed; apply for a new seal."))
    if status == "suspended":
        return Condition("status", title, False, N_("This seal is suspended."),
                         N_("Resolve the reason for the suspension first; renewal opens once the seal is reinstated."))
    if kind == "temporary":
        return Condition("status", title, False, N_("A temporary seal is not renewed."),
                         N_("Apply for a standard seal; it keeps this seal's id."))
    return Condition("status", title, True)


def window(expires_at, now, window_days=WINDOW_DAYS):
    title = N_("Renewal is open")
    if window_open(expires_at, now, window_days):
        return Condition("window", title, True)
    return Condition("window", title, False, N_("Renewal opens %(days)s days before expiry."),
                     N_("Come back from %(date)s."),
                     (("days", window_days), ("date", window_opens_at(expires_at, window_days))))


def licences(expired_titles):
    """Every registered licence must still be valid on the renewal day."""
    title = N_("Licences are still valid")
    if not expired_titles:
        return Condition("licences", title, True)
    return Condition("licences", title, False, N_("These licences have expired: %(titles)s."),
                     N_("Renew them with their issuer and register the new licences with the authority."),
                     (("titles", "، ".join(expired_titles)),))


def commitment(accepted_version, current_version):
    title = N_("The current commitment is accepted")
    if accepted_version == current_version:
        return Condition("commitment", title, True)
    return Condition("commitment", title, False, N_("The commitment has changed since you accepted it."),
                     N_("Read the current commitment below and accept it."))


def blocking(conditions, *, except_commitment=False):
    """The conditions that stop a renewal now (the commitment can be accepted on the same form)."""
    return [c for c in conditions if not c.holds and not (except_commitment and c.name == "commitment")]
