"""Real WordPress sites on a real MariaDB, served by `php -S`, next to a real seal server.

The session builds everything in a temporary directory: one site per WordPress version (Debian's
package, and the newest tree of the npm package @wp-playground/wordpress-builds that
scripts/bootstrap --test installs in tests/wordpress/node_modules), each with its own
wp-config.php, this repository's plugin, a fresh database and user, and pretty permalinks;
and one seal server with seals in every state issued through its own command line.
SEAL_TEST_WORDPRESS_VERSIONS=debian (or latest) limits the run to one version.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "wp-plugin"
HERE = Path(__file__).resolve().parent
WORDPRESS = Path(os.environ.get("SEAL_TEST_WORDPRESS", "/usr/share/wordpress"))
PLAYGROUND = HERE / "node_modules" / "@wp-playground" / "wordpress-builds"
PLAYGROUND_VERSION = "6.5"  # the newest released tree the pinned package holds (package-lock.json)
VERSIONS = [v for v in os.environ.get("SEAL_TEST_WORDPRESS_VERSIONS", "debian,latest").split(",") if v]
# Different runs on one MariaDB (CI jobs, several checkouts) tell their databases apart by this suffix.
DB_SUFFIX = os.environ.get("SEAL_TEST_MARIADB_SUFFIX", "")
# Status-signing keys of the session's seal server (the plugin must verify its signatures).
# The seal server's badge snapshots live this long, so the walk sees its lifecycle changes quickly.
SNAPSHOT_SECONDS = 1
STATUS_KEYS = "c2VhbC13b3JkcHJlc3MtdGVzdC1zdGF0dXMta2V5LTE,c2VhbC13b3JkcHJlc3MtdGVzdC1zdGF0dXMta2V5LTI"
SEAL_SERVER = Path(sys.executable).parent / "seal-server"
ADMIN_USER, ADMIN_PASSWORD = "admin", "correct horse battery staple"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url} within {seconds}s")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def require(*programs):
    missing = [p for p in programs if not shutil.which(p)]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: scripts/bootstrap --test installs them from Debian")


ISSUE_SCRIPT = """
import contextlib, io, json, sys
from seal_server.cli import main

