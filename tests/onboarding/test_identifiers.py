"""Identifier checks: property tests over generated codes, and the precise messages for bad input."""
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from seal_server.iran import identifiers as ids
from seal_server.iran.digits import ARABIC_DIGITS, PERSIAN_DIGITS

digit_strings = lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)  # noqa: E731


def _only_valid_completion(prefix, is_valid):
    """The one final digit that makes `prefix + digit` valid (asserting there is exactly one)."""
    valid = [d for d in "0123456789" if is_valid(prefix + d)]
    assert len(valid) == 1, (prefix, valid)
    return prefix + valid[0]


def _national_remainder(code):
    """Reference weighted sum from the published rule (weights 10..2, modulo 11)."""
    return sum(int(d) * w for d, w in zip(code[:9], range(10, 1, -1))) % 11


def _legal_remainder(code):
    """Reference weighted sum from the published rule for legal ids (before 10 -> 0)."""
    tens = int(code[9]) + 2
    return sum((int(d) + tens) * w for d, w in zip(code[:10], (29, 27, 23, 19, 17) * 2)) % 11


@pytest.mark.parametrize("code", ["0013542419", "0499370899", "0790419904", "0084575948"])
def test_known_national_codes_pass(code):
    assert ids.clean_national_code(code) == code


@given(digit_strings(9))
def test_every_nine_digit_prefix_has_exactly_one_check_digit(prefix):
    assume(len(set(prefix)) > 1)
    code = _only_valid_completion(prefix, ids.is_national_code)
    assert ids.clean_national_code(code) == code
    expected = _national_remainder(code)
    assert int(code[9]) == (expected if expected < 2 else 11 - expected)


@given(digit_strings(9), st.integers(0, 9), st.integers(1, 9))
def test_a_single_digit_change_breaks_a_national_code(prefix, position, delta):
    assume(len(set(prefix)) > 1)
    code = _only_valid_completion(prefix, ids.is_national_code)
    changed = code[:position] + str((int(code[position]) + delta) % 10) + code[position + 1:]
    # The official rule maps remainders 1 and 10 to the same check digit: the one blind spot.
    blind_spot = {_national_remainder(code), _national_remainder(changed)} == {1, 10}
    assert ids.is_national_code(changed) is (blind_spot and len(set(changed)) > 1)


@given(digit_strings(10))
def test_every_ten_digit_prefix_has_exactly_one_legal_check_digit(prefix):
    assume(int(prefix[3:9]) != 0)
    code = _only_valid_completion(prefix, ids.is_legal_national_id)
    assert ids.clean_legal_national_id(code) == code


@given(digit_strings(10), st.integers(0, 10), st.integers(1, 9))
def test_a_single_digit_change_breaks_a_legal_id(prefix, position, delta):
    assume(int(prefix[3:9]) != 0)
    code = _only_valid_completion(prefix, ids.is_legal_national_id)
    changed = code[:position] + str((int(code[position]) + delta) % 10) + code[position + 1:]
    assume(int(changed[3:9]) != 0)
    # Remainder 10 is written as 0, so 0 and 10 collide: the rule's one blind spot.
    blind_spot = {_legal_remainder(code), _legal_remainder(changed)} == {0, 10}
    assert ids.is_legal_national_id(changed) is blind_spot


@given(digit_strings(9), st.sampled_from(["persian", "arabic"]), st.lists(st.sampled_from([" ", "-", "\u200c", "\u2013"]), max_size=3))
def test_persian_and_arabic_digits_read_like_latin_ones(prefix, script, separators):
    assume(len(set(prefix)) > 1)
    code = _only_valid_completion(prefix, ids.is_national_code)
    table = str.maketrans("0123456789", PERSIAN_DIGITS if script == "persian" else ARABIC_DIGITS)
    typed = code.translate(table)
    for i, sep in enumerate(separators):
        at = 3 * (i + 1)
        typed = typed[:at] + sep + typed[at:]
    assert ids.clean_national_code(" " + typed + " ") == ids.clean_national_code(code) == code


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_mobile_forms_agree(rest):
    number = "09" + rest
    persian = number.translate(str.maketrans("0123456789", PERSIAN_DIGITS))
    forms = [number, persian, "+98" + number[1:], "0098" + number[1:], "98" + number[1:], number[1:],
             f"{number[:4]}-{number[4:7]} {number[7:]}"]
    assert {ids.clean_mobile(form) for form in forms} == {number}


@pytest.mark.parametrize("func, text, message", [
    (ids.clean_national_code, "", "Enter the national code."),
    (ids.clean_national_code, "001354241", "A national code has exactly 10 digits."),
    (ids.clean_national_code, "00135424190", "A national code has exactly 10 digits."),
    (ids.clean_national_code, "0013542418", "This national code is not valid: its check digit does not match."),
    (ids.clean_national_code, "1111111111", "This national code is not valid: its check digit does not match."),
    (ids.clean_national_code, "00135a2419", "Use digits only."),
    (ids.clean_legal_national_id, "1010123456", "A company's national id has exactly 11 digits."),
    (ids.clean_legal_national_id, "10100000000", "This national id is not valid: its check digit does not match."),
    (ids.clean_mobile, "02188776655", "A mobile number has 11 digits and starts with 09, such as 09121234567."),
    (ids.clean_mobile, "+1 555 123 4567", "Enter an Iranian mobile number, starting with 09."),
    (ids.clean_mobile, "0912123456", "A mobile number has 11 digits and starts with 09, such as 09121234567."),
    (ids.clean_landline, "8877 6655", "A landline number has 11 digits with its area code, such as 02188776655."),
    (ids.clean_landline, "09121234567", "A landline number has 11 digits with its area code, such as 02188776655."),
    (ids.clean_postal_code, "123456789", "A postal code has exactly 10 digits."),
    (ids.clean_postal_code, "0123456789", "This postal code is not valid."),
    (ids.clean_postal_code, "", "Enter the postal code."),
])
def test_bad_input_gets_a_precise_message(func, text, message):
    with pytest.raises(ids.IdentifierError) as caught:
        func(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("func, text, expected", [
    (ids.clean_landline, "۰۲۱-۸۸۷۷ ۶۶۵۵", "02188776655"),
    (ids.clean_landline, "+98 21 8877 6655", "02188776655"),
    (ids.clean_postal_code, "١٥٨٧٦-٥٤٣٢١", "1587654321"),
    (ids.clean_legal_national_id, "۱۰۳۸۰۲۸۴۷۹۰", "10380284790"),
])
def test_typed_forms_are_normalised(func, text, expected):
    assert func(text) == expected


@given(digit_strings(10), st.sampled_from([PERSIAN_DIGITS, ARABIC_DIGITS]))
def test_legal_ids_and_postal_codes_read_the_same_in_any_digits(prefix, script):
    assume(int(prefix[3:9]) != 0)
    code = _only_valid_completion(prefix, ids.is_legal_national_id)
    table = str.maketrans("0123456789", script)
    assert ids.clean_legal_national_id(code.translate(table)) == code
    postal = "1" + prefix[1:]
    assume(len(set(postal)) > 1)
    assert ids.clean_postal_code(f"{postal[:5]}-{postal[5:]}".translate(table)) == postal
