"""A domain change: a new proof, a new serial; the old snippet stops verifying and the owner gets the new code."""
import pytest
from sqlalchemy import select

from seal_server.changes.models import SealChange
from seal_server.clock import utcnow
from seal_server.events import webhooks
from seal_server.events.actors import Actor
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.notify.models import OutboxMessage
from seal_server.onboarding.models import Application, DomainChallenge
from seal_server.seals import service as seals
from tests.events.conftest import receiver, verify_signature  # noqa: F401 (fixture)
from tests.factories import issue
from tests.onboarding.payflow import path_of

from .conftest import act, newest_code, request_change, seal_for


@pytest.fixture
def app_config():
    return {"SEAL_FETCH_ALLOW_LOOPBACK": True, "SEAL_WEBHOOK_TIMEOUT": 2}


def badge_state(client, urls, host):
    response = client.get(path_of(urls["badge_url"]), headers={"Referer": f"https://{host}/"})
    return response.headers["X-Seal-State"]


def test_a_proven_new_domain_gets_a_new_serial_and_the_old_code_stops_verifying(app, owner, receiver):
    public_id = seal_for(app)
    with app.app_context():
        seal = seals.get_seal(public_id)
        old_urls = seals.urls_for(seal)
        _, secret = webhooks.add_endpoint(seal, receiver.url, [], now=utcnow(), actor=Actor.owner(1))
        db.session.commit()
        issue("taken.example", now=utcnow())
    assert badge_state(owner, old_urls, "shop.example") == "valid"
    for domain, message in (("taken.example", "This domain already holds a seal."),
                            ("co.ir", "public suffix"), ("shop.example", "already has"),
                            ("not a domain", "")):
        refused = request_change(owner, public_id, "domain", domain=domain)
        assert refused.status_code == 400 and message in refused.get_data(as_text=True), domain
        assert f'value="{domain}"' in refused.get_data(as_text=True)
    response = request_change(owner, public_id, "domain", domain="NewShop.Example")
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert act(owner, location, "proof-start", method="email", mailbox="admin").status_code == 302
    code = newest_code(app, "admin@newshop.example")
    wrong = act(owner, location, "proof-check", code="12345")
    assert wrong.status_code == 400 and "The code has 6 digits." in wrong.get_data(as_text=True)
    assert badge_state(owner, old_urls, "shop.example") == "valid"  # nothing changes before the proof
    assert act(owner, location, "proof-check", code=code).status_code == 302
    with app.app_context():
        seal = seals.get_seal(public_id)
        new_urls = seals.urls_for(seal)
        assert (seal.domain, seal.serial, seal.business.domain, seal.status) == (
            "newshop.example", 2, "newshop.example", "active")
        assert db.session.scalar(select(SealChange.state)) == "applied"
        assert db.session.scalar(select(DomainChallenge.verified_at)) is not None
        assert db.session.scalar(select(Application.domain)) == "newshop.example"
        event = db.session.scalar(select(Event).where(Event.kind == "seal.domain_changed"))
        assert event.payload["code"] == new_urls["code"] and new_urls["code"] in event.payload["snippet"]
        assert (event.payload["old_domain"], event.payload["new_domain"]) == ("shop.example", "newshop.example")
        email = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "info@shop.example",
                                                               OutboxMessage.channel == "email")
                                   .order_by(OutboxMessage.id.desc())).first()
        assert new_urls["code"] in email.body and "newshop.example" in email.body
    assert new_urls["code"] != old_urls["code"]
    assert badge_state(owner, old_urls, "shop.example") == "invalid"
    assert badge_state(owner, old_urls, "newshop.example") == "invalid"
    assert badge_state(owner, new_urls, "newshop.example") == "valid"
    assert badge_state(owner, new_urls, "shop.example") == "foreign"
    assert owner.get(path_of(old_urls["verify_url"])).status_code == 404
    page = owner.get(location).get_data(as_text=True)
    assert 'id="domain-moved"' in page and new_urls["code"] in page
    hit = next(hit for hit in receiver.hits if hit["json"]["type"] == "seal.domain_changed")
    assert verify_signature(secret, hit["headers"]["Seal-Signature"], hit["body"])
    data = hit["json"]["data"]
    assert data["details"]["code"] == new_urls["code"] and (data["id"], data["domain"]) == (public_id, "newshop.example")
    assert data["verify_url"] == new_urls["verify_url"]


def test_a_domain_sealed_by_someone_else_meanwhile_is_refused_at_the_proof(app, owner):
    public_id = seal_for(app)
    response = request_change(owner, public_id, "domain", domain="race.example")
    location = response.headers["Location"]
    assert act(owner, location, "proof-start", method="email", mailbox="webmaster").status_code == 302
    code = newest_code(app, "webmaster@race.example")
    with app.app_context():
        issue("race.example", now=utcnow())
    refused = act(owner, location, "proof-check", code=code)
    assert refused.status_code == 400 and "This domain already holds a seal." in refused.get_data(as_text=True)
    with app.app_context():
        seal = seals.get_seal(public_id)
        assert (seal.domain, seal.serial) == ("shop.example", 1)
        assert db.session.scalar(select(SealChange.state)) == "pending"


def test_change_domain_is_a_compare_and_set(app):
    with app.app_context():
        seal = issue("one.example", now=utcnow())
        seals.change_domain(seal.public_id, expected_domain="one.example", new_domain="two.example", now=utcnow(),
                            actor="test")
        with pytest.raises(seals.InvalidTransition):
            seals.change_domain(seal.public_id, expected_domain="one.example", new_domain="three.example",
                                now=utcnow(), actor="test")
        assert (seals.get_seal(seal.public_id).domain, seals.get_seal(seal.public_id).serial) == ("two.example", 2)
