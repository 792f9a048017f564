"""Domain checks run on the worker: the request only queues them, the page follows their state.

The site here is a real local HTTP server whose home page answers only when the test lets it, like
an owner's site that takes its time; before this change each such check held a web thread.
"""
import re
import threading
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from seal_server.accounts.models import Account
from seal_server.clock import utcnow
from seal_server.events import worker
from seal_server.extensions import db
from seal_server.onboarding import checks, domain, proof, service
from seal_server.onboarding.models import Application, DomainCheck
from seal_server.seals import service as seals
from tests.accounts.conftest import csrf_from, sign_in
from tests.conftest import run_queued_checks
from tests.factories import issue

from .servers import Site, free_port

CODES = ["0012345008", "0012345075", "0012345148", "0012345210", "0012345288", "0012345350", "0012345423",
         "0012345490"]
BUSY = "Your previous ownership check is still running; wait for it to finish."


class SlowSite(Site):
    """The home page answers, with every application's meta tag, once `release` is set; `entered` counts
    requests that are waiting."""

    def __init__(self):
        super().__init__()
        self.entered, self.release, self.tokens = threading.Semaphore(0), threading.Event(), []

        def home(out):
            self.entered.release()
            self.release.wait(20)
            tags = "".join(f'<meta name="seal-verification" content="{token}">' for token in self.tokens)
            out.write(f"<html><head>{tags}</head><body>shop</body></html>".encode())
        self.page("/", home)


@pytest.fixture
def now():
    """The pages ask the real clock, so the codes are made now."""
    return utcnow().replace(microsecond=0)


@pytest.fixture
def slow_site():
    site = SlowSite()
    yield site
    site.release.set()
    site.close()


@pytest.fixture
def app_config(slow_site):
    return {"SEAL_FETCH_RESOLVER": lambda host: ["127.0.0.1"] if host.endswith(".example") else [],
            "SEAL_FETCH_ALLOW_LOOPBACK": True, "SEAL_FETCH_HTTP_PORT": slow_site.port,
            "SEAL_FETCH_HTTPS_PORT": free_port(), "SEAL_PROOF_CHECKS_RUNNING": 2}


def _owner(app, national_code, mobile, host, now, site):
    """A signed-in owner (a client that does not run checks itself) with a draft for `host` and a meta code."""
    client = FlaskClient(app)
    sign_in(client, national_code, mobile)
    with app.app_context():
        account = db.session.scalars(select(Account).where(Account.national_code == national_code)).one()
        application = service.open_application(account, now)
        application.domain, application.name_fa, application.owns_domain_declared_at = host, "نمونه", now
        db.session.commit()
        challenge = domain.start(application, proof.META, None, now)
        site.tokens.append(challenge.token)
        return client, application.id, challenge.id


def _ask(client, application_id, challenge_id):
    page = client.get(f"/panel/applications/{application_id}/domain?lang=en")
    return client.post(f"/panel/applications/{application_id}/domain/check?lang=en",
                       data={"csrf_token": csrf_from(page), "challenge": challenge_id})