results = []
for argv in json.loads(sys.argv[1]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    if code:
        sys.exit(f"seal-server {' '.join(argv)} failed with {code}")
    results.append(out.getvalue())
print(json.dumps(results))
"""


class SealServer:
    """The real seal server as a subprocess, driven by its own command line."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            SEAL_DATABASE_URL="sqlite:///" + str(workdir / "seal.sqlite3"),
            SEAL_BASE_URL=self.url,
            SEAL_SECRET_KEYS="wordpress-test-key-0123456789abcdefghijklmnop",
            SEAL_STATUS_KEYS=STATUS_KEYS,
            SEAL_BADGE_CACHE_SECONDS=str(SNAPSHOT_SECONDS),
            FLASK_DEBUG="0",
        )
        self.process = None
        self.seals = {}

    def cli(self, *commands):
        """Run `seal-server` commands in one Python process (start-up is the slow part)."""
        done = subprocess.run([sys.executable, "-c", ISSUE_SCRIPT, json.dumps(commands)], env=self.env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"seal-server failed: {done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self):
        with open(self.workdir / "seal-server.log", "a") as log:
            self.process = subprocess.Popen(
                [str(SEAL_SERVER), "run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload",
                 "--no-debugger"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        wait_for_http(self.url + "/healthz", self.process)
        return self

    def stop(self):
        if self.process is not None:
            stop(self.process)


def issue(key, domain, name_fa, *extra):
    return [key, ["issue", "--domain", domain, "--allow-local", "--name-fa", name_fa, "--name-en", "Test Shop",
                  "--owner", "Maryam Ahmadi", "--json", *extra]]


@pytest.fixture(scope="session")
def seal_server(tmp_path_factory):
    """A running seal server and seals in every state, keyed by name.

    The seal shown by the site is for 127.0.0.1 (the site's host); one live seal per domain
    is allowed, so the others use other loopback addresses.
    """
    server = SealServer(tmp_path_factory.mktemp("seal-server"))
    # Expire one seal first: tick expires every seal due by then, so the others come after.
    first = [["init-db"], issue("expired", "127.0.0.9", "فروشگاه منقضی", "--days", "1")[1],
             ["tick", "--now", (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()]]
    server.seals["expired"] = json.loads(server.cli(*first)[1])
    plan = [
        issue("active", "127.0.0.1", "فروشگاه نمونه", "--stars", "3"),
        issue("days30", "127.0.0.2", "فروشگاه سی روزه", "--days", "30"),
        issue("days7", "127.0.0.3", "فروشگاه هفت روزه", "--days", "7"),
        issue("days1", "127.0.0.4", "فروشگاه یک روزه", "--days", "1"),
        issue("suspended", "127.0.0.5", "فروشگاه معلق"),
        issue("revoked", "127.0.0.6", "فروشگاه باطل"),
        issue("hostile", "127.0.0.7", '"><img src=x onerror=alert(1)><script>alert(2)</script>'),
    ]
    for (key, _), out in zip(plan, server.cli(*[argv for _, argv in plan])):
        server.seals[key] = json.loads(out)
    server.cli(["suspend", server.seals["suspended"]["id"], "--reason", "test"],
               ["revoke", server.seals["revoked"]["id"], "--reason", "test"])
    server.start()
    yield server
    server.stop()


def mariadb(sql):
    """Run SQL as MariaDB's root (socket first, then TCP as scripts/services leaves it)."""
    for command in (["mariadb", "-u", "root"], ["mariadb", "-h", "127.0.0.1", "-u", "root"]):
        done = subprocess.run([*command, "-e", sql], capture_output=True, text=True, timeout=30)
        if done.returncode == 0:
            return
    raise RuntimeError(f"MariaDB refused {sql!r}: {done.stderr}")


def drop_abandoned_databases():
    """Drop databases (and users) of earlier sessions of this suffix whose process is gone, e.g. after a kill."""
    for command in (["mariadb", "-u", "root"], ["mariadb", "-h", "127.0.0.1", "-u", "root"]):
        done = subprocess.run([*command, "-N", "-e", "SHOW DATABASES LIKE 'sealwp\\_%'"], capture_output=True,
                              text=True, timeout=30)
        if done.returncode == 0:
            break
    else:
        return
    for name in done.stdout.split():
        parts = name.split("_")
        if len(parts) != (4 if DB_SUFFIX else 3) or (DB_SUFFIX and parts[3] != DB_SUFFIX):
            continue
        pid = parts[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            mariadb(f"DROP DATABASE IF EXISTS `{name}`; DROP USER IF EXISTS '{name}'@'127.0.0.1';")


WP_CONFIG = """<?php
// Written by tests/wordpress/conftest.py for one test session.
define( 'DB_NAME', '{db}' );
define( 'DB_USER', '{db}' );
define( 'DB_PASSWORD', '{password}' );
define( 'DB_HOST', '127.0.0.1:3306' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{salts}
$table_prefix = 'wp_';
define( 'WP_HOME', '{home}' );
define( 'WP_SITEURL', '{home}' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_DEBUG_LOG', '{debug_log}' );
define( 'DISABLE_WP_CRON', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'DISALLOW_FILE_MODS', true );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""


def relink(tree, source):
    """Point relative symlinks copied from `source` at what they meant there.

    Debian's WordPress links underscore.js, getID3 and others to ../../../javascript/...; copied
    elsewhere those links dangle, and admin pages fail with "_ is not defined".
    """
    for path in list(tree.rglob("*")):
        if path.is_symlink():
            link = os.readlink(path)
            if not os.path.isabs(link):
                meant = (source / path.relative_to(tree)).parent / link
                path.unlink()
                path.symlink_to(os.path.realpath(meant))


def copy_tree(source, target):
    """`source` copied into `target`, hard-linked when possible (fast); files already there are kept."""
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["cp", "-aln", f"{source}/.", str(target)], capture_output=True)
    if done.returncode != 0:
        subprocess.run(["cp", "-an", f"{source}/.", str(target)], check=True)


def build_wordpress(version, target):
    """A WordPress tree of this version in `target`, its config removed and our plugin in place."""
    if version == "debian":
        copy_tree(WORDPRESS, target)
        relink(target, WORDPRESS)
    else:
        archive = PLAYGROUND / "src" / "wordpress" / f"wp-{PLAYGROUND_VERSION}.zip"
        if not archive.exists():
            pytest.fail(f"{archive} is missing: scripts/bootstrap --test installs tests/wordpress/package.json")
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(target)
        # The package ships PHP in the zip and static files (scripts, styles, images) beside it.
        copy_tree(PLAYGROUND / "public" / f"wp-{PLAYGROUND_VERSION}", target)
    (target / "wp-config.php").unlink(missing_ok=True)
    # A site whose owner picked Persian has the core language pack; an empty catalogue is enough for
    # WordPress to offer fa_IR (switch_to_locale() refuses a locale it has no file for).
    languages = target / "wp-content" / "languages"
    languages.mkdir(parents=True, exist_ok=True)
    subprocess.run(["msgfmt", "-o", str(languages / "fa_IR.mo"), "-"], check=True, text=True,
                   input='msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\nLanguage: fa_IR\\n"\n')
    plugins = target / "wp-content" / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PLUGIN, plugins / "seal-badge")


class WordPress:
    def __init__(self, root, url, db, env, debug_log):
        self.root, self.url, self.db, self.env, self.debug_log = root, url, db, env, debug_log
        self.process = None
        self.version = ""

    def log_tail(self, lines=40):
        """The end of WordPress's debug log, for failure messages."""
        if not self.debug_log.exists():
            return "(debug.log is empty)"
        return "\n".join(self.debug_log.read_text(errors="replace").splitlines()[-lines:])

    def php(self, script, *args):
        """Run a PHP file of this directory against the site; returns stdout."""
        done = subprocess.run(["php", str(HERE / script), *args], env=self.env, capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"php {script} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout


def create_database():
    """A fresh MariaDB database and its own user: (name, password)."""
    drop_abandoned_databases()
    db = f"sealwp_{os.getpid()}_{secrets.token_hex(4)}" + (f"_{DB_SUFFIX}" if DB_SUFFIX else "")
    password = secrets.token_urlsafe(18)
    mariadb(f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4; "
            f"CREATE USER '{db}'@'127.0.0.1' IDENTIFIED BY '{password}'; "
            f"GRANT ALL PRIVILEGES ON `{db}`.* TO '{db}'@'127.0.0.1';")
    return db, password


def drop_database(db):
    mariadb(f"DROP DATABASE IF EXISTS `{db}`; DROP USER IF EXISTS '{db}'@'127.0.0.1';")


def write_config(root, db, password, home, debug_log, extra=""):
    """wp-config.php for this site; `extra` PHP goes before WordPress loads (multisite constants)."""
    salts = "\n".join(
        f"define( '{name}', '{secrets.token_hex(32)}' );"
        for name in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                     "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")
    )
    (root / "wp-config.php").write_text(WP_CONFIG.format(
        db=db, password=password, salts=salts + "\n" + extra, home=home, debug_log=debug_log))


@pytest.fixture(scope="session", params=VERSIONS)
def wordpress(request, tmp_path_factory, seal_server):
    """WordPress installed on a fresh database, the plugin active, served by `php -S`: one per version."""
    require("php", "mariadb", "phpunit")
    work = tmp_path_factory.mktemp(f"wordpress-{request.param}")
    root = work / "site"
    build_wordpress(request.param, root)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db, password = create_database()
    write_config(root, db, password, url, work / "debug.log")
    env = dict(os.environ, SEAL_WP_ROOT=str(root), SEAL_WP_URL=url, SEAL_TEST_SERVER=seal_server.url,
               SEAL_TEST_SEALS=json.dumps(seal_server.seals), SEAL_WP_ADMIN=ADMIN_USER,
               SEAL_WP_PASSWORD=ADMIN_PASSWORD)
    site = WordPress(root, url, db, env, work / "debug.log")
    try:
        site.version = site.php("install.php").strip().rsplit(" ", 1)[-1]
        with open(work / "php-server.log", "w") as log:
            # Several workers: the plugin asks its own site for the badge copy while serving a request.
            site.process = subprocess.Popen(["php", "-S", f"127.0.0.1:{port}", "-t", str(root), str(HERE / "router.php")],
                                            cwd=root, env=dict(env, PHP_CLI_SERVER_WORKERS="4"),
                                            stdout=log, stderr=subprocess.STDOUT)
        wait_for_http(url + "/wp-login.php", site.process)
        yield site
    finally:
        if site.process is not None:
            stop(site.process)
        drop_database(db)
