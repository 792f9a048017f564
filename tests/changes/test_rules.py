"""The pure rules of registered changes."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from hypothesis import given, strategies as st

from seal_server.billing import fees
from seal_server.changes import rules

NOW = datetime(2026, 3, 20, 12, tzinfo=timezone.utc)


def test_every_kind_has_a_title_fields_and_a_check():
    assert set(rules.TITLES) == set(rules.FIELDS) == set(rules.CHECK_OF) == set(rules.KINDS)
    assert rules.REVIEWED == {rules.NAMES, rules.CATEGORY, rules.SALES_METHOD}


def test_only_live_seals_register_changes():
    assert rules.changeable("active") is None and rules.changeable("suspended") is None
    assert "revoked" in rules.changeable("revoked") and "renew" in rules.changeable("expired")


def test_a_code_may_be_tried_until_it_expires_or_runs_out_of_tries():
    assert rules.code_problem(expires_at=None, attempts=0, now=NOW) == "No code has been sent yet."
    assert rules.code_problem(expires_at=NOW + timedelta(seconds=1), attempts=4, now=NOW) is None
    assert "expired" in rules.code_problem(expires_at=NOW, attempts=0, now=NOW)
    assert "Too many" in rules.code_problem(expires_at=NOW + timedelta(hours=1), attempts=5, now=NOW)


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_leaving_micro_status_never_costs_less_than_nothing_nor_more_than_the_rest(fee, paid):
    difference = fees.upgrade_due(SimpleNamespace(standard_two_years=fee), paid)
    assert difference >= 0 and difference + min(paid, fee) == fee


def test_the_same_value_is_recognised_across_case_and_spaces():
    assert rules.unchanged({"name_en": "Sample  Shop "}, {"name_en": "sample shop"})
    assert not rules.unchanged({"email": "a@shop.example"}, {"email": "b@shop.example"})
