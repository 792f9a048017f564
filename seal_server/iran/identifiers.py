"""Iranian identifiers as people type them: normalise, then check. Pure functions.

Every `clean_*` function accepts Persian, Arabic-Indic and Latin digits with stray
spaces, dashes and direction marks, returns the canonical Latin-digit text, and
raises IdentifierError (whose message is a msgid for people) when it is not valid.
"""
import re

from ..marks import N_
from .digits import to_latin_digits

# Spaces (incl. no-break and thin), dashes of every width, ZWNJ and direction marks.
_STRAY = re.compile(r"[\s\u00a0\u2000-\u200f\u2028-\u202f\u2066-\u2069\-\u2010-\u2015\u2212]")
_DIGITS = re.compile(r"^[0-9]+$")

LEGAL_ID_WEIGHTS = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)


class IdentifierError(ValueError):
    """The text is not a valid identifier; the message is a msgid for people."""


def digits_only(text):
    """Latin digits with stray separators removed; other characters are left for the caller to refuse."""
    return _STRAY.sub("", to_latin_digits(str(text or "")))


def _digits(text, empty_message):
    cleaned = digits_only(text)
    if not cleaned:
        raise IdentifierError(empty_message)
    if not _DIGITS.match(cleaned):
        raise IdentifierError(N_("Use digits only."))
    return cleaned


def national_code_check_digit(first_nine):
    """The tenth digit of a national code, from its first nine digits."""
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    return remainder if remainder < 2 else 11 - remainder


def is_national_code(code):
    """True for a 10-digit national code (Latin digits) whose check digit is right."""
    if len(code) != 10 or not _DIGITS.match(code) or len(set(code)) == 1:
        return False
    return national_code_check_digit(code[:9]) == int(code[9])


def clean_national_code(text):
    """The canonical national code, or IdentifierError."""
    code = _digits(text, N_("Enter the national code."))
    if len(code) != 10:
        raise IdentifierError(N_("A national code has exactly 10 digits."))
    if not is_national_code(code):
        raise IdentifierError(N_("This national code is not valid: its check digit does not match."))
    return code


def legal_id_check_digit(first_ten):
    """The eleventh digit of a legal person's national id, from its first ten digits."""
    tens = int(first_ten[9]) + 2
    remainder = sum((int(d) + tens) * w for d, w in zip(first_ten, LEGAL_ID_WEIGHTS)) % 11
    return 0 if remainder == 10 else remainder


def is_legal_national_id(code):
    """True for an 11-digit legal national id (Latin digits) whose check digit is right."""
    if len(code) != 11 or not _DIGITS.match(code) or int(code[3:9]) == 0:
        return False
    return legal_id_check_digit(code[:10]) == int(code[10])


def clean_legal_national_id(text):
    """The canonical legal national id, or IdentifierError."""
    code = _digits(text, N_("Enter the company's national id."))
    if len(code) != 11:
        raise IdentifierError(N_("A company's national id has exactly 11 digits."))
    if not is_legal_national_id(code):
        raise IdentifierError(N_("This national id is not valid: its check digit does not match."))
    return code


def clean_mobile(text):
    """'+98 912-123 4567', '۰۹۱۲۱۲۳۴۵۶۷', '9121234567' -> '09121234567'."""
    raw = digits_only(text)
    if raw.startswith("+"):
        raw = raw[1:]
        if not raw.startswith("98"):
            raise IdentifierError(N_("Enter an Iranian mobile number, starting with 09."))
    number = _digits(raw, N_("Enter the mobile number."))
    if number.startswith("0098"):
        number = "0" + number[4:]
    elif number.startswith("98") and len(number) == 12:
        number = "0" + number[2:]
    elif number.startswith("9") and len(number) == 10:
        number = "0" + number
    if not re.fullmatch(r"09[0-9]{9}", number):
        raise IdentifierError(N_("A mobile number has 11 digits and starts with 09, such as 09121234567."))
    return number


def clean_landline(text):
    """'021-8877 6655' -> '02188776655': area code with its 0, then the 8-digit number."""
    raw = digits_only(text)
    if raw.startswith("+98"):
        raw = "0" + raw[3:]
    number = _digits(raw, N_("Enter the landline number."))
    if number.startswith("0098"):
        number = "0" + number[4:]
    if not re.fullmatch(r"0[1-8][0-9]{9}", number):
        raise IdentifierError(
            N_("A landline number has 11 digits with its area code, such as 02188776655."))
    return number


def clean_postal_code(text):
    """A 10-digit postal code; it never starts with 0 and is never one digit repeated."""
    code = _digits(text, N_("Enter the postal code."))
    if len(code) != 10:
        raise IdentifierError(N_("A postal code has exactly 10 digits."))
    if code[0] == "0" or len(set(code)) == 1:
        raise IdentifierError(N_("This postal code is not valid."))
    return code
