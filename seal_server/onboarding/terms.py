"""The versioned commitment text owners accept (onboarding/data/terms.json; the last entry is current)."""
import functools
import json
from pathlib import Path

TERMS_FILE = Path(__file__).parent / "data" / "terms.json"


@functools.cache
def versions():
    """{version: {"version", "published", "fa": [paragraphs], "en": [paragraphs]}} in the file's order."""
    with TERMS_FILE.open(encoding="utf-8") as handle:
        rows = json.load(handle)
    return {row["version"]: row for row in rows}


def current():
    return list(versions().values())[-1]
