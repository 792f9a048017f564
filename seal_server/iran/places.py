"""Iran's 31 provinces and their cities, from iran/data/provinces.json (an operator may extend it)."""
import functools
import json
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "provinces.json"


@functools.cache
def provinces():
    """[(code, Persian name, English name, (cities...))] in the file's order."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = json.load(handle)
    return tuple((row["code"], row["fa"], row["en"], tuple(row["cities"])) for row in rows)


def province_by_code(code):
    return next((row for row in provinces() if row[0] == code), None)


def city_in_province(code, city):
    """True when `city` is one of the listed cities of province `code`."""
    row = province_by_code(code)
    return row is not None and city.strip() in row[3]
