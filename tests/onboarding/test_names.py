import pytest

from seal_server.onboarding.service import _NAME, _clean_text


@pytest.mark.parametrize("typed, kept", [("مُحَمَّد", "مُحَمَّد"), ("علي", "علی"), ("كاظم", "کاظم"),
                                         ("  سید   محمد ", "سید محمد"), ("Anne-Marie", "Anne-Marie")])
def test_names_as_typed_on_any_keyboard(typed, kept):
    assert _clean_text(typed) == kept and _NAME.match(kept)


@pytest.mark.parametrize("typed", ["ali2", "ع_لی", "<b>", "--", "مریم!"])
def test_not_names(typed):
    assert not _NAME.match(_clean_text(typed))


def test_control_characters_are_dropped():
    assert _clean_text("تهران\x00\x00، خیابان\x07 آزادی\x7f") == "تهران، خیابان آزادی"
