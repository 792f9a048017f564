"""Violation reports from the verification page: honeypot, proof of work, rate limit, tracking code; staff triage."""
import re
from itertools import count

import pytest
from sqlalchemy import select

from seal_server.conformity import rules
from seal_server.conformity.models import NonConformity, ViolationReport
from seal_server.extensions import db
from seal_server.seals import service as seal_service
from tests.accounts.conftest import csrf_from
from tests.factories import issue
from tests.staff.conftest import token_of

REPORT = {"kind": "fraud", "description": "کالا پس از پرداخت ارسال نشد و پاسخی ندادند"}


def solve(challenge):
    return next(str(n) for n in count() if rules.work_ok(challenge, str(n)))


def test_work_needs_the_leading_zero_bits():
    nonce = solve("abc")
    assert rules.work_ok("abc", nonce)
    assert int(nonce) == min(n for n in range(int(nonce) + 1) if rules.work_ok("abc", str(n)))
    assert not rules.work_ok("abc", "x1") and not rules.work_ok("abc", "")


@pytest.fixture
def sealed(app, now):
    with app.app_context():
        seal = issue("shop.example", now=now)
        return seal.public_id, "/verify/{}/violation?code={}".format(seal.public_id, seal_service.code_for(seal))


def send(client, path, **changes):
    page = client.get(path)
    challenge = re.search(r'name="challenge" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    data = {"csrf_token": csrf_from(page), "challenge": challenge, "nonce": solve(challenge), **REPORT, **changes}
    return client.post(path, data=data)


def test_anyone_reports_and_gets_a_tracking_code(app, client, sealed):
    _, path = sealed
    response = send(client, path)
    assert response.status_code == 200
    code = re.search(r'class="tracking-code">(V[A-Z0-9]{9})<', response.get_data(as_text=True)).group(1)
    with app.app_context():
        assert db.session.scalar(select(ViolationReport)).tracking_code == code


@pytest.mark.parametrize("changes", [
    {"website": "http://spam.example"},  # the honeypot
    {"nonce": "1"},  # no work done (1 almost never solves it)
    {"challenge": "forged.1.2.3"},
    {"kind": "nonsense"},
    {"description": "short"},
])
def test_robots_and_bad_reports_are_refused(app, client, sealed, changes):
    _, path = sealed
    if changes.get("nonce") == "1":
        page = client.get(path)
        challenge = re.search(r'name="challenge" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        if rules.work_ok(challenge, "1"):
            pytest.skip("1 happens to solve this challenge")
    response = send(client, path, **changes)
    assert response.status_code == 400
    if "kind" in changes:  # the form comes back filled
        assert REPORT["description"] in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ViolationReport)) is None


def test_a_flood_from_one_address_is_stopped(app, client, sealed):
    _, path = sealed
    app.config["RATELIMIT_ENABLED"] = True
    answers = [send(client, path).status_code for _ in range(6)]
    assert answers[:5] == [200] * 5 and answers[5] == 429


def test_staff_triage(app, client, sealed, staff_client):
    public_id, path = sealed
    for _ in range(3):
        send(client, path)
    with app.app_context():
        ids = db.session.scalars(select(ViolationReport.id).order_by(ViolationReport.id)).all()
    reviewer, _ = staff_client("reviewer")
    queue = "/staff/violations"
    assert "shop.example" in reviewer.get(queue).get_data(as_text=True)
    assert reviewer.post(f"/staff/violations/{ids[0]}", data={"csrf_token": token_of(reviewer, queue),
                                                               "outcome": "dismissed"}).status_code == 302
    assert reviewer.post(f"/staff/violations/{ids[1]}", data={"csrf_token": token_of(reviewer, queue),
                                                               "outcome": "nonconformity"}).status_code == 302
    assert reviewer.post(f"/staff/violations/{ids[2]}", data={"csrf_token": token_of(reviewer, queue),
                                                               "outcome": "suspended"}).status_code == 403
    supervisor, _ = staff_client("supervisor")
    assert supervisor.post(f"/staff/violations/{ids[2]}", data={"csrf_token": token_of(supervisor, queue),
                                                                 "outcome": "suspended"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(NonConformity)).level == 1
        assert seal_service.get_seal(public_id).status == "suspended"
        assert [r.status for r in db.session.scalars(select(ViolationReport).order_by(ViolationReport.id))] == \
            ["dismissed", "nonconformity", "suspended"]
