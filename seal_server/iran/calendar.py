"""Dates for people: Jalali for Persian readers, Gregorian beside it."""
from datetime import timedelta, timezone

import jdatetime

from .digits import to_persian_digits

TEHRAN = timezone(timedelta(hours=3, minutes=30))

JALALI_MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)


def jalali_date(moment):
    """'۲ آذر ۱۴۰۵' for an aware datetime, in Tehran time."""
    local = moment.astimezone(TEHRAN)
    j = jdatetime.date.fromgregorian(date=local.date())
    return to_persian_digits(f"{j.day} {JALALI_MONTHS[j.month - 1]} {j.year}")


def jalali_numeric(moment):
    """'1405/09/02' in Latin digits (English pages show the Jalali date too)."""
    local = moment.astimezone(TEHRAN)
    j = jdatetime.date.fromgregorian(date=local.date())
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def gregorian_date(moment):
    """'2026-11-23' in Tehran time."""
    return moment.astimezone(TEHRAN).date().isoformat()
