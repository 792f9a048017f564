"""What a newcomer sees first: the badge without a Referer, separators, state labels, stars, the owner's preview."""
import re
import pytest

from seal_server.demo import load_demo
from seal_server.seals import badge, cache, service
from seal_server.seals.rules import UNVERIFIED
from tests.factories import issue

from .test_badge import badge_url
from .test_verify import verify_url

# a middle dot beside a digit (Latin or Persian) reads as a Persian zero
DOT_BY_DIGIT = re.compile(r"[0-9۰-۹]\s*·|·\s*[0-9۰-۹]")
WARNING_LOOKS = ("suspended", "expired", "revoked", "foreign", "invalid")


def test_a_badge_without_referer_invites_a_click_instead_of_warning(ctx, client, now):
    seal = issue(now=now)
    response = client.get(badge_url(seal))
    assert response.headers["X-Seal-State"] == UNVERIFIED  # the public contract stays
    body = response.get_data(as_text=True)
    assert badge.CROSS not in body  # the failure looks' mark
    assert all(badge.LOOKS[look][0] not in body for look in WARNING_LOOKS)
    assert "کلیک برای بررسی" in body


def test_the_owners_preview_is_the_badge_of_the_own_site(ctx, now):
    seal = issue(now=now)
    drawn = badge.as_seen_on_own_site(cache.snapshot(seal.public_id), "en", now).body.decode()
    assert "Electronic trust seal: Verified" in drawn
    service.suspend(seal.public_id, now=now, actor="t", reason="x")
    drawn = badge.as_seen_on_own_site(cache.snapshot(seal.public_id), "en", now).body.decode()
    assert "Electronic trust seal: Suspended" in drawn  # the truth, as visitors see it


def test_days_left_is_not_glued_to_a_dot(ctx, client, now):
    seal = issue(now=now)
    html = client.get(verify_url(seal)).get_data(as_text=True)
    assert re.search(r"\) — [۰-۹]+ روز مانده", html)
    assert not DOT_BY_DIGIT.search(html)


@pytest.fixture
def app_config():
    return {"SEAL_DEMO": True}


@pytest.fixture
def demo(ctx, now):
    return dict(load_demo(now))


def test_demo_prices_and_list_read_in_persian(client, demo):
    shop = client.get(f"/demo/shop/{demo['valid'].public_id}").get_data(as_text=True)
    assert "۲۵۰٬۰۰۰ تومان" in shop and not DOT_BY_DIGIT.search(shop)
    listing = client.get("/demo/").get_data(as_text=True)
    for english in ("active", "suspended", "expired", "revoked"):
        assert f">{english}<" not in listing
    for persian in ("معتبر", "تعلیق شده", "منقضی شده", "لغو شده"):
        assert persian in listing


def test_a_gray_seal_draws_no_stars_and_claims_none(client, demo):
    html = client.get("/registry?q=gray-shop").get_data(as_text=True)
    assert "gray-shop.localhost" in html
    assert 'class="stars"' not in html and "بدون ستاره" not in html
    standard = client.get(f"/registry?q={demo['valid'].domain}").get_data(as_text=True)
    assert 'class="stars"' in standard


def test_an_expired_seal_shows_no_stars(client, demo, now):
    expired = demo["expired"]
    html = client.get(verify_url(expired)).get_data(as_text=True)
    assert "اعتبار این نماد به پایان رسیده است" in html
    assert 'class="stars"' not in html
    valid = client.get(verify_url(demo["valid"])).get_data(as_text=True)
    assert 'class="stars"' in valid


def test_the_licences_table_labels_each_cell_for_narrow_screens(client, demo):
    html = client.get(verify_url(demo["valid"])).get_data(as_text=True)
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert row.count("data-label=") == 4 == row.count("<td")
