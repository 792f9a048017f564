"""Star criteria (pure, with hypothesis), the HTTPS check against a local TLS server, and rating requests
from the owner's request through the sandbox bank to a reviewer's decision."""
import re
import ssl
from datetime import datetime, timedelta, timezone

import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from seal_server.conformity import https, rules, service
from seal_server.conformity.models import RatingRequest
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.onboarding.fetcher import SafeFetcher, table_resolver
from seal_server.seals import service as seal_service
from seal_server.seals.models import Licence
from tests.onboarding.payflow import pay_at_sandbox, path_of
from tests.onboarding.servers import Site
from tests.staff.conftest import token_of

from .conftest import post_form

facts = st.builds(
    rules.StarFacts, https_ok=st.booleans(), long_activity=st.booleans(),
    licences_counting=st.integers(0, 5), sealed_days=st.integers(0, 4000),
    unanswered_complaints=st.integers(0, 5), answer_rate=st.none() | st.floats(0, 1),
    nonconformities_open=st.integers(0, 3))


@given(facts, st.integers(1, 5))
def test_stars_stay_between_one_and_the_cap(star_facts, cap):
    assert 1 <= rules.earned_stars(star_facts, cap) <= max(cap, 1)


@given(facts)
def test_each_star_needs_every_one_before_it(star_facts):
    earned = rules.earned_stars(star_facts)
    met = dict(rules.criteria(star_facts))
    assert all(met[star] for star in range(2, earned + 1))
    assert earned == 5 or not met[earned + 1]


@given(facts)
def test_without_https_there_is_only_one_star(star_facts):
    assert rules.earned_stars(rules.StarFacts(**{**star_facts.__dict__, "https_ok": False})) == 1


@given(facts, st.integers(0, 5))
def test_a_recheck_never_adds_stars(star_facts, current):
    assert rules.stars_to_withdraw(current, star_facts) <= current


def test_good_service_thresholds():
    good = rules.StarFacts(https_ok=True, long_activity=True, licences_counting=1, sealed_days=730,
                           answer_rate=0.95)
    assert rules.earned_stars(good) == 5
    assert rules.earned_stars(rules.StarFacts(**{**good.__dict__, "sealed_days": 729})) == 4
    assert rules.earned_stars(rules.StarFacts(**{**good.__dict__, "answer_rate": 0.94})) == 4
    assert rules.earned_stars(rules.StarFacts(**{**good.__dict__, "nonconformities_open": 1})) == 4
    assert rules.earned_stars(good, thresholds=rules.Thresholds(good_service_days=1000)) == 4
    assert rules.earned_stars(good, cap=3) == 3


# the HTTPS check ------------------------------------------------------------------------------------------

@pytest.fixture
def tls():
    """make(name, not_after) -> (fetcher trusting the throwaway CA, a TLS site presenting that certificate)."""
    ca = trustme.CA()
    sites = []

    def make(name, not_after=None):
        site = Site()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(name, not_after=not_after).configure_cert(context)
        site.server.socket = context.wrap_socket(site.server.socket, server_side=True)
        sites.append(site)
        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)
        fetcher = SafeFetcher(resolver=table_resolver((("shop.example", "127.0.0.1"),)), allow_loopback=True,
                              ports={"http": 80, "https": site.port}, ssl_context=trusting)
        return fetcher
    yield make
    for site in sites:
        site.close()


def test_https_check_valid_expired_soon_and_wrong_host(tls):
    now = datetime.now(timezone.utc)
    ok, _ = https.check_https("shop.example", now, tls("shop.example", now + timedelta(days=90)))
    assert ok
    ok, note = https.check_https("shop.example", now, tls("shop.example", now + timedelta(days=10)))
    assert not ok and "14 days" in note
    ok, note = https.check_https("shop.example", now, tls("shop.example", now - timedelta(days=1)))
    assert not ok and "certificate" in note
    ok, note = https.check_https("shop.example", now, tls("other.example", now + timedelta(days=90)))
    assert not ok and "certificate" in note


