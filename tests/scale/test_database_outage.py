"""PostgreSQL unreachable (a proxy in front of it stopped by the test): badges and cached pages keep
answering, the rest is a friendly 503, /readyz says so, and service resumes without a restart."""
import time

import pytest
from sqlalchemy.engine import make_url

from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.seals import service
from tests.conftest import _empty_tables, make_app
from tests.factories import issue
from tests.scale.tcp_proxy import TcpProxy


@pytest.fixture
def outage(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the database outage is tested on PostgreSQL (SEAL_TEST_DATABASE_URL)")
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    app = make_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    yield app, proxy
    proxy.stop()
    proxy.start()
    _empty_tables(app)
    proxy.stop()


def test_the_public_side_survives_the_database_going_away(outage):
    app, proxy = outage
    now = utcnow()
    client = app.test_client()
    with app.app_context():
        seal, other = issue(now=now), issue("other.example", now=now)
        urls = {name: f"/{name}/{seal.public_id}?code={service.code_for(seal)}" for name in ("verify",)}
        badge = f"/badge/{seal.public_id}.svg?code={service.code_for(seal)}"
        api = f"/api/v1/seals/{seal.public_id}?code={service.code_for(seal)}"
        other_page = f"/verify/{other.public_id}?code={service.code_for(other)}"
        db.session.remove()
    shop = {"Referer": "https://shop.example/"}
    assert client.get(badge, headers=shop).headers["X-Seal-State"] == "valid"
    assert client.get(urls["verify"], headers=shop).status_code == 200
    assert client.get(api).status_code == 200

    proxy.stop()
    assert client.get("/readyz").status_code == 503
    assert client.get(badge, headers=shop).headers["X-Seal-State"] == "valid"  # the last known state
    assert client.get(urls["verify"], headers=shop).status_code == 200
    english = client.get(urls["verify"] + "&lang=en", headers=shop)  # not rendered before: from the record
    assert english.status_code == 200 and "other.example" not in english.get_data(as_text=True)
    assert client.get(api).get_json()["status"] == "active"
    down = client.get(other_page + "&lang=en")  # never read: the database is needed, and missing
    assert down.status_code == 503 and "cannot reach its records" in down.get_data(as_text=True)
    assert down.headers["Retry-After"] == "30"
    persian = client.get(other_page).get_data(as_text=True)
    assert "cannot reach" not in persian and "<h1>" in persian
    assert client.get(f"/api/v1/seals/{other.public_id}?code=x").status_code == 503
    unseen_badge = client.get(f"/badge/{other.public_id}.svg?code={other_page.split('code=')[1]}")
    assert unseen_badge.status_code == 503 and unseen_badge.headers["Cache-Control"] == "no-store"

    proxy.start()  # back: no restart, the pool reconnects
    deadline = time.monotonic() + 10
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the app did not recover"
        time.sleep(0.2)
    assert client.get(other_page).status_code == 200
    with app.app_context():
        service.suspend(seal.public_id, now=now, actor="test", reason="after the outage")
    assert client.get(api).get_json()["status"] == "suspended"
