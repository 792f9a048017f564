"""A database holding the first release's schema and data upgrades to head, serves, and goes back down."""
from datetime import datetime, timezone

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from seal_server import signing
from seal_server.extensions import db
from tests.conftest import make_app

FIRST_RELEASE = "21c15056b643"
ISSUED = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
EXPIRES = datetime(2028, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of the same kind as the suite's (PostgreSQL: <suite db>_upgrade, made here)."""
    if not database_url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "first-release.sqlite3")
        return
    url = make_url(database_url)
    name = f"{url.database}_upgrade"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _moment(value, dialect):
    return value.replace(tzinfo=None).isoformat(" ") if dialect == "sqlite" else value


def first_release_data(dialect):
    at = {"issued": _moment(ISSUED, dialect), "expires": _moment(EXPIRES, dialect)}
    db.session.execute(text(
        "INSERT INTO owners (id, kind, first_name, last_name, national_code, mobile, created_at) "
        "VALUES (1, 'natural', 'مریم', 'احمدی', '0012345679', '09121234567', :issued)"), at)
    db.session.execute(text(
        "INSERT INTO businesses (id, owner_id, name_fa, name_en, domain, email, created_at) "
        "VALUES (1, 1, 'كتاب‌فروشي قديمي', 'Old Books', 'oldbooks.example', 'shop@oldbooks.example', :issued)"), at)
    db.session.execute(text(
        "INSERT INTO licences (id, business_id, title, issuer, number) VALUES (1, 1, 'Bookselling', 'Guild', '42')"))
    db.session.execute(text(
        "INSERT INTO seals (id, public_id, business_id, domain, kind, stars, status, serial, issued_at, expires_at, "
        "updated_at) VALUES (1, 'k7mq2xw9rtbn', 1, 'oldbooks.example', 'standard', 2, 'active', 1, :issued, "
        ":expires, :issued)"), at)
    db.session.commit()


def test_first_release_upgrades_to_head_and_back(scratch_url):
    app = make_app(scratch_url)
    with app.app_context():
        dialect = db.engine.dialect.name
        upgrade(revision=FIRST_RELEASE)
        first_release_data(dialect)
        upgrade()
        db.session.remove()

        code = signing.seal_code("k7mq2xw9rtbn", "oldbooks.example", 1)
        client = app.test_client()
        badge = client.get(f"/badge/k7mq2xw9rtbn.svg?code={code}", headers={"Referer": "https://oldbooks.example/"})
        assert badge.headers["X-Seal-State"] == "valid"
        api = client.get(f"/api/v1/seals/k7mq2xw9rtbn?code={code}").get_json()
        assert (api["owner"], api["stars"], api["status"]) == ("مریم احمدی", 2, "active")
        page = client.get(f"/verify/k7mq2xw9rtbn?code={code}&lang=en").get_data(as_text=True)
        assert "Old Books" in page and "Bookselling" in page and "0012345679" not in page
        # written with Arabic letters in the first release, found with Persian ones now
        assert "oldbooks.example" in client.get("/registry", query_string={"q": "کتاب فروشی"}).get_data(as_text=True)

        db.session.remove()
        downgrade(revision=FIRST_RELEASE)
        assert db.session.execute(text("SELECT public_id, status FROM seals")).all() == [("k7mq2xw9rtbn", "active")]
        assert db.session.scalar(text("SELECT name_fa FROM businesses")) == "كتاب‌فروشي قديمي"
        db.session.remove()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