def _state(client, application_id):
    page = client.get(f"/panel/applications/{application_id}/domain?lang=en").get_data(as_text=True)
    url = re.search(r'data-status-url="([^"]+)"', page)
    if url is None:
        return "done", page
    answer = client.get(url.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    return answer.get_json()["state"], page


def test_eight_checks_of_a_slow_site_are_queued_not_waited_for(app, now, slow_site):
    with app.app_context():
        seal = issue(now=now)
        badge = f"/badge/{seal.public_id}.svg?code={seals.code_for(seal)}"
    owners = [_owner(app, code, f"0912000000{index}", f"shop{index}.example", now, slow_site)
              for index, code in enumerate(CODES)]
    answers = [None] * len(owners)

    def ask(index):
        answers[index] = _ask(*owners[index])
    askers = [threading.Thread(target=ask, args=(index,)) for index in range(len(owners))]
    for thread in askers:
        thread.start()
    for thread in askers:
        thread.join(20)
    # every request came back while the site had not answered a single fetch: nothing was fetched yet
    assert [answer.status_code for answer in answers] == [302] * 8
    assert all("/domain" in answer.headers["Location"] for answer in answers)
    assert slow_site.requests == []
    states = [_state(client, application_id) for client, application_id, _ in owners]
    assert [state for state, _ in states] == ["queued"] * 8
    assert "Your check is waiting for its turn" in states[0][1] and 'http-equiv="refresh"' in states[0][1]

    stop = threading.Event()

    def work():
        with app.app_context():
            worker.run(utcnow, poll=0.05, stop=stop)
    runner = threading.Thread(target=work)
    runner.start()
    try:
        # the worker's two check threads wait on the site; the other six checks wait their turn
        assert slow_site.entered.acquire(timeout=15) and slow_site.entered.acquire(timeout=15)
        states = [_state(client, application_id)[0] for client, application_id, _ in owners]
        assert sorted(states) == ["fetching"] * 2 + ["queued"] * 6
        client = FlaskClient(app)
        assert client.get(badge, headers={"Referer": "https://shop.example/"}).headers["X-Seal-State"] == "valid"
        slow_site.release.set()
        for _ in range(200):
            states = [_state(client, application_id)[0] for client, application_id, _ in owners]
            if states == ["done"] * 8:
                break
            stop.wait(0.1)
        assert states == ["done"] * 8
    finally:
        slow_site.release.set()
        stop.set()
        runner.join(30)
    with app.app_context():
        for _, application_id, _ in owners:
            assert db.session.get(Application, application_id).domain_verified_by == proof.META
        assert db.session.scalars(select(DomainCheck.slot)).all() == [None] * 8


def test_one_check_at_a_time_per_account_and_the_result_on_the_page(app, now, slow_site):
    client, application_id, meta = _owner(app, CODES[0], "09121234567", "shop.example", now, slow_site)
    slow_site.tokens.clear()  # the site shows no code at all
    with app.app_context():
        title = domain.start(db.session.get(Application, application_id), proof.TITLE, None, now).id
    assert _ask(client, application_id, meta).status_code == 302
    refused = _ask(client, application_id, title)
    assert refused.status_code == 400 and BUSY in refused.get_data(as_text=True)
    # the database keeps the limit, whatever process asks: a second row in the same slot is refused
    with app.app_context():
        application = db.session.get(Application, application_id)
        db.session.add(DomainCheck(application_id=application_id, challenge_id=title, account_id=application.account_id,
                                   state=checks.QUEUED, slot=0, requested_at=now, runs=0, verified=False))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    slow_site.release.set()
    assert run_queued_checks(app) == 1
    state, page = _state(client, application_id)
    assert state == "done" and "The home page's head has no seal-verification meta tag." in page
    # the slot is free again: the next check is queued, and its own reason replaces the first one
    assert _ask(client, application_id, title).status_code == 302
    assert run_queued_checks(app) == 1
    state, page = _state(client, application_id)
    assert "The home page has no title." in page and "head has no seal-verification" not in page


def test_a_dead_workers_check_is_taken_again_after_its_lease(app, now, slow_site):
    client, application_id, meta = _owner(app, CODES[1], "09121234568", "shop.example", now, slow_site)
    slow_site.release.set()
    assert _ask(client, application_id, meta).status_code == 302
    with app.app_context():
        [(check_id, runs)] = checks.claim(now, 5)  # a worker claims it and dies
        assert checks.claim(now + timedelta(seconds=30), 5) == []  # nobody else while the lease holds
        later = now + checks.LEASE + timedelta(seconds=1)
        [(same, again)] = checks.claim(later, 5)
        assert (same, again) == (check_id, runs + 1)
        assert checks.run(check_id, runs, later) is None  # the first worker, back, finishes nothing
        row = checks.run(check_id, again, later)
        assert row.state == checks.DONE and row.verified and row.slot is None
        assert db.session.get(Application, application_id).domain_verified_at == later


def test_a_check_whose_workers_keep_dying_is_given_up(app, now, slow_site):
    client, application_id, meta = _owner(app, CODES[2], "09121234569", "shop.example", now, slow_site)
    assert _ask(client, application_id, meta).status_code == 302
    with app.app_context():
        when = now
        for _ in range(checks.MAX_RUNS + 1):
            [(check_id, runs)] = checks.claim(when, 5)
            when += checks.LEASE + timedelta(seconds=1)
        row = checks.run(check_id, runs, when)
        assert (row.state, row.verified, row.message, row.slot) == (checks.DONE, False, checks.GAVE_UP, None)
    assert slow_site.requests == []
    assert "The check could not be finished" in _state(client, application_id)[1]


def test_the_email_code_is_still_checked_in_the_request(app, now, slow_site):
    client, application_id, _ = _owner(app, CODES[3], "09121234560", "shop.example", now, slow_site)
    with app.app_context():
        challenge = domain.start(db.session.get(Application, application_id), proof.EMAIL, "admin", now).id
    page = client.get(f"/panel/applications/{application_id}/domain?lang=en")
    wrong = client.post(f"/panel/applications/{application_id}/domain/check?lang=en",
                        data={"csrf_token": csrf_from(page), "challenge": challenge, "code": "000000"})
    assert wrong.status_code == 400 and "This code is not right." in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(DomainCheck)).all() == []


def test_a_check_of_another_application_is_not_shown(app, now, slow_site):
    client, application_id, meta = _owner(app, CODES[4], "09121234561", "shop.example", now, slow_site)
    other, other_id, _ = _owner(app, CODES[5], "09121234562", "other.example", now, slow_site)
    assert _ask(client, application_id, meta).status_code == 302
    with app.app_context():
        check_id = db.session.scalars(select(DomainCheck.id)).one()
    assert other.get(f"/panel/applications/{other_id}/domain/checks/{check_id}").status_code == 404
    assert other.get(f"/panel/applications/{application_id}/domain/checks/{check_id}").status_code == 404


def test_the_worker_command_runs_queued_checks(app, runner, now, slow_site):
    from seal_server.cli import worker_command

    client, application_id, meta = _owner(app, CODES[6], "09121234563", "shop.example", now, slow_site)
    slow_site.release.set()
    assert _ask(client, application_id, meta).status_code == 302
    result = runner.invoke(worker_command, ["--once"])
    assert result.exit_code == 0, result.output
    assert '"checks": 1' in result.output
    with app.app_context():
        assert db.session.get(Application, application_id).domain_verified_by == proof.META