def test_a_self_signed_certificate_earns_nothing(tls):
    now = datetime.now(timezone.utc)
    fetcher = tls("shop.example", now + timedelta(days=90))
    fetcher.ssl_context = ssl.create_default_context()  # the system's CAs do not know the throwaway CA
    assert https.check_https("shop.example", now, fetcher)[0] is False


# rating requests ---------------------------------------------------------------------------------------------

def ask(client, public_id, level="advanced", lang=""):
    return post_form(client, f"/panel/seals/{public_id}/rating{lang}", {"level": level, "evidence": "از ۱۳۹۵"})


def test_owner_asks_pays_and_a_reviewer_grants_stars(app, owner, staff_client, clock, monkeypatch):
    client, public_id = owner
    with app.app_context():
        seal = seal_service.get_seal(public_id)
        today = service.local_today(clock.now)
        seal.business.licences.append(Licence(title="پروانه", issuer="اتحادیه", number="1", status="verified",
                                              valid_from=today - timedelta(days=10),
                                              valid_to=today + timedelta(days=400)))
        db.session.commit()
    response = ask(client, public_id)
    assert response.status_code == 302 and "/billing/invoices/" in response.headers["Location"]
    with app.app_context():
        item = db.session.scalar(select(RatingRequest))
        assert item.status == "awaiting_payment" and item.due_at is None
    pay_at_sandbox(client, path_of(response.headers["Location"]))
    with app.app_context():
        item = db.session.scalar(select(RatingRequest))
        assert item.status == "open" and item.due_at == item.paid_at + timedelta(days=14)
    page = client.get(f"/panel/seals/{public_id}/rating?lang=en").get_data(as_text=True)
    assert "Being reviewed" in page
    assert ask(client, public_id, lang="?lang=en").status_code == 400  # a second open request

    reviewer, _ = staff_client("reviewer")
    assert "Overdue" not in reviewer.get("/staff/ratings?lang=en").get_data(as_text=True)
    clock.advance(days=15)
    reviewer, _ = staff_client("reviewer")  # a fresh session: the first one timed out
    queue = reviewer.get("/staff/ratings?lang=en").get_data(as_text=True)
    assert "shop.example" in queue and "Overdue" in queue
    monkeypatch.setattr(https, "check_https", lambda domain, now, fetcher=None: (True, "ok"))
    detail = f"/staff/ratings/{item.id}"
    assert reviewer.post(detail, data={"csrf_token": token_of(reviewer, detail), "action": "check-https"}) \
        .status_code == 302
    response = reviewer.post(detail, data={"csrf_token": token_of(reviewer, detail), "action": "decide",
                                           "long_activity": "yes"})
    assert response.status_code == 302
    with app.app_context():
        seal = seal_service.get_seal(public_id)
        assert seal.stars == 4  # not yet two years sealed: no fifth star
        changed = db.session.scalars(select(Event).where(Event.kind == "seal.stars_changed")).all()
        assert len(changed) == 1
        assert db.session.scalar(select(RatingRequest)).granted_stars == 4
        api = seal_service.urls_for(seal)["verify_url"].replace("/verify/", "/api/v1/seals/")
    assert client.get(api.removeprefix("http://seal.test")).get_json()["stars"] == 4


def test_a_basic_request_stops_at_three_and_a_seal_never_loses_stars_by_asking(app, owner, clock):
    _, public_id = owner
    with app.app_context():
        seal = seal_service.get_seal(public_id)
        item = RatingRequest(seal_id=seal.id, level="basic", status="open", requested_at=clock.now,
                             paid_at=clock.now, due_at=clock.now + timedelta(days=14), https_ok=True)
        db.session.add(item)
        db.session.commit()
        service.decide_rating(item.id, staff_id=1, long_activity=True, now=clock.now)
        assert seal_service.get_seal(public_id).stars == 3
        with pytest.raises(service.ConformityError):
            service.decide_rating(item.id, staff_id=1, long_activity=True, now=clock.now)  # decided once
        lower = RatingRequest(seal_id=seal.id, level="advanced", status="open", requested_at=clock.now,
                              https_ok=False)
        db.session.add(lower)
        db.session.commit()
        assert service.decide_rating(lower.id, staff_id=1, long_activity=False, now=clock.now).granted_stars == 3
        assert seal_service.get_seal(public_id).stars == 3


