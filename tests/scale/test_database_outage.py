"""PostgreSQL unreachable (a proxy in front of it stopped by the test): badges and cached pages keep
answering, the rest is a friendly 503 (a form sent meanwhile comes back to be sent again, nothing
half-written), /readyz says so, and service resumes without a restart."""
import html
import re
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from werkzeug.datastructures import MultiDict

from seal_server.clock import utcnow
from seal_server.extensions import db
from seal_server.onboarding.models import Application
from seal_server.seals import service
from tests.accounts.conftest import csrf_from, sign_in
from tests.conftest import _empty_tables, make_app
from tests.factories import issue
from tests.onboarding.conftest import BUSINESS, new_application
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


def _resend_form(page):
    """The fields the 503 page keeps, as the browser would send them again."""
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1).replace("&amp;", "&")
    fields = [(html.unescape(name), html.unescape(value))
              for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)]
    return action, fields


def test_nothing_written_is_lost_while_the_database_is_away(outage):
    """An owner's form sent during the outage: a friendly 503 that keeps every answer, nothing half-written,
    and the same answers sent again after recovery are saved, once."""
    app, proxy = outage
    owner = app.test_client()
    sign_in(owner)
    draft = new_application(owner)
    business = f"/panel/applications/{draft}/business?lang=en"
    token = csrf_from(owner.get(business))
    typed = {**BUSINESS, "csrf_token": token, "name_fa": "فروشگاه «نمونه» & شرکا"}

    proxy.stop()
    refused = owner.post(business, data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert "cannot reach its records" in page and "nothing you typed is lost" in page
    action, fields = _resend_form(page)
    assert action == business and sorted(fields) == sorted(typed.items())
    another = owner.post("/panel/applications?lang=en", data={"csrf_token": token})
    assert another.status_code == 503 and _resend_form(another.get_data(as_text=True))[1] == [("csrf_token", token)]
    persian = owner.post(business.replace("?lang=en", ""), data=typed).get_data(as_text=True)
    assert "<h1>" in persian and "cannot reach" not in persian

    proxy.start()
    deadline = time.monotonic() + 10
    while owner.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the app did not recover"
        time.sleep(0.2)
    with app.app_context():
        application = db.session.get(Application, draft)
        assert application.name_fa is None and application.domain is None  # nothing half-written
        assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    saved = owner.post(action, data=MultiDict(fields))  # "Send again"
    assert saved.status_code == 302
    created = owner.post("/panel/applications?lang=en", data=dict(_resend_form(another.get_data(as_text=True))[1]))
    assert created.status_code == 302
    with app.app_context():
        application = db.session.get(Application, draft)
        assert (application.name_fa, application.domain) == ("فروشگاه «نمونه» & شرکا", "shop.example")
        assert db.session.scalar(select(func.count()).select_from(Application)) == 2  # the new one, once
