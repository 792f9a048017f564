"""The owner's "your seal was shown on these sites", the staff seal page and the console list over the threshold."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from seal_server.copies import service
from seal_server.extensions import db
from seal_server.seals.models import Seal
from tests.conformity.conftest import owner  # noqa: F401  (fixture)
from tests.factories import issue
from tests.staff.conftest import clock, staff_client  # noqa: F401  (fixtures)

T0 = datetime(2026, 9, 22, 8, 0, tzinfo=timezone.utc)  # 1405/07/01 in the Jalali calendar


@pytest.fixture
def app_config():
    return {"SEAL_COPY_REPORT_THRESHOLD": 50}


@pytest.fixture
def seen(app, owner, clock):  # noqa: F811
    """The owner's seal seen on two sites (one over the threshold, reported), another owner's seal on a third."""
    client, public_id = owner
    with app.app_context():
        other = issue("other-shop.example", now=clock.now).public_id
        service.add_counts([(public_id, "copycat.example", 1234, T0, T0 + timedelta(days=3)),
                            (public_id, "xn--mgbtj4c7ad63e.example", 4, T0, T0),
                            (other, "secret-neighbour.example", 999, T0, T0)])
        service.report_copies(T0 + timedelta(days=4), 50)
    return client, public_id, other


def test_the_owner_sees_where_their_seal_was_shown_in_jalali_with_persian_digits(app, seen):
    from seal_server.conformity.models import ViolationReport

    client, public_id, _ = seen
    with app.app_context():
        tracking = db.session.scalar(select(ViolationReport.tracking_code).join(Seal).where(
            Seal.public_id == public_id))
    response = client.get(f"/panel/seals/{public_id}/copies")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "copycat.example" in html and "فروشگاه.example" in html  # the IDN shown in its own letters
    assert "۱۲۳۴" in html and "۱۴۰۵" in html  # Persian digits, the Jalali year
    assert "secret-neighbour.example" not in html  # another seal's sightings never show here
    assert tracking in html and "۵۰" in html  # the fake-seal report's tracking code, and the threshold
    english = client.get(f"/panel/seals/{public_id}/copies?lang=en").get_data(as_text=True)
    assert "1234" in english and "Your seal was shown on these sites" in english


def test_another_owner_s_seal_and_a_stranger_get_nothing(app, seen):
    client, _, other = seen
    assert client.get(f"/panel/seals/{other}/copies").status_code == 404
    assert client.get("/panel/seals/zzzzzzzzzzzz/copies").status_code == 404
    stranger = app.test_client()
    assert stranger.get(f"/panel/seals/{other}/copies").status_code == 302  # to the sign-in page


def test_staff_see_it_on_the_seal_page_and_the_list_over_the_threshold(app, seen, staff_client):  # noqa: F811
    _, public_id, other = seen
    reviewer, _ = staff_client("reviewer")
    page = reviewer.get(f"/staff/seals/{public_id}").get_data(as_text=True)
    assert "copycat.example" in page and "۱۲۳۴" in page and "secret-neighbour.example" not in page
    listing = reviewer.get("/staff/copies")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and listing.headers["Cache-Control"] == "no-store"
    assert "copycat.example" in html and "secret-neighbour.example" in html
    assert "فروشگاه.example" not in html  # 4 sightings: under the threshold
    assert html.index("copycat.example") < html.index("secret-neighbour.example")  # most often first
    with app.app_context():
        domain = db.session.scalar(select(Seal.domain).where(Seal.public_id == other))
    assert domain in html and f'href="/staff/seals/{other}"' in html
    english = reviewer.get("/staff/copies?lang=en").get_data(as_text=True)
    assert f'href="/staff/seals/{other}?lang=en"' in english and "1234" in english


def test_staff_without_seal_view_are_refused(seen, staff_client):  # noqa: F811
    arbiter, _ = staff_client("arbiter")
    assert arbiter.get("/staff/copies").status_code == 403
    assert "/staff/copies" not in arbiter.get("/staff").get_data(as_text=True)


def test_other_sites_read_as_words_on_the_owner_and_staff_pages(app, seen, staff_client):  # noqa: F811
    from seal_server.copies import rules

    client, public_id, _ = seen
    with app.app_context():
        service.add_counts([(public_id, rules.OTHER_SITES, 7777, T0, T0)])
    html = client.get(f"/panel/seals/{public_id}/copies").get_data(as_text=True)
    assert "سایت‌های دیگر (روی هم شمرده شده)" in html and "۷۷۷۷" in html and ">*<" not in html
    assert "۲۰۰" in html and "۹۰" in html  # the cap and the retention period, explained
    assert html.index("copycat.example") < html.index("سایت‌های دیگر (روی هم")  # last, though the most seen
    english = client.get(f"/panel/seals/{public_id}/copies?lang=en").get_data(as_text=True)
    assert "Other sites (counted together)" in english and "up to 200 sites" in english
    reviewer, _ = staff_client("reviewer")
    for page in (f"/staff/seals/{public_id}", "/staff/copies"):
        html = reviewer.get(page).get_data(as_text=True)
        assert "سایت‌های دیگر (روی هم شمرده شده)" in html and ">*<" not in html, page
