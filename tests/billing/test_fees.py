import pytest
from hypothesis import given
from hypothesis import strategies as st

from seal_server.billing.fees import (FeeError, FeeSchedule, format_toman, postal_check_line, rating_line,
                                      seal_fee_plan, total)


def test_seed_figures_in_rials():
    fees = FeeSchedule()
    assert fees.standard_two_years == 1_750_000
    assert (fees.micro_first_year, fees.micro_second_year) == (500_000, 1_250_000)
    assert postal_check_line(fees).amount == 170_000


def test_standard_is_one_payment_for_two_years():
    plan = seal_fee_plan(FeeSchedule(), micro=False)
    assert [(i.due_after_days, total(i.lines)) for i in plan] == [(0, 1_750_000)]


def test_micro_splits_into_first_and_second_year():
    plan = seal_fee_plan(FeeSchedule(), micro=True)
    assert [(i.due_after_days, total(i.lines)) for i in plan] == [(0, 500_000), (365, 1_250_000)]
    assert sum(total(i.lines) for i in plan) == FeeSchedule().standard_two_years


def test_rating_levels():
    fees = FeeSchedule()
    assert rating_line(fees, "basic").amount < rating_line(fees, "advanced").amount
    with pytest.raises(FeeError):
        rating_line(fees, "platinum")


def test_operator_overrides_in_toman():
    fees = FeeSchedule.from_toman({"postal_check": 20_000})
    assert fees.postal_check == 200_000 and fees.standard_two_years == 1_750_000
    for bad in ({"postal": 1}, {"postal_check": -1}, {"postal_check": 1.5}, {"postal_check": "10"},
                {"postal_check": True}):
        with pytest.raises(FeeError):
            FeeSchedule.from_toman(bad)


def test_toman_display():
    assert format_toman(1_750_000) == "۱۷۵٬۰۰۰ تومان"
    assert format_toman(1_750_000, "en") == "175,000 toman"
    assert format_toman(15, "en") == "1.5 toman"


@given(st.integers(min_value=0, max_value=10**12))
def test_display_round_trips_to_the_same_rials(rials):
    text = format_toman(rials, "en").removesuffix(" toman").replace(",", "")
    whole, _, part = text.partition(".")
    assert int(whole) * 10 + int(part or 0) == rials
