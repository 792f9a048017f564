"""Persian and Arabic-Indic digits: read them everywhere, print Persian ones on screen."""

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN = str.maketrans(LATIN_DIGITS, PERSIAN_DIGITS)


def to_latin_digits(text):
    """Replace Persian and Arabic-Indic digits with Latin ones."""
    return text.translate(_TO_LATIN)


def to_persian_digits(text):
    """Replace Latin digits with Persian ones, for display."""
    return str(text).translate(_TO_PERSIAN)


def parse_int(text):
    """Read a whole number typed in any of the three digit sets; None when it is not one."""
    if text is None:
        return None
    cleaned = to_latin_digits(str(text)).strip().replace(",", "").replace("٬", "")
    if not cleaned or not (cleaned.isascii() and cleaned.lstrip("-").isdigit()):
        return None
    return int(cleaned)
