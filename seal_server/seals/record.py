"""A seal's public performance record, gathered from the packages that keep one.

Complaints and reviews register a counter here when they are installed
(`register(name, fn)`); a name with no counter is zero because nothing of
that kind can exist yet.
"""
RECORD_FIELDS = ("complaints_total", "complaints_open", "non_responses", "nonconformities_open",
                 "answered_on_time", "answer_rate")
# a rate has no value until something can be counted; every other field starts at zero
EMPTY = {"answer_rate": None}

_counters = {}


def register(field, counter):
    """`counter(seal) -> int` supplies `field` of every record."""
    if field not in RECORD_FIELDS:
        raise ValueError(f"unknown record field {field!r}")
    _counters[field] = counter


def record_for(seal):
    return {field: (_counters[field](seal) if field in _counters else EMPTY.get(field, 0)) for field in RECORD_FIELDS}
