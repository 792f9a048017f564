"""The plugin as a package: readme sections and disclosures, consistent versions, guarded PHP files."""
import json
import re

from .conftest import PLAYGROUND_VERSION, PLUGIN

README = (PLUGIN / "readme.txt").read_text()


def header(name, text):
    found = re.search(rf"^\s*\*?\s*{re.escape(name)}:\s*(.+?)\s*$", text, re.MULTILINE)
    assert found, f"no {name} header"
    return found.group(1)


def test_readme_has_the_directorys_sections_and_discloses_the_external_service():
    for section in ("Description", "Installation", "Frequently Asked Questions", "Screenshots", "Changelog",
                    "Upgrade Notice"):
        assert f"== {section} ==" in README, section
    assert "= External service =" in README
    assert "IP address" in README and "Referer" in README, "what visitors' browsers send to the authority"
    assert "Settings → Privacy" in README


def test_versions_agree_and_tested_up_to_is_the_newest_tree_the_suite_runs():
    main = (PLUGIN / "seal-badge.php").read_text()
    version = header("Version", main)
    assert header("Stable tag", README) == version
    assert f"define( 'SEAL_BADGE_VERSION', '{version}' );" in main
    assert json.loads((PLUGIN / "blocks" / "seal-badge" / "block.json").read_text())["version"] == version
    assert f"= {version} =" in README.split("== Changelog ==")[1]
    assert header("Tested up to", README) == PLAYGROUND_VERSION
    assert header("Requires at least", README) == header("Requires at least", main) == "6.1"


def test_every_php_file_stops_when_loaded_outside_wordpress():
    files = [p for p in PLUGIN.rglob("*.php") if p.name not in ("uninstall.php",)]
    assert len(files) > 10
    unguarded = [str(p.relative_to(PLUGIN)) for p in files if "defined( 'ABSPATH' )" not in p.read_text()]
    assert unguarded == []
    assert "defined( 'WP_UNINSTALL_PLUGIN' )" in (PLUGIN / "uninstall.php").read_text()
