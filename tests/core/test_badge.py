import re
import time
from datetime import timedelta

import pytest

from seal_server.seals import service
from tests.conftest import _empty_tables, make_app
from tests.factories import issue

SHOP = {"Referer": "https://shop.example/"}


def badge_url(seal, **params):
    query = "&".join(f"{k}={v}" for k, v in {"code": service.code_for(seal), **params}.items())
    return f"/badge/{seal.public_id}.svg?{query}"


def get_state(client, url, headers=SHOP):
    response = client.get(url, headers=headers)
    return response.headers["X-Seal-State"], response


def test_valid_badge(ctx, client, now):
    seal = issue(now=now)
    state, response = get_state(client, badge_url(seal))
    assert state == "valid" and response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    assert body.startswith("<svg") and "<title>" in body and 'role="img"' in body
    assert "aria-label=" in body and "نماد اعتماد الکترونیکی" in body
    assert "Set-Cookie" not in response.headers
    assert "max-age=" in response.headers["Cache-Control"]
    assert "stale-if-error" in response.headers["Cache-Control"]
    assert response.headers["Vary"] == "Referer"


@pytest.mark.parametrize("referer", ["https://shop.example/", "http://www.shop.example/cart?x=1",
                                     "https://SHOP.example:8443/"])
def test_registered_domain_and_www_are_valid(ctx, client, now, referer):
    seal = issue(now=now)
    assert get_state(client, badge_url(seal), {"Referer": referer})[0] == "valid"


@pytest.mark.parametrize("referer", ["https://evil.example/", "https://shop.example.evil.example/",
                                     "https://notshop.example/", "not a url", "ftp://shop.example/",
                                     "https://", "http://[::1/"])
def test_other_sites_and_garbage_referers_are_foreign(ctx, client, now, referer):
    seal = issue(now=now)
    state, response = get_state(client, badge_url(seal), {"Referer": referer})
    assert state == "foreign" and response.status_code == 200


def test_no_referer_is_unverified(ctx, client, now):
    seal = issue(now=now)
    assert get_state(client, badge_url(seal), {})[0] == "unverified"


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_status_states(ctx, client, now, action):
    seal = issue(now=now)
    getattr(service, action)(seal.public_id, now=now, actor="t", reason="x")
    assert get_state(client, badge_url(seal))[0] == service.rules.ALLOWED_TRANSITIONS[action][1]


def test_expired_shows_even_before_tick(ctx, client, now):
    seal = issue(now=now - timedelta(days=731))
    assert seal.status == "active"
    assert get_state(client, badge_url(seal))[0] == "expired"


def test_status_beats_foreign(ctx, client, now):
    seal = issue(now=now)
    service.suspend(seal.public_id, now=now, actor="t", reason="x")
    assert get_state(client, badge_url(seal), {"Referer": "https://evil.example/"})[0] == "suspended"


@pytest.mark.parametrize("path", [
    "/badge/zzzzzzzzzzzz.svg?code=abc",          # unknown id
    "/badge/NOT-AN-ID.svg?code=abc",             # malformed id
    "/badge/%F0%9F%98%80.svg",                   # emoji id
    "/badge/aaaaaaaaaaaa.svg",                   # no code
])
def test_unknown_ids_are_invalid_404_svg(ctx, client, path):
    response = client.get(path, headers=SHOP)
    assert response.status_code == 404
    assert response.headers["X-Seal-State"] == "invalid"
    assert response.get_data(as_text=True).startswith("<svg")


@pytest.mark.parametrize("code", ["", "garbage", "%FF%FE", "a" * 300, "%00", "é"])
def test_bad_codes_are_invalid(ctx, client, now, code):
    seal = issue(now=now)
    response = client.get(f"/badge/{seal.public_id}.svg?code={code}", headers=SHOP)
    assert (response.status_code, response.headers["X-Seal-State"]) == (404, "invalid")


def test_code_of_another_seal_is_invalid(ctx, client, now):
    one, two = issue("one.example", now=now), issue("two.example", now=now)
    url = f"/badge/{one.public_id}.svg?code={service.code_for(two)}"
    assert get_state(client, url, {"Referer": "https://one.example/"})[0] == "invalid"


def test_non_utf8_query_and_referer(ctx, client, now):
    seal = issue(now=now)
    response = client.get(badge_url(seal) + "&lang=%ff%fe", headers={"Referer": b"https://\xff\xfe/".decode("latin-1")})
    assert response.status_code == 200
    assert response.headers["X-Seal-State"] == "foreign"


def test_oversized_query_string_is_414(ctx, client, now):
    seal = issue(now=now)
    response = client.get(badge_url(seal) + "&pad=" + "x" * 5000, headers=SHOP)
    assert response.status_code == 414


