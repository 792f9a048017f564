"""Build the plugin's compiled translations from its .po file: the .mo and the editor script's JSON.

Run `.venv/bin/python -m tests.wordpress.i18n` after editing wp-plugin/languages/seal-badge-fa_IR.po;
tests/wordpress/test_translations.py fails while the shipped files differ from what this builds.
"""
import gettext
import json
import subprocess
import tempfile
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[2] / "wp-plugin"
LANGUAGES = PLUGIN / "languages"
PO = LANGUAGES / "seal-badge-fa_IR.po"
MO = LANGUAGES / "seal-badge-fa_IR.mo"
EDITOR_SCRIPT = PLUGIN / "blocks" / "seal-badge" / "editor.js"
# WordPress looks for "<domain>-<locale>-<script handle>.json" in the path given to wp_set_script_translations().
EDITOR_HANDLE = "seal-badge-badge-editor-script"
EDITOR_JSON = LANGUAGES / f"seal-badge-fa_IR-{EDITOR_HANDLE}.json"


def script_msgids(script=EDITOR_SCRIPT):
    """The strings a script passes to wp.i18n.__()."""
    with tempfile.TemporaryDirectory() as work:
        pot = Path(work) / "script.pot"
        subprocess.run(["xgettext", "--language=JavaScript", "--from-code=UTF-8", "--keyword=__:1",
                        "--no-location", "-o", str(pot), str(script)], check=True)
        with open(pot, "rb") as text:
            entries = pot_msgids(text.read().decode())
    return sorted(entries)


def pot_msgids(text):
    ids, current = [], None
    for line in text.splitlines() + [""]:
        if line.startswith("msgid "):
            current = json.loads(line[len("msgid "):])
        elif current is not None and line.startswith('"'):
            current += json.loads(line)
        elif current is not None:
            if current:
                ids.append(current)
            current = None
    return ids


def catalog():
    """The .po's translations as gettext reads them ("context\\x04msgid" for entries with a context)."""
    with tempfile.TemporaryDirectory() as work:
        mo = Path(work) / "catalog.mo"
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(PO)], check=True)
        with open(mo, "rb") as compiled:
            return gettext.GNUTranslations(compiled)._catalog  # noqa: SLF001 (the parsed catalog is what we need)


def editor_json():
    """The Jed 1.x JSON wp.i18n loads for the editor script."""
    translations = catalog()
    messages = {"": {"domain": "messages", "lang": "fa_IR", "plural-forms": "nplurals=2; plural=(n > 1);"}}
    for msgid in script_msgids():
        if translations.get(msgid):
            messages[msgid] = [translations[msgid]]
    document = {"domain": "messages", "locale_data": {"messages": messages}}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main():
    subprocess.run(["msgfmt", "-o", str(MO), str(PO)], check=True)
    EDITOR_JSON.write_text(editor_json(), encoding="utf-8")
    print(f"wrote {MO.relative_to(PLUGIN.parent)} and {EDITOR_JSON.relative_to(PLUGIN.parent)}")


if __name__ == "__main__":
    main()
