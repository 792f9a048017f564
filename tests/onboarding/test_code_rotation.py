"""One-time-code digests live in signing.py and verify against every listed key: rotating keys voids no code."""
from datetime import timedelta

import pytest

from seal_server import signing
from seal_server.accounts import service as accounts
from seal_server.accounts.models import Account
from seal_server.extensions import db
from seal_server.onboarding import codes, domain, proof, service
from tests.accounts.conftest import last_code
from tests.conftest import deliver_queued

OLD, NEW = "old-rotation-key-0123456789abcdefghij", "new-rotation-key-0123456789abcdefghij"


@pytest.fixture
def app_config():
    return {"SEAL_SECRET_KEYS": [OLD], "SECRET_KEY": OLD}


def _rotate(app):
    app.config["SEAL_SECRET_KEYS"], app.config["SECRET_KEY"] = [OLD, NEW], NEW


def _application(now):
    account = Account(national_code="0013542419", mobile="09121234567", created_at=now)
    db.session.add(account)
    db.session.commit()
    application = service.open_application(account, now)
    application.domain, application.name_fa, application.owns_domain_declared_at = "shop.example", "نمونه", now
    db.session.commit()
    return application


def test_a_postal_code_in_the_mail_survives_a_key_rotation(app, ctx, now):
    application = _application(now)
    code, _ = codes.issue(application, "postal", "address", now, ttl=timedelta(days=30), length=8,
                          alphabet=codes.LETTER_ALPHABET)
    db.session.commit()
    _rotate(app)
    assert codes.use(application, "postal", code, now + timedelta(days=10), target="address", length=8,
                     alphabet=codes.LETTER_ALPHABET)
    # and a code issued after the rotation is signed with the new key
    fresh, row = codes.issue(application, "email", "info@shop.example", now, ttl=timedelta(minutes=10))
    assert signing.verify_code_digest(row.digest, f"verification.v1|email|{application.id}|{fresh}", keys=[NEW])


def test_a_sign_in_code_survives_a_key_rotation(app, ctx, now):
    challenge = accounts.start_sign_in("0013542419", "09121234567", ip="192.0.2.1", now=now)
    _rotate(app)
    assert accounts.verify_code(challenge.id, last_code(), now=now).national_code == "0013542419"


def test_a_domain_email_code_survives_a_key_rotation(app, ctx, now):
    from seal_server.notify.models import OutboxMessage
    import re

    application = _application(now)
    challenge = domain.start(application, proof.EMAIL, "admin", now)
    deliver_queued()
    body = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first().body
    code = re.search(r"\b(\d{6})\b", body).group(1)
    _rotate(app)
    domain.check(application, challenge.id, now, code=code)
    assert application.domain_verified_by == proof.EMAIL


def test_a_digest_from_an_unlisted_key_does_not_verify():
    digest = signing.code_digest("otp.v1|id|123456", keys=[OLD])
    assert signing.verify_code_digest(digest, "otp.v1|id|123456", keys=[OLD, NEW])
    assert not signing.verify_code_digest(digest, "otp.v1|id|123456", keys=[NEW])
    assert not signing.verify_code_digest(digest, "otp.v1|id|123457", keys=[OLD])
    assert signing.verify_code_digest(digest[:47], "otp.v1|id|123456", keys=[OLD], length=47)
