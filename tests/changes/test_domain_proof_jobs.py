"""A domain change's proof by a method that fetches the new domain runs on the worker, like onboarding's checks:
pressing "check" only queues a job (at most SEAL_PROOF_CHECKS_PER_ACCOUNT per account), the page follows it,
and the worker applies the change exactly as the request used to (new serial, events)."""
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from seal_server.changes.models import SealChange
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.onboarding.models import DomainCheck, DomainChallenge
from seal_server.seals import service as seals
from tests.accounts.conftest import sign_in
from tests.conftest import run_queued_checks
from tests.onboarding.servers import Site, free_port

from .conftest import act, request_change, seal_for

BUSY = "Your previous ownership check is still running; wait for it to finish."


@pytest.fixture
def site():
    site = Site()
    yield site
    site.close()


@pytest.fixture
def app_config(site):
    return {"SEAL_FETCH_RESOLVER": lambda host: ["127.0.0.1"] if host.endswith(".example") else [],
            "SEAL_FETCH_ALLOW_LOOPBACK": True, "SEAL_FETCH_HTTP_PORT": site.port,
            "SEAL_FETCH_HTTPS_PORT": free_port()}


def _progress(client, location):
    """(state the page's script reads, the page) for the change's page."""
    page = client.get(location).get_data(as_text=True)
    url = re.search(r'data-status-url="([^"]+)"', page)
    if url is None:
        return None, page
    answer = client.get(url.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    return answer.get_json(), page


def test_pressing_check_queues_the_proof_and_the_worker_moves_the_seal(app, site):
    owner = FlaskClient(app)  # runs no jobs itself: what the request does is all we see
    sign_in(owner)
    public_id = seal_for(app)
    location = request_change(owner, public_id, "domain", domain="newshop.example").headers["Location"]
    assert act(owner, location, "proof-start", method="meta").status_code == 302
    with app.app_context():
        token = db.session.scalar(select(DomainChallenge.token))
    site.page("/", "busy", status=503)  # the new site is not up yet

    pressed = act(owner, location, "proof-check")
    assert pressed.status_code == 302 and site.requests == []  # back at once; nothing fetched in the request
    answer, page = _progress(owner, location)
    assert answer["state"] == "queued" and "Your check is waiting for its turn" in page
    assert 'http-equiv="refresh"' in page and "onboarding-domain.js" in page
    refused = act(owner, location, "proof-check")  # a second press while the first waits: over the limit
    assert refused.status_code == 400 and BUSY in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(DomainCheck.kind)) == "change"
        assert len(db.session.scalars(select(DomainCheck)).all()) == 1

    assert run_queued_checks(app) == 1
    answer, page = _progress(owner, location)
    assert answer is None and "The home page answered with status 503." in page  # done, refused: the page says why
    assert "Check now" in page
    with app.app_context():
        assert seals.get_seal(public_id).serial == 1
        assert db.session.scalar(select(SealChange.state)) == "pending"

    site.page("/", f'<html><head><meta name="seal-verification" content="{token}"></head></html>')
    assert act(owner, location, "proof-check").status_code == 302
    answer, _ = _progress(owner, location)
    assert answer["state"] == "queued" and answer["verified"] is False
    assert run_queued_checks(app) == 1
    with app.app_context():
        seal = seals.get_seal(public_id)
        assert (seal.domain, seal.serial) == ("newshop.example", 2)
        assert db.session.scalar(select(SealChange.state)) == "applied"
        assert db.session.scalar(select(Event).where(Event.kind == "seal.domain_changed")) is not None
        check = db.session.scalars(select(DomainCheck).order_by(DomainCheck.id.desc())).first()
        assert (check.state, check.verified, check.slot) == ("done", True, None)
        status = f"{location.split('?')[0]}/checks/{check.id}"
    assert owner.get(status).get_json()["state"] == "done"
    assert 'id="domain-moved"' in owner.get(location).get_data(as_text=True)
    stranger = FlaskClient(app)
    sign_in(stranger, "0012345008", "09120000009")
    assert stranger.get(status).status_code == 404
