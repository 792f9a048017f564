"""Staff TOTP secrets are encrypted at rest under a key derived from SEAL_SECRET_KEYS, and survive rotation."""
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import text

import seal_server
from seal_server import signing
from seal_server.extensions import db
from seal_server.staff.models import Staff
from tests.conftest import TEST_KEYS
from tests.staff.conftest import ADMIN_CODE, enrol, sign_in

ROTATED = "test-key-rotated-0123456789abcdefghijklmnop"


def _stored(app, staff_id):
    with app.app_context():
        return db.session.execute(text("SELECT * FROM staff WHERE id = :id"), {"id": staff_id}).mappings().one()


def test_the_database_never_holds_the_base32_secret_and_sign_in_still_works(app, client, clock):
    member = enrol(app, ADMIN_CODE, ["admin"], clock.now)
    row = _stored(app, member.id)
    assert "totp_secret" not in row
    assert all(member.secret not in str(value) for value in row.values())
    assert row["totp_secret_enc"].startswith("gAAAA")  # a Fernet token
    with app.app_context():
        assert signing.open_secret(row["totp_secret_enc"]) == (member.secret, True)
        # the key is derived per purpose: the same keys with another `info` do not open it
        with pytest.raises(ValueError):
            signing.open_secret(row["totp_secret_enc"], info=b"another purpose")
    assert sign_in(client, member, clock.now).status_code == 302 and client.get("/staff").status_code == 200


def test_after_a_rotation_the_old_key_still_opens_and_sign_in_re_encrypts_under_the_newest(app, clock):
    member = enrol(app, ADMIN_CODE, ["admin"], clock.now)
    before = _stored(app, member.id)["totp_secret_enc"]
    app.config["SEAL_SECRET_KEYS"] = list(TEST_KEYS) + [ROTATED]
    with app.app_context():
        assert signing.open_secret(before) == (member.secret, False)
    assert sign_in(app.test_client(), member, clock.now).status_code == 302
    after = _stored(app, member.id)["totp_secret_enc"]
    assert after != before and member.secret not in after
    with app.app_context():
        assert signing.open_secret(after) == (member.secret, True)
    # the old keys retired: the re-encrypted secret still signs in
    app.config["SEAL_SECRET_KEYS"] = [ROTATED]
    assert sign_in(app.test_client(), member, clock.advance(seconds=30)).status_code == 302
    with app.app_context():
        with pytest.raises(ValueError):
            signing.open_secret(before)


def test_the_migration_encrypts_existing_rows_and_the_downgrade_decrypts_them(app, clock):
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    member = enrol(app, ADMIN_CODE, ["admin"], clock.now)
    path = next((Path(seal_server.__file__).parent / "migrations" / "versions").glob("b7e5c2a91f04_*.py"))
    spec = importlib.util.spec_from_file_location("totp_at_rest", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    def run(step):
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as connection:
                with Operations.context(MigrationContext.configure(connection)):
                    step()

    run(migration.downgrade)
    row = _stored(app, member.id)
    assert row["totp_secret"] == member.secret and "totp_secret_enc" not in row
    run(migration.upgrade)
    row = _stored(app, member.id)
    assert "totp_secret" not in row and member.secret not in row["totp_secret_enc"]
    with app.app_context():
        assert db.session.get(Staff, member.id).totp_secret == member.secret


def test_a_key_retired_too_early_refuses_the_code_without_a_500_and_a_recovery_code_still_works(app, clock, caplog):
    member = enrol(app, ADMIN_CODE, ["admin"], clock.now)
    app.config["SEAL_SECRET_KEYS"] = [ROTATED]  # the key the secret was encrypted under is gone
    refused = sign_in(app.test_client(), member, clock.now)
    assert refused.status_code == 400
    assert "no key in SEAL_SECRET_KEYS opens their TOTP secret" in caplog.text
    assert sign_in(app.test_client(), member, clock.now, code=member.recovery[0]).status_code == 302
