"""The fee schedule and invoice lines. Pure: amounts are integer rials, shown in toman."""
from dataclasses import dataclass, fields, replace

from ..iran.digits import to_persian_digits
from ..marks import N_

RIALS_PER_TOMAN = 10


class FeeError(ValueError):
    pass


@dataclass(frozen=True)
class FeeSchedule:
    """Every fee in rials, configurable with SEAL_FEES. The seal and postal-check defaults are the seed
    documents' figures; the seed names no rating fee, so the two rating defaults are this project's own."""

    standard_two_years: int = 175_000 * RIALS_PER_TOMAN
    micro_first_year: int = 50_000 * RIALS_PER_TOMAN
    micro_second_year: int = 125_000 * RIALS_PER_TOMAN
    postal_check: int = 17_000 * RIALS_PER_TOMAN
    rating_basic: int = 100_000 * RIALS_PER_TOMAN
    rating_advanced: int = 250_000 * RIALS_PER_TOMAN

    @classmethod
    def from_toman(cls, overrides):
        """The defaults with some fees replaced, given in toman (as operators think of them)."""
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise FeeError(f"unknown fee {', '.join(sorted(unknown))}; known fees: {', '.join(sorted(known))}")
        values = {}
        for name, toman in overrides.items():
            if isinstance(toman, bool) or not isinstance(toman, int) or toman < 0:
                raise FeeError(f"fee {name} must be a whole, non-negative number of toman")
            values[name] = toman * RIALS_PER_TOMAN
        return replace(cls(), **values)


@dataclass(frozen=True)
class Line:
    """One invoice line; `label` is a message id, translated where it is shown."""

    item: str
    label: str
    amount: int  # rials


@dataclass(frozen=True)
class Instalment:
    """Lines due `due_after_days` after the seal is issued (0: before issue)."""

    due_after_days: int
    lines: tuple


def seal_fee_plan(schedule, *, micro):
    """What a standard seal costs over its two years: one payment, or two for micro businesses."""
    if micro:
        return (
            Instalment(0, (Line("seal-micro-year-1", N_("Trust seal, micro business, first year"),
                                schedule.micro_first_year),)),
            Instalment(365, (Line("seal-micro-year-2", N_("Trust seal, micro business, second year"),
                                  schedule.micro_second_year),)),
        )
    return (Instalment(0, (Line("seal-standard", N_("Trust seal, two years"), schedule.standard_two_years),)),)


def renewal_line(schedule):
    """Two more years of a seal: the seeds' two-year fee (the micro split adds up to the same)."""
    return Line("seal-renewal", N_("Trust seal renewal, two years"), schedule.standard_two_years)


def upgrade_due(schedule, paid):
    """What a gray (micro) or temporary seal still owes to become a one-star seal for its period: the two-year
    fee less the seal fees it already paid (a temporary seal paid none; a gray one its micro instalments)."""
    return max(0, schedule.standard_two_years - paid)


def upgrade_line(schedule, paid):
    return Line("seal-upgrade", N_("One-star seal, the two-year fee less what this seal already paid"),
                upgrade_due(schedule, paid))


def postal_check_line(schedule):
    return Line("postal-check", N_("Postal address verification"), schedule.postal_check)


def rating_line(schedule, level):
    """The fee for a request of more stars: basic (up to 3) or advanced (up to 5)."""
    if level == "basic":
        return Line("rating-basic", N_("Rating request, basic level (up to 3 stars)"), schedule.rating_basic)
    if level == "advanced":
        return Line("rating-advanced", N_("Rating request, advanced level (up to 5 stars)"),
                    schedule.rating_advanced)
    raise FeeError(f"unknown rating level {level!r}")


def total(lines):
    return sum(line.amount for line in lines)


def format_toman(rials, lang="fa"):
    """'۱۷۵٬۰۰۰ تومان' or '175,000 toman'; rials that are not whole toman keep a decimal."""
    toman, rest = divmod(rials, RIALS_PER_TOMAN)
    text = f"{toman:,}" + (f".{rest}" if rest else "")
    if lang == "fa":
        return to_persian_digits(text.replace(",", "٬").replace(".", "٫")) + " تومان"
    return f"{text} toman"