def test_english_and_sizes(ctx, client, now):
    seal = issue(now=now)
    fa = client.get(badge_url(seal), headers=SHOP).get_data(as_text=True)
    en = client.get(badge_url(seal, lang="en"), headers=SHOP).get_data(as_text=True)
    assert "Electronic trust seal" in en and "Verified" in en and "1 of 5 stars" in en
    assert "معتبر" in fa and "۱ ستاره از ۵" in fa
    widths = set()
    for size in ["small", "medium", "large"]:
        body = client.get(badge_url(seal, size=size), headers=SHOP).get_data(as_text=True)
        widths.add(re.search(r'width="(\d+)"', body).group(1))
    assert len(widths) == 3
    unknown = client.get(badge_url(seal, size="huge"), headers=SHOP)
    assert unknown.status_code == 200 and 'width="128"' in unknown.get_data(as_text=True)


def test_star_count_is_drawn(ctx, client, now):
    seal = issue(now=now)
    for stars in (0, 3, 5):
        seal.stars = stars
        service.db.session.commit()
        service.cache.invalidate(seal.public_id)
        body = client.get(badge_url(seal), headers=SHOP).get_data(as_text=True)
        assert body.count('fill="#ca8a04" stroke') == stars
        assert body.count("<polygon") == 5


def test_every_state_and_kind_looks_different(ctx, client, now):
    bodies = {}
    seals = {kind: issue(f"{kind}.example", now=now, kind=kind) for kind in ("standard", "gray", "temporary")}
    for kind, seal in seals.items():
        bodies[f"valid-{kind}"] = client.get(badge_url(seal), headers={"Referer": f"https://{kind}.example/"})
    standard = seals["standard"]
    bodies["foreign"] = client.get(badge_url(standard), headers={"Referer": "https://x.example/"})
    bodies["unverified"] = client.get(badge_url(standard))
    bodies["invalid"] = client.get("/badge/zzzzzzzzzzzz.svg?code=x")
    for action in ("suspend", "revoke"):
        seal = issue(f"{action}.example", now=now)
        getattr(service, action)(seal.public_id, now=now, actor="t", reason="x")
        bodies[action] = client.get(badge_url(seal), headers={"Referer": f"https://{action}.example/"})
    old = issue("old.example", now=now - timedelta(days=800))
    bodies["expired"] = client.get(badge_url(old), headers={"Referer": "https://old.example/"})
    looks = {name: response.get_data() for name, response in bodies.items()}
    assert len(set(looks.values())) == len(looks) == 9


def test_etag_revalidation_gives_304(ctx, client, now):
    seal = issue(now=now)
    first = client.get(badge_url(seal), headers=SHOP)
    etag = first.headers["ETag"]
    second = client.get(badge_url(seal), headers={**SHOP, "If-None-Match": etag})
    assert second.status_code == 304 and second.get_data() == b""
    assert second.headers["X-Seal-State"] == "valid"
    service.suspend(seal.public_id, now=now, actor="t", reason="x")
    third = client.get(badge_url(seal), headers={**SHOP, "If-None-Match": etag})
    assert third.status_code == 200 and third.headers["ETag"] != etag


def test_status_change_shows_at_once_on_the_same_worker(ctx, client, now):
    seal = issue(now=now)
    assert get_state(client, badge_url(seal))[0] == "valid"
    service.suspend(seal.public_id, now=now, actor="t", reason="x")
    assert get_state(client, badge_url(seal))[0] == "suspended"


def test_warm_badge_does_not_query_the_database(ctx, client, now):
    from sqlalchemy import event

    from seal_server.extensions import db

    seal = issue(now=now)
    url = badge_url(seal)
    client.get(url, headers=SHOP)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for _ in range(5):
            assert client.get(url, headers=SHOP).headers["X-Seal-State"] == "valid"
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []


def test_default_cache_lifetime_meets_the_60_second_promise(ctx):
    assert 0 < ctx.config["SEAL_BADGE_CACHE_SECONDS"] <= 60


def test_other_workers_see_a_change_within_the_cache_lifetime(database_url, now):
    """Two apps on one database stand for two gunicorn workers."""
    worker_a = make_app(database_url, SEAL_BADGE_CACHE_SECONDS=1)
    worker_b = make_app(database_url, SEAL_BADGE_CACHE_SECONDS=1)
    with worker_a.app_context():
        seal = issue(now=now)
        url = badge_url(seal)
    b = worker_b.test_client()
    assert get_state(b, url)[0] == "valid"
    with worker_a.app_context():
        service.suspend(seal.public_id, now=now, actor="t", reason="x")
        assert get_state(worker_a.test_client(), url)[0] == "suspended"
    time.sleep(1.2)
    assert get_state(b, url)[0] == "suspended"
    with worker_b.app_context():
        service.db.engine.dispose()
    _empty_tables(worker_a)
