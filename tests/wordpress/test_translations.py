"""The Persian translation ships complete and compiled from its .po file: PHP, block.json, editor script."""
import json
import subprocess

import pytest

from . import i18n
from .conftest import PLUGIN, require

pytestmark = pytest.mark.wordpress

LANGUAGES = PLUGIN / "languages"
KEYWORDS = ["__", "_e", "esc_html__", "esc_html_e", "esc_attr__", "esc_attr_e", "_x:1,2c", "_n:1,2"]


def msgids(po_text):
    """The msgids of a PO file, via msgcat's canonical one-line-per-string output."""
    ids, current = set(), None
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            current = line[len("msgid "):]
        elif current is not None and line.startswith('"'):
            current += line
        elif current is not None:
            ids.add(current.replace('""', ""))
            current = None
    return {i for i in ids if i != '""'}


def test_every_string_in_the_php_source_has_a_persian_translation(tmp_path):
    require("xgettext", "msgattrib")
    sources = sorted(str(p.relative_to(PLUGIN)) for p in PLUGIN.rglob("*.php"))
    pot = tmp_path / "seal-badge.pot"
    subprocess.run(["xgettext", "--language=PHP", "--from-code=UTF-8", "--no-location", "--no-wrap",
                    *[f"--keyword={k}" for k in KEYWORDS], "-o", str(pot), *sources], cwd=PLUGIN, check=True)
    translated = subprocess.run(["msgattrib", "--translated", "--no-obsolete", "--no-wrap",
                                 str(LANGUAGES / "seal-badge-fa_IR.po")], capture_output=True, text=True, check=True)
    missing = msgids(pot.read_text()) - msgids(translated.stdout)
    assert len(msgids(pot.read_text())) > 50
    assert missing == set(), f"untranslated in seal-badge-fa_IR.po: {sorted(missing)}"


def test_the_shipped_mo_file_is_compiled_from_the_po_file(tmp_path):
    require("msgfmt")
    compiled = tmp_path / "seal-badge-fa_IR.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(LANGUAGES / "seal-badge-fa_IR.po")], check=True)
    assert compiled.read_bytes() == (LANGUAGES / "seal-badge-fa_IR.mo").read_bytes(), \
        "run: .venv/bin/python -m tests.wordpress.i18n"


def test_every_string_of_the_editor_script_has_a_persian_translation_in_its_json():
    require("xgettext", "msgfmt")
    strings = i18n.script_msgids()
    assert {"Badge", "Size", "As in the settings", "Badge language"} <= set(strings)
    messages = json.loads(i18n.EDITOR_JSON.read_text())["locale_data"]["messages"]
    assert [s for s in strings if not messages.get(s, [""])[0]] == []
    assert i18n.EDITOR_JSON.read_text() == i18n.editor_json(), "run: .venv/bin/python -m tests.wordpress.i18n"


def test_block_json_title_description_and_keywords_are_translated_in_their_contexts():
    require("msgfmt")
    block = json.loads((PLUGIN / "blocks" / "seal-badge" / "block.json").read_text())
    translations = i18n.catalog()
    wanted = [("block title", block["title"]), ("block description", block["description"])]
    wanted += [("block keyword", keyword) for keyword in block["keywords"]]
    missing = [pair for pair in wanted if not translations.get(f"{pair[0]}\x04{pair[1]}")]
    assert missing == []
