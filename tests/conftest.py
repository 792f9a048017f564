"""Shared fixtures: a fresh app per test on SQLite (or PostgreSQL), a live server, a browser.

SEAL_TEST_DATABASE_URL selects the database (default: a SQLite file per session).
The schema is built once per session by running the real migrations.
"""
import os
import shutil
import tempfile
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from flask.testing import FlaskClient

from seal_server import create_app
from seal_server.clock import utcnow
from seal_server.events import service as events_service
from seal_server.events import worker
from seal_server.extensions import db
from seal_server.onboarding import checks as domain_checks

TEST_KEYS = ["test-key-old-0123456789abcdefghijklmnop", "test-key-new-0123456789abcdefghijklmnop"]
# Ed25519 status-signing seeds (base64url), newest last.
TEST_STATUS_KEYS = ["3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA"]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
CHROMIUM = os.environ.get("SEAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _reset_schema(url):
    """Drop whatever a previous run left, so the migrations run from nothing."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("SEAL_TEST_DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "seal.sqlite3")
    _reset_schema(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


def deliver_queued(now=None):
    """Run the worker once over everything queued, as the real worker would right after a commit.

    Tests run the clock at fixed times, so "now" is the newest queued delivery's time unless given.
    """
    from sqlalchemy import func, select

    from seal_server.events.models import PENDING, Delivery

    if now is None:
        now = db.session.scalar(select(func.max(Delivery.next_attempt_at)).where(Delivery.status == PENDING))
        if now is None:
            return {"sent": 0, "retrying": 0, "dead": 0}
    return worker.deliver_due(now)


def drain(app, now=None):
    with app.app_context():
        return deliver_queued(now)


def run_queued_checks(app, now=None):
    """Run the queued domain checks as the worker would, as of the newest one's request unless `now` is given."""
    with app.app_context():
        when = now or domain_checks.queued_since()
        return domain_checks.run_due(when) if when is not None else 0


class DeliveringClient(FlaskClient):
    """A test client after whose every request the worker runs the domain checks and delivers the messages
    the request queued."""

    def open(self, *args, **kwargs):
        before, checks_before = events_service.emitted, domain_checks.requested
        response = super().open(*args, **kwargs)
        if domain_checks.requested != checks_before:
            run_queued_checks(self.application)
        if events_service.emitted != before:
            drain(self.application)
        return response


# Uploaded files of apps that name no SEAL_UPLOAD_DIR land here (removed when the session ends), not in instance/.
_UPLOADS = tempfile.TemporaryDirectory(prefix="seal-test-uploads-")


def make_app(database_url, **overrides):
    engine_options = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        # Each test builds its own app and engine; a connection handed back after the engine
        # was disposed would sit in a dead pool until garbage collection (a ResourceWarning).
        engine_options["poolclass"] = NullPool
    config = {
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEAL_SECRET_KEYS": list(TEST_KEYS),
        "SECRET_KEY": TEST_KEYS[-1],
        "SEAL_STATUS_KEYS": list(TEST_STATUS_KEYS),
        "SEAL_BASE_URL": "http://seal.test",
        "SEAL_DEMO": False,
        "SEAL_STAR_RECHECK": False,  # tick would fetch starred seals' domains; tests/conformity turns it on
        "SEAL_COPY_FLUSH_SECONDS": 0,  # no flush timer thread per test app; tests flush through tick
        "SEAL_UPLOAD_DIR": tempfile.mkdtemp(dir=_UPLOADS.name),
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = DeliveringClient
    return app


def _empty_tables(app):
    app.extensions["seal_copies"].memory.take()  # nothing left for the exit flush to write after the test
    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app_config():
    """Override per module or test to change the app's configuration."""
    return {}


@pytest.fixture
def app(database_url, app_config):
    app = make_app(database_url, **app_config)
    yield app
    _empty_tables(app)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def now():
    return NOW


class LiveServer:
    """The real app served over HTTP on a loopback port, in a thread, with an outbox worker beside it."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        app.config["SEAL_BASE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.stopping = threading.Event()
        self.worker = threading.Thread(target=self._work, daemon=True)

    def _work(self):
        with self.app.app_context():
            worker.run(utcnow, poll=0.2, stop=self.stopping)

    def start(self):
        self.thread.start()
        self.worker.start()
        return self

    def wait_for_outbox(self, timeout=15):
        """Until the worker beside the server has sent everything due (a browser test then reads /outbox)."""
        import time

        from sqlalchemy import func, select

        from seal_server.events.models import PENDING, SENDING, Delivery

        deadline = time.monotonic() + timeout
        with self.app.app_context():
            while time.monotonic() < deadline:
                waiting = db.session.scalar(select(func.count()).select_from(Delivery).where(
                    Delivery.status.in_((PENDING, SENDING)), Delivery.next_attempt_at <= utcnow()))
                db.session.rollback()
                if not waiting:
                    return
                time.sleep(0.1)
        raise AssertionError("the outbox worker did not send the queued messages in time")

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.thread.join(5)
        self.worker.join(5)


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/test installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
