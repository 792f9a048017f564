import string

from hypothesis import given
from hypothesis import strategies as st

from seal_server.signing import seal_code, verify_seal_code

# Committed once, never regenerated: snippets already pasted on shops must keep working.
GOLDEN_KEY = "golden-key-2025-aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
GOLDEN = [
    ("k7mq2xw9rtbn", "golden.example", 1, "jo0l236Z-MTFwJMDkp_0WwJ-mkbLFxzibH9ZGFmLcjY"),
    ("k7mq2xw9rtbn", "golden.example", 2, "7RGtDw4_D3uhxqcuAENfVN4XFIfByyvb4Pr2xGGfiRo"),
]
NEWER_KEY = "rotated-key-2026-bbbbbbbbbbbbbbbbbbbbbbbbbbbb"


def test_golden_codes_verify_with_the_key_they_were_made_with():
    for public_id, domain, serial, code in GOLDEN:
        assert seal_code(public_id, domain, serial, [GOLDEN_KEY]) == code
        assert verify_seal_code(code, public_id, domain, serial, [GOLDEN_KEY])


def test_golden_codes_survive_key_rotation():
    rotated = [GOLDEN_KEY, NEWER_KEY]
    for public_id, domain, serial, code in GOLDEN:
        assert verify_seal_code(code, public_id, domain, serial, rotated)
        new_code = seal_code(public_id, domain, serial, rotated)
        assert new_code != code, "new codes must be signed with the newest key"
        assert verify_seal_code(new_code, public_id, domain, serial, rotated)
        assert not verify_seal_code(new_code, public_id, domain, serial, [GOLDEN_KEY])


def test_dropping_a_key_retires_its_codes():
    public_id, domain, serial, code = GOLDEN[0]
    assert not verify_seal_code(code, public_id, domain, serial, [NEWER_KEY])


def test_code_is_bound_to_id_domain_and_serial():
    public_id, domain, serial, code = GOLDEN[0]
    keys = [GOLDEN_KEY]
    assert not verify_seal_code(code, "aaaaaaaaaaaa", domain, serial, keys)
    assert not verify_seal_code(code, public_id, "other.example", serial, keys)
    assert not verify_seal_code(code, public_id, domain, serial + 1, keys), "a re-issued seal voids old codes"


def test_garbage_codes_are_rejected_without_error():
    public_id, domain, serial, _ = GOLDEN[0]
    for garbage in ["", "x", "!!!!", "é" * 10, "a" * 5000, "\x00\xff", None]:
        assert not verify_seal_code(garbage, public_id, domain, serial, [GOLDEN_KEY])


ids = st.text(alphabet="abcdefghijkmnpqrstuvwxyz23456789", min_size=12, max_size=12)
domains = st.from_regex(r"[a-z0-9]{1,20}\.(ir|com|example)", fullmatch=True)


@given(public_id=ids, domain=domains, serial=st.integers(min_value=1, max_value=10**6))
def test_round_trip(public_id, domain, serial):
    code = seal_code(public_id, domain, serial, [GOLDEN_KEY])
    assert verify_seal_code(code, public_id, domain, serial, [GOLDEN_KEY])


@given(
    public_id=ids, domain=domains, position=st.integers(min_value=0),
    replacement=st.sampled_from(string.ascii_letters + string.digits + "-_=."),
)
def test_any_single_character_change_is_rejected(public_id, domain, position, replacement):
    code = seal_code(public_id, domain, 1, [GOLDEN_KEY])
    index = position % len(code)
    if code[index] == replacement:
        replacement = "A" if replacement != "A" else "B"
    tampered = code[:index] + replacement + code[index + 1:]
    assert not verify_seal_code(tampered, public_id, domain, 1, [GOLDEN_KEY])


def test_every_other_last_character_is_rejected():
    """The last base64 character carries unused bits; other spellings must not pass."""
    public_id, domain, serial, code = GOLDEN[0]
    alphabet = string.ascii_letters + string.digits + "-_"
    for char in alphabet:
        if char != code[-1]:
            assert not verify_seal_code(code[:-1] + char, public_id, domain, serial, [GOLDEN_KEY])
