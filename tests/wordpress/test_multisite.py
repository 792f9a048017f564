"""Uninstalling on a multisite network cleans every site, not only the main one."""
import json
import os
import subprocess

import pytest

from .conftest import ADMIN_PASSWORD, ADMIN_USER, HERE, build_wordpress, create_database, drop_database, require, \
    write_config

pytestmark = pytest.mark.wordpress

NETWORK = """
define( 'WP_ALLOW_MULTISITE', true );
define( 'MULTISITE', true );
define( 'SUBDOMAIN_INSTALL', false );
define( 'DOMAIN_CURRENT_SITE', 'network.test' );
define( 'PATH_CURRENT_SITE', '/' );
define( 'SITE_ID_CURRENT_SITE', 1 );
define( 'BLOG_ID_CURRENT_SITE', 1 );
"""


def test_uninstall_cleans_every_site_of_a_network(tmp_path):
    require("php", "mariadb")
    root = tmp_path / "network"
    build_wordpress("debian", root)
    db, password = create_database()
    env = dict(os.environ, SEAL_WP_ROOT=str(root), SEAL_WP_URL="http://network.test", SEAL_WP_ADMIN=ADMIN_USER,
               SEAL_WP_PASSWORD=ADMIN_PASSWORD)

    def php(script, *args):
        done = subprocess.run(["php", str(HERE / script), *args], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{script} {args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    try:
        write_config(root, db, password, "http://network.test", tmp_path / "debug.log",
                     "define( 'WP_ALLOW_MULTISITE', true );")
        php("install.php")
        php("multisite.php", "network")
        write_config(root, db, password, "http://network.test", tmp_path / "debug.log", NETWORK)
        output = php("multisite.php", "uninstall")
        report = json.loads(output.strip().splitlines()[-1]) if output.strip().startswith("{") else pytest.fail(output[-3000:])
    finally:
        drop_database(db)
    assert report["uninstalled"] is True
    for site, before in report["before"].items():
        assert "seal_badge_settings" in before["options"] and before["widgets"] and before["cron"], site
    for site, after in report["after"].items():
        assert (after["options"], after["widgets"], after["cron"]) == ([], [], False), f"site {site}: {after}"
        assert after["search_widget_kept"], f"site {site}: other widgets stay"
    assert set(report["after"]) == {"1", "2"}
