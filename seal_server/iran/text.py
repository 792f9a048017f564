"""Persian text normalisation for search: the same word typed on any keyboard matches."""
from .digits import ARABIC_DIGITS, LATIN_DIGITS, PERSIAN_DIGITS

# Arabic yeh and alef maksura -> Persian yeh, Arabic kaf -> Persian kaf, teh marbuta and heh with yeh -> heh,
# zero-width non-joiner -> space, Persian and Arabic-Indic digits -> Latin. The same pairs are used
# by the database side (SQL translate(), and the PostgreSQL trigram index built on it).
SEARCH_FROM = "يىكةۀ\u200c" + PERSIAN_DIGITS + ARABIC_DIGITS
SEARCH_TO = "ییکهه " + LATIN_DIGITS * 2
_TABLE = str.maketrans(SEARCH_FROM, SEARCH_TO)


def normalize_for_search(text):
    """Lower case, the letters and digits of SEARCH_FROM replaced, spaces collapsed."""
    return " ".join((text or "").lower().translate(_TABLE).split())
