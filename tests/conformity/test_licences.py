"""Licences: the owner adds one with its scan, staff verify it, the verification page shows it,
the owner hears 30 days before it ends, and an expired one stops counting."""
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from seal_server import tasks
from seal_server.audit import verify_chain
from seal_server.conformity import rules, service
from seal_server.events.models import Event
from seal_server.extensions import db
from seal_server.seals import service as seal_service
from seal_server.seals.models import Licence
from tests.conftest import deliver_queued
from tests.factories import issue
from tests.staff.conftest import token_of

from .conftest import PNG, post_form

GOOD = {"title": "پروانه کسب", "issuer": "اتحادیه صنف", "number": "KB-۱۲۳", "valid_from": "۱۴۰۴/۰۱/۰۱",
        "valid_to": "1410/01/01"}


def add(client, public_id, scan=PNG, lang="", **changes):
    data = {**GOOD, **changes, "scan": (io.BytesIO(scan), "licence.png")}
    return post_form(client, f"/panel/seals/{public_id}/licences{lang}", data, content_type="multipart/form-data")


@pytest.mark.parametrize("start, end, today, expected", [
    (date(2025, 1, 1), date(2024, 1, 1), date(2024, 6, 1), "A licence must end after it starts."),
    (date(2025, 1, 1), date(2025, 1, 1), date(2024, 6, 1), "A licence must end after it starts."),
    (date(2020, 1, 1), date(2024, 1, 1), date(2024, 6, 1), "This licence has already expired; add a current one."),
    (date(2020, 1, 1), date(2024, 6, 1), date(2024, 6, 1), None),
])
def test_licence_dates(start, end, today, expected):
    assert rules.licence_dates_error(start, end, today) == expected


def test_a_licence_counts_only_while_verified_and_valid():
    today = date(2026, 1, 10)
    assert rules.licence_counts("verified", today, today)
    assert not rules.licence_counts("verified", today - timedelta(days=1), today)
    assert not rules.licence_counts("pending", today + timedelta(days=9), today)
    assert not rules.licence_counts("rejected", today + timedelta(days=9), today)


def test_expiry_notice_once_within_thirty_days():
    today = date(2026, 1, 10)
    assert rules.needs_expiry_notice("verified", today + timedelta(days=30), today, False)
    assert not rules.needs_expiry_notice("verified", today + timedelta(days=31), today, False)
    assert not rules.needs_expiry_notice("verified", today + timedelta(days=3), today, True)
    assert not rules.needs_expiry_notice("pending", today + timedelta(days=3), today, False)


def test_jalali_days_in_any_digits():
    assert rules.parse_jalali_day("۱۴۰۴/۰۱/۰۱") == date(2025, 3, 21)
    assert rules.parse_jalali_day("1404-1-1") == date(2025, 3, 21)
    for bad in ("", "1404/13/01", "04/01/01", "yesterday"):
        with pytest.raises(ValueError):
            rules.parse_jalali_day(bad)


def test_owner_adds_staff_verify_and_the_verification_page_shows_it(app, owner, staff_client):
    client, public_id = owner
    response = add(client, public_id)
    assert response.status_code == 302
    page = client.get(f"/panel/seals/{public_id}/licences").get_data(as_text=True)
    assert "پروانه کسب" in page
    with app.app_context():
        licence = db.session.scalar(select(Licence))
        assert licence.status == "pending" and licence.number == "KB-123"
        seal = seal_service.get_seal(public_id)
        verify_path = seal_service.urls_for(seal)["verify_url"].removeprefix("http://seal.test")
    assert "KB-" not in client.get(verify_path).get_data(as_text=True)  # pending: not public yet

    reviewer, _ = staff_client("reviewer")
    queue = reviewer.get("/staff/licences")
    assert queue.status_code == 200 and "shop.example" in queue.get_data(as_text=True)
    scan = reviewer.get(f"/staff/licences/{licence.id}/scan")
    assert scan.data == PNG and "attachment" in scan.headers["Content-Disposition"]
    response = reviewer.post(f"/staff/licences/{licence.id}", data={
        "csrf_token": token_of(reviewer, "/staff/licences"), "verdict": "verified"})
    assert response.status_code == 302
    assert "KB-" in client.get(verify_path).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Licence, licence.id).status == "verified"
        assert verify_chain()[1] is None
    # decided once: a second click changes nothing
    again = reviewer.post(f"/staff/licences/{licence.id}", data={
        "csrf_token": token_of(reviewer, "/staff/licences"), "verdict": "rejected", "note": "late"})
    assert again.status_code == 400 and "پیش‌تر تصمیم گرفته شده" in again.get_data(as_text=True)


def test_rejecting_needs_a_note_and_support_cannot_verify(app, owner, staff_client):
    client, public_id = owner
    add(client, public_id)
    with app.app_context():
        licence_id = db.session.scalar(select(Licence.id))
    support, _ = staff_client("support")
    assert support.get("/staff/licences").status_code == 403
    reviewer, _ = staff_client("reviewer")
    response = reviewer.post(f"/staff/licences/{licence_id}", data={
        "csrf_token": token_of(reviewer, "/staff/licences"), "verdict": "rejected", "note": ""})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Licence, licence_id).status == "pending"


@pytest.mark.parametrize("changes, scan, message", [
    ({"valid_from": "1410/01/01", "valid_to": "1405/01/01"}, PNG, "A licence must end after it starts."),
    ({"valid_to": "1400/13/40"}, PNG, "This date does not exist in the Jalali calendar."),
    ({"title": ""}, PNG, "title."),
    ({}, b"MZ not an image", "Only PDF, JPEG and PNG files are accepted"),
])
def test_bad_licences_are_refused_with_the_form_kept(app, owner, changes, scan, message):
    client, public_id = owner
    response = add(client, public_id, scan=scan, lang="?lang=en", **changes)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert 'value="اتحادیه صنف"' in body
    with app.app_context():
        assert db.session.scalar(select(Licence)) is None


def test_another_owners_seal_is_not_found(app, owner):
    client, _ = owner
    with app.app_context():
        other = issue("other.example", now=seal_service.get_seal(owner[1]).issued_at)
        other_id = other.public_id
    assert client.get(f"/panel/seals/{other_id}/licences").status_code == 404


def test_owner_is_told_thirty_days_before_and_expired_licences_stop_counting(ctx, now):
    seal = issue("shop.example", now=now)
    today = service.local_today(now)
    licence = Licence(business=seal.business, title="پروانه", issuer="اتحادیه", number="1",
                      valid_from=today - timedelta(days=300), valid_to=today + timedelta(days=40),
                      status="verified", created_at=now)
    db.session.add(licence)
    db.session.commit()
    assert service.counting_licences(seal.business, now) == 1
    assert tasks.tick(now + timedelta(days=5))["licence_notices"] == []
    later = now + timedelta(days=11)
    assert tasks.tick(later)["licence_notices"] == [licence.id]
    assert tasks.tick(later + timedelta(days=1))["licence_notices"] == []  # once per licence
    deliver_queued(later)
    events = db.session.scalars(select(Event).where(Event.kind == "licence.expiring")).all()
    assert len(events) == 1 and events[0].payload["licence"]["title"] == "پروانه"
    assert service.counting_licences(seal.business, now + timedelta(days=41)) == 0
