"""Pure rules of conformity: licence dates, expiry notices and the star criteria. No Flask here."""
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import jdatetime

from ..iran.digits import to_latin_digits
from ..marks import N_

PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"
LICENCE_STATUSES = (PENDING, VERIFIED, REJECTED)
EXPIRY_NOTICE_DAYS = 30

BASIC, ADVANCED = "basic", "advanced"
LEVEL_CAPS = {BASIC: 3, ADVANCED: 5}
NOTICE_DAYS = 14  # a star whose ground is lost is taken back after this notice
RATING_ANSWER_DAYS = 14


def parse_jalali_day(text):
    """A Gregorian date from 'YYYY/MM/DD' in the Jalali calendar (any digits), or ValueError with a msgid."""
    parts = re.split(r"[/\-.\s]+", to_latin_digits(text or "").strip())
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError(N_("Enter the date as year/month/day in the Jalali calendar, such as 1403/05/21."))
    year, month, day = (int(part) for part in parts)
    if year < 1300 or year > 1600:
        raise ValueError(N_("Write the year with four digits, such as 1403."))
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        raise ValueError(N_("This date does not exist in the Jalali calendar.")) from None


def licence_dates_error(valid_from, valid_to, today):
    """The msgid that says what is wrong with a licence's validity, or None."""
    if valid_to <= valid_from:
        return N_("A licence must end after it starts.")
    if valid_to < today:
        return N_("This licence has already expired; add a current one.")
    return None


def licence_counts(status, valid_to, today):
    """A licence counts (for the 4th star and on the record) while verified and not expired."""
    return status == VERIFIED and valid_to is not None and valid_to >= today


def needs_expiry_notice(status, valid_to, today, notice_sent, days=EXPIRY_NOTICE_DAYS):
    """True once, when a verified licence comes within `days` of its end."""
    return (not notice_sent and licence_counts(status, valid_to, today)
            and valid_to - today <= timedelta(days=days))


@dataclass(frozen=True)
class StarFacts:
    """What the star criteria look at; gathered by the service, judged here."""

    https_ok: bool = False  # a valid certificate chain for the domain, not expiring within 14 days
    long_activity: bool = False  # staff accepted evidence of more than five years of activity
    licences_counting: int = 0  # verified, unexpired licences
    sealed_days: int = 0
    unanswered_complaints: int = 0
    answer_rate: Optional[float] = None  # answered / due complaints; None when none were due
    nonconformities_open: int = 0


@dataclass(frozen=True)
class Thresholds:
    good_service_days: int = 730
    good_service_answer_rate: float = 0.95


def good_service(facts, thresholds=Thresholds()):
    """The 5th star's ground: long sealed, no unanswered complaint, answering well, nothing open."""
    rate_ok = facts.answer_rate is None or facts.answer_rate >= thresholds.good_service_answer_rate
    return (facts.sealed_days >= thresholds.good_service_days and facts.unanswered_complaints == 0
            and rate_ok and facts.nonconformities_open == 0)


def criteria(facts, thresholds=Thresholds()):
    """[(star, met)] for stars 2 to 5, in order."""
    return [
        (2, facts.https_ok),
        (3, facts.long_activity),
        (4, facts.licences_counting > 0),
        (5, good_service(facts, thresholds)),
    ]


def earned_stars(facts, cap=5, thresholds=Thresholds()):
    """Stars the facts justify, up to `cap`: one on issue, then each star needs every one before it."""
    stars = 1
    for star, met in criteria(facts, thresholds):
        if not met or star > cap:
            break
        stars = star
    return stars


def stars_to_withdraw(current, facts, thresholds=Thresholds()):
    """How many stars the seal keeps when its grounds are checked again (never more than it has)."""
    return min(current, earned_stars(facts, 5, thresholds)) if current > 0 else current


def withdrawal_due(noticed_at, now, days=NOTICE_DAYS):
    return noticed_at is not None and now >= noticed_at + timedelta(days=days)


def rating_due(requested_at, days=RATING_ANSWER_DAYS):
    return requested_at + timedelta(days=days)


CERTIFICATE_MIN_DAYS = 14


def certificate_ok(not_after, now, min_days=CERTIFICATE_MIN_DAYS):
    """A certificate earns the second star while it has more than `min_days` left."""
    return not_after - now > timedelta(days=min_days)


# non-conformities: the seed's three levels
NC_LEVEL_TITLES = {
    1: N_("Level 1: incomplete product details, or violation reports"),
    2: N_("Level 2: unclear returns, refunds, delivery time, support, contact ways or hours"),
    3: N_("Level 3: no licence for the goods or service"),
}


def may_suspend_for(level, deadline, now, status):
    """Staff may suspend a seal for a non-conformity only when it is level 3, unresolved and past its deadline."""
    return level == 3 and status != "closed" and now > deadline


# violation reports
VIOLATION_TITLES = {
    "illegal_goods": N_("Illegal goods or services"),
    "fraud": N_("Fraud"),
    "fake_seal": N_("A fake or copied seal"),
    "other": N_("Something else"),
}
WORK_BITS = 12  # about 4,000 hashes in the reporter's browser: nothing for a person, a cost for a flood
CHALLENGE_MAX_AGE = 3600


def work_ok(challenge, nonce, bits=WORK_BITS):
    """True when sha256("<challenge>:<nonce>") starts with `bits` zero bits."""
    import hashlib

    if not isinstance(nonce, str) or not nonce.isdigit() or len(nonce) > 12:
        return False
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    return int.from_bytes(digest, "big") >> (256 - bits) == 0
