"""The plugin's PHPUnit suite, run by Debian's phpunit against the session's real WordPress."""
import json
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest

from .conftest import HERE, PLAYGROUND, WORDPRESS

pytestmark = pytest.mark.wordpress


def declared_version(tree):
    for line in (tree / "wp-includes" / "version.php").read_text().split(";"):
        if "$wp_version =" in line:
            return line.split("'")[1]
    raise AssertionError(f"no $wp_version in {tree}")


def test_each_site_runs_the_wordpress_it_claims(wordpress):
    versions = json.loads((PLAYGROUND / "src" / "wordpress" / "wp-versions.json").read_text())
    expected = declared_version(WORDPRESS) if "debian" in wordpress.root.parent.name else versions["6.5"]
    assert wordpress.version == expected
    assert not [p for p in wordpress.root.rglob("*") if p.is_symlink() and not p.exists()], "no dangling symlinks"


def test_phpunit_suite(wordpress, tmp_path):
    report = tmp_path / "junit.xml"
    done = subprocess.run(
        ["phpunit", "-c", str(HERE / "phpunit.xml"), "--log-junit", str(report)],
        env=wordpress.env, capture_output=True, text=True, timeout=300,
    )
    output = done.stdout + done.stderr + "\n--- WordPress debug.log ---\n" + wordpress.log_tail()
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "(no PHPUnit output)")
    assert done.returncode == 0, "PHPUnit failed:\n" + output
    suite = ElementTree.parse(report).getroot().find("testsuite")
    assert int(suite.get("tests")) >= 30, "fewer PHPUnit tests ran than the suite holds:\n" + output
    assert int(suite.get("failures")) == int(suite.get("errors")) == 0, output
    plugin_messages = [line for line in wordpress.log_tail(100000).splitlines()
                       if "PHP " in line and "/plugins/seal-badge/" in line]
    assert plugin_messages == [], "the plugin raised PHP errors, warnings or deprecations"
