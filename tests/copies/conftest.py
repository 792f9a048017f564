"""Copy-detection helpers: seals with their badge, page and API addresses; Redis database 12."""
import logging

import pytest
import redis as redis_lib
from sqlalchemy import select

from seal_server.copies.models import CopySighting
from seal_server.extensions import db
from seal_server.seals import service
from tests.factories import issue

REDIS_URL = "redis://127.0.0.1:6379/12"


def addresses(seal):
    code = service.code_for(seal)
    return {"badge": f"/badge/{seal.public_id}.svg?code={code}", "verify": f"/verify/{seal.public_id}?code={code}",
            "api": f"/api/v1/seals/{seal.public_id}?code={code}", "id": seal.public_id}


@pytest.fixture
def sealed(app, now):
    with app.app_context():
        return addresses(issue("shop.example", now=now))


def from_(host):
    return {"Referer": f"https://{host}/"}


def sightings(app):
    """{(public_id, host): count} in the table."""
    with app.app_context():
        rows = db.session.scalars(select(CopySighting)).all()
        return {(row.seal.public_id, row.host): row.count for row in rows}


def memory(app):
    return {key: entry[0] for key, entry in app.extensions["seal_copies"].memory._counts.items()}


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """Database 12 of the machine's Redis; where none runs (a fresh CI machine), a redis-server of our own."""
    client = redis_lib.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis_lib.ConnectionError:
        from tests.scale.test_redis_bus import RedisServer

        server = RedisServer(tmp_path_factory.mktemp("redis"))
        server.start()
        yield server.url.rsplit("/", 1)[0] + "/12"
        server.stop()
    else:
        yield REDIS_URL
    finally:
        client.close()


@pytest.fixture
def redis_db(redis_url):
    client = redis_lib.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def copy_log(caplog, monkeypatch):
    """The counter's warnings (Alembic's logging setup in the session's migration run disabled the logger)."""
    monkeypatch.setattr(logging.getLogger("seal_server.copies.counter"), "disabled", False)
    caplog.set_level(logging.WARNING, logger="seal_server.copies.counter")
    return caplog
