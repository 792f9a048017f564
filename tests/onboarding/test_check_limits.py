"""Domain checks that fetch a slow site are capped per account and in all, so they never hold every thread."""
import threading

import pytest

from seal_server.accounts.models import Account
from seal_server.extensions import db
from seal_server.onboarding import domain, proof, service

BUSY_ACCOUNT = "Your previous ownership check is still running; wait for it to finish."
BUSY_ALL = "Too many ownership checks are running right now; please try again in a minute."


def _application(now, national_code, mobile, host):
    account = Account(national_code=national_code, mobile=mobile, created_at=now)
    db.session.add(account)
    db.session.commit()
    application = service.open_application(account, now)
    application.domain, application.name_fa, application.owns_domain_declared_at = host, "نمونه", now
    db.session.commit()
    return application.id, domain.start(application, proof.META, None, now).id


@pytest.fixture
def slow_site(monkeypatch):
    """Every fetch blocks until the test lets it go, like a site that answers after 15 seconds."""
    entered, release = threading.Semaphore(0), threading.Event()

    def slow(challenge, code):
        entered.release()
        release.wait(10)
        raise proof.ProofFailed(proof.N_("The home page answered with status %(status)s."), status=504)

    monkeypatch.setattr(domain, "_run", slow)
    yield entered, release
    release.set()


def _check_in_thread(app, application_id, challenge_id, now):
    def run():
        with app.app_context():
            try:
                domain.check(db.session.get(service.Application, application_id), challenge_id, now)
            except proof.ProofFailed:
                pass
            finally:
                db.session.remove()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _refusal(application_id, challenge_id, now):
    with pytest.raises(proof.ProofFailed) as caught:
        domain.check(db.session.get(service.Application, application_id), challenge_id, now)
    return caught.value.message


@pytest.mark.parametrize("app_config", [{"SEAL_PROOF_CHECKS_RUNNING": 2, "SEAL_PROOF_CHECKS_PER_ACCOUNT": 1}])
def test_slow_checks_are_capped_per_account_and_in_all(app, ctx, now, slow_site):
    entered, release = slow_site
    first = _application(now, "0013542419", "09121234567", "slow.example")
    second = _application(now, "0067749828", "09121234568", "slow2.example")
    third = _application(now, "1234567891", "09121234569", "slow3.example")
    running = [_check_in_thread(app, *first, now)]
    assert entered.acquire(timeout=10)
    assert _refusal(*first, now) == BUSY_ACCOUNT  # the same account cannot start a second one
    running.append(_check_in_thread(app, *second, now))
    assert entered.acquire(timeout=10)
    assert _refusal(*third, now) == BUSY_ALL  # and nobody starts a third while two run
    release.set()
    for thread in running:
        thread.join(10)
    with pytest.raises(proof.ProofFailed) as caught:
        domain.check(db.session.get(service.Application, third[0]), third[1], now)
    assert caught.value.message == "The home page answered with status %(status)s."