def test_a_suspended_seal_cannot_ask(app, owner, clock):
    client, public_id = owner
    with app.app_context():
        seal_service.suspend(public_id, now=clock.now, actor="test", reason="test")
    response = ask(client, public_id, lang="?lang=en")
    assert response.status_code == 400 and "Only an active seal" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RatingRequest)) is None


def test_set_stars_is_compare_and_set(app, owner, clock):
    _, public_id = owner
    with app.app_context():
        seal_service.set_stars(public_id, 2, expected=1, now=clock.now, actor="test")
        with pytest.raises(seal_service.InvalidTransition):
            seal_service.set_stars(public_id, 3, expected=1, now=clock.now, actor="test")
        assert seal_service.get_seal(public_id).stars == 2


def test_good_service_thresholds_come_from_the_environment():
    from seal_server.config import ConfigError, from_environ

    settings = from_environ({"SEAL_GOOD_SERVICE_DAYS": "1000", "SEAL_GOOD_SERVICE_ANSWER_RATE": "0.9"}, "/tmp")
    assert (settings["SEAL_GOOD_SERVICE_DAYS"], settings["SEAL_GOOD_SERVICE_ANSWER_RATE"]) == (1000, 0.9)
    for bad in ("1.5", "most"):
        with pytest.raises(ConfigError):
            from_environ({"SEAL_GOOD_SERVICE_ANSWER_RATE": bad}, "/tmp")


def test_check_https_is_queued_for_the_worker_one_at_a_time_per_reviewer(app, owner, staff_client, clock,
                                                                         monkeypatch):
    import tests.conftest as harness
    from seal_server.onboarding.models import DomainCheck
    _, public_id = owner
    with app.app_context():
        seal = seal_service.get_seal(public_id)
        item = RatingRequest(seal_id=seal.id, level="advanced", status="open", requested_at=clock.now,
                             paid_at=clock.now, due_at=clock.now + timedelta(days=14))
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    fetched = []
    monkeypatch.setattr(https, "check_https", lambda domain, now, fetcher=None: fetched.append(domain) or (
        False, "The site's HTTPS certificate ends within 14 days."))
    run_jobs = harness.run_queued_checks
    monkeypatch.setattr(harness, "run_queued_checks", lambda app, now=None: 0)  # the worker is away for now
    reviewer, _ = staff_client("reviewer")
    detail = f"/staff/ratings/{item_id}"
    pressed = reviewer.post(detail, data={"csrf_token": token_of(reviewer, detail), "action": "check-https"})
    assert pressed.status_code == 302 and fetched == []  # back at once: nothing fetched in the request
    page = reviewer.get(detail + "?lang=en").get_data(as_text=True)
    assert "Your check is waiting for its turn" in page and "Not checked yet" in page
    status = re.search(r'data-status-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert reviewer.get(status).get_json()["state"] == "queued"
    again = reviewer.post(detail + "?lang=en", data={"csrf_token": token_of(reviewer, detail), "action": "check-https"})
    assert again.status_code == 400
    assert "Your previous HTTPS check is still running" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(DomainCheck.kind)).all() == ["https"]

    assert run_jobs(app) == 1 and fetched == ["shop.example"]
    assert reviewer.get(status).get_json() == {"state": "done", "verified": False,
                                               "next": f"/staff/ratings/{item_id}?lang=en"}
    page = reviewer.get(detail + "?lang=en").get_data(as_text=True)
    assert "data-status-url" not in page and "ends within 14 days" in page
    with app.app_context():
        assert db.session.get(RatingRequest, item_id).https_ok is False
    other, _ = staff_client("reviewer")  # another reviewer's own limit; the first's slot is free again anyway
    assert other.post(detail, data={"csrf_token": token_of(other, detail), "action": "check-https"}).status_code == 302
