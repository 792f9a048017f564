"""Ownership emails and contact codes are capped per domain / address and per account, not only per application."""
from datetime import timedelta

import pytest

from seal_server.accounts.models import Account
from seal_server.extensions import db
from seal_server.onboarding import codes, domain, proof, service

TTL = timedelta(minutes=10)


@pytest.fixture
def app_config():
    return {"SEAL_APPLICATIONS_PER_ACCOUNT": 20, "SEAL_APPLICATIONS_PER_DAY": 20}


def _account(now, national_code="0013542419", mobile="09121234567"):
    account = Account(national_code=national_code, mobile=mobile, created_at=now)
    db.session.add(account)
    db.session.commit()
    return account


def _application(account, now, host="shop.example"):
    application = service.open_application(account, now)
    application.domain, application.name_fa, application.owns_domain_declared_at = host, "نمونه", now
    db.session.commit()
    return application


def _refused(call):
    with pytest.raises((proof.ProofFailed, codes.CodeError)) as caught:
        call()
    return caught.value


def test_a_new_application_brings_no_new_ownership_emails_for_the_same_domain(ctx, now):
    account = _account(now)
    first = _application(account, now)
    for _ in range(domain.EMAIL_CHALLENGES_PER_DAY):
        domain.start(first, proof.EMAIL, "admin", now)
    again = _application(account, now)
    assert _refused(lambda: domain.start(again, proof.EMAIL, "admin", now)).variables == {
        "count": domain.EMAIL_CHALLENGES_PER_DAY}
    stranger = _application(_account(now, "0067749828", "09121234568"), now)
    assert _refused(lambda: domain.start(stranger, proof.EMAIL, "webmaster", now)).message.startswith(
        "At most %(count)s ownership emails a day for this domain")
    domain.start(stranger, proof.EMAIL, "admin", now + timedelta(days=1, seconds=1))


def test_ownership_emails_are_capped_per_account_across_domains(ctx, now):
    account = _account(now)
    for n in range(domain.EMAIL_CHALLENGES_PER_ACCOUNT_DAY):
        domain.start(_application(account, now, f"shop{n}.example"), proof.EMAIL, "admin", now)
    last = _application(account, now, "another.example")
    refusal = _refused(lambda: domain.start(last, proof.EMAIL, "admin", now))
    assert refusal.message.startswith("At most %(count)s ownership emails a day from your account")


def test_contact_codes_are_capped_per_address_across_applications(ctx, now):
    account = _account(now)
    first = _application(account, now)
    for _ in range(codes.CODES_PER_DAY):
        codes.issue(first, "landline", "02188776655", now, ttl=TTL)
    second = _application(_account(now, "0067749828", "09121234568"), now, "other.example")
    refusal = _refused(lambda: codes.issue(second, "landline", "02188776655", now, ttl=TTL))
    assert refusal.message == "At most %(count)s codes a day to this address or number; try again tomorrow."
    codes.issue(second, "landline", "02188776656", now, ttl=TTL)


def test_contact_codes_are_capped_per_account(ctx, now):
    account = _account(now)
    for n in range(codes.CODES_PER_ACCOUNT_DAY):
        codes.issue(_application(account, now, f"s{n}.example"), "email", f"info{n}@s.example", now, ttl=TTL)
    refusal = _refused(lambda: codes.issue(_application(account, now, "x.example"), "email", "a@x.example", now,
                                           ttl=TTL))
    assert refusal.message == "At most %(count)s codes a day from your account; try again tomorrow."
