import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from seal_server.extensions import db
from seal_server.iran.calendar import jalali_date
from seal_server.iran.digits import parse_int, to_latin_digits, to_persian_digits

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_persian_translation(tmp_path):
    """Re-extract the messages from the code and templates; none may be missing or untranslated in fa."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_", "-k", "gettext", "-k", "N_", "-k", "ngettext:1,2", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        wanted = {message.id if isinstance(message.id, str) else message.id[0]
                  for message in read_po(handle) if message.id}
    with (ROOT / "seal_server/translations/fa/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id and not message.fuzzy and all(message.string if isinstance(message.string, tuple)
                                                     else [message.string])
    }
    assert sorted(wanted - translated) == []


def test_digits():
    assert to_latin_digits("۱۲۳٤٥6") == "123456"
    assert to_persian_digits("2026-11-23") == "۲۰۲۶-۱۱-۲۳"
    assert parse_int("۱۲") == parse_int("١٢") == parse_int(" 12 ") == 12
    assert parse_int("12a") is None and parse_int("") is None and parse_int(None) is None


def test_jalali_dates_in_tehran_time():
    from datetime import datetime, timezone

    # 21:00 UTC on 20 March 2025 is already 1 Farvardin 1404 in Tehran (UTC+3:30)
    assert jalali_date(datetime(2025, 3, 20, 21, 0, tzinfo=timezone.utc)) == "۱ فروردین ۱۴۰۴"


def test_migrations_match_the_models(ctx):
    """Autogenerate finds nothing to add: the migrations build exactly the models' schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from seal_server.seals.search import include_object

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
