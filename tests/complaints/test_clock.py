"""The pure complaint clock, checked with hypothesis."""
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from seal_server.complaints import clock

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
hours = st.integers(min_value=0, max_value=24 * 30)
instants = hours.map(lambda h: START + timedelta(hours=h, minutes=h % 60))
answers = st.one_of(st.none(), instants)
complaints = st.lists(st.tuples(instants, answers), max_size=12)


def test_the_seed_windows():
    assert clock.deadlines(START) == (START + timedelta(hours=72), START + timedelta(hours=120),
                                      START + timedelta(hours=144))
    assert clock.read(START, None, START + timedelta(hours=71)).non_responses == 0
    assert clock.read(START, None, START + timedelta(hours=72)) == clock.Reading(
        1, START + timedelta(hours=120), None, False)
    assert clock.read(START, None, START + timedelta(hours=144)) == clock.Reading(3, None, None, True)
    assert clock.read(START, START + timedelta(hours=10), START + timedelta(days=9)) == clock.Reading(
        0, None, True, False)
    assert clock.read(START, START + timedelta(hours=80), START + timedelta(days=9)).answered_on_time is False


@given(instants, answers, instants)
def test_never_more_than_three_non_responses(confirmed_at, answered_at, now):
    reading = clock.read(confirmed_at, answered_at, now)
    assert 0 <= reading.non_responses <= clock.MAX_NON_RESPONSES
    assert reading.deadline is None or reading.deadline > now


@given(instants, answers, instants, instants)
def test_the_count_never_falls_as_time_passes(confirmed_at, answered_at, now, later):
    now, later = sorted((now, later))
    assert clock.read(confirmed_at, answered_at, now).non_responses <= \
        clock.read(confirmed_at, answered_at, later).non_responses


@given(complaints, instants)
def test_held_exactly_when_five_or_more_are_unanswered(clocks, now):
    unanswered = [clock.read(c, a, now).non_responses for c, a in clocks
                  if a is None or a > now]
    count = clock.unanswered_non_responses(clocks, now)
    assert count == sum(unanswered)
    assert clock.held(count) == (sum(unanswered) >= 5)


@given(complaints, instants, st.integers(min_value=0, max_value=11))
def test_answering_can_only_lower_the_count(clocks, now, which):
    if not clocks:
        return
    which %= len(clocks)
    before = clock.unanswered_non_responses(clocks, now)
    answered = [(c, now if i == which and a is None else a) for i, (c, a) in enumerate(clocks)]
    assert clock.unanswered_non_responses(answered, now) <= before
