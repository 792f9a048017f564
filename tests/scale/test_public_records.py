"""The verification page and the API read a cached public record, with ETags and cache headers."""
import contextlib

from sqlalchemy import event

from seal_server.extensions import db
from seal_server.seals import service
from tests.factories import issue


@contextlib.contextmanager
def counted_queries(with_parameters=False):
    """The SQL statements run inside the block (with their parameters when asked)."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters) if with_parameters else statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def urls(seal):
    code = service.code_for(seal)
    return {"verify": f"/verify/{seal.public_id}?code={code}", "api": f"/api/v1/seals/{seal.public_id}?code={code}"}


def test_a_warm_page_and_api_touch_no_database(ctx, client, now):
    seal = issue(now=now)
    for url in urls(seal).values():
        assert client.get(url).status_code == 200  # warms the record
        with counted_queries() as statements:
            assert client.get(url).status_code == 200
            assert client.get(url + "&lang=en").status_code == 200
        assert statements == []


def test_a_status_change_shows_at_once_on_this_process(ctx, client, now):
    seal = issue(now=now)
    page, api = urls(seal)["verify"], urls(seal)["api"]
    first_page, first_api = client.get(page), client.get(api)
    assert first_api.get_json()["status"] == "active"
    service.suspend(seal.public_id, now=now, actor="test", reason="complaints")
    assert client.get(api).get_json()["status"] == "suspended"
    again = client.get(page, headers={"If-None-Match": first_page.headers["ETag"]})
    assert again.status_code == 200 and "status-suspended" in again.get_data(as_text=True)
    assert client.get(api, headers={"If-None-Match": first_api.headers["ETag"]}).status_code == 200


def test_etag_gives_304_and_cache_headers(ctx, client, now):
    seal = issue(now=now)
    for name, url in urls(seal).items():
        first = client.get(url)
        etag = first.headers["ETag"]
        cache_control = first.headers["Cache-Control"]
        for directive in ("public", "max-age=30", "stale-while-revalidate=", "stale-if-error="):
            assert directive in cache_control, (name, cache_control)
        assert "Set-Cookie" not in first.headers
        repeat = client.get(url, headers={"If-None-Match": etag})
        assert repeat.status_code == 304 and repeat.data == b""
        assert repeat.headers["ETag"] == etag and repeat.headers["Cache-Control"] == cache_control
        assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get(urls(seal)["api"], headers={"If-None-Match": first.headers["ETag"]}) \
        .headers["Access-Control-Allow-Origin"] == "*"


def test_the_page_etag_follows_language_and_referer(ctx, client, now):
    seal = issue(now=now)
    page = urls(seal)["verify"]
    plain = client.get(page).headers["ETag"]
    english = client.get(page + "&lang=en").headers["ETag"]
    foreign = client.get(page, headers={"Referer": "https://copycat.example/"})
    assert len({plain, english, foreign.headers["ETag"]}) == 3
    assert "Referer" in foreign.headers["Vary"]
    assert client.get(page, headers={"Referer": "https://copycat.example/", "If-None-Match": plain}).status_code == 200


def test_unknown_seals_and_bad_codes_are_not_cached_as_public(ctx, client, now):
    seal = issue(now=now)
    for url in (f"/verify/{seal.public_id}?code=wrong", f"/api/v1/seals/{seal.public_id}?code=wrong",
                "/api/v1/seals/aaaaaaaaaaaa?code=x"):
        answer = client.get(url)
        assert answer.status_code == 404
        assert "ETag" not in answer.headers


def test_answers_from_memory_are_the_answers_flask_gave(ctx, client, now):
    seal = issue(now=now)
    for url in urls(seal).values():
        first = client.get(url, headers={"Referer": "https://shop.example/"})
        views = dict(ctx.view_functions)
        for endpoint in ("seals.verify", "seals.api_seal"):
            ctx.view_functions[endpoint] = lambda public_id: 1 / 0  # Flask must not be asked again
        second = client.get(url, headers={"Referer": "https://shop.example/"})
        ctx.view_functions.update(views)
        head = client.head(url, headers={"Referer": "https://shop.example/"})
        assert second.data == first.data and head.data == b""
        assert sorted(second.headers.items()) == sorted(first.headers.items())
        assert head.headers["ETag"] == first.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"],
                                        "Referer": "https://shop.example/"}).status_code == 304
    assert "frame-ancestors 'none'" in second.headers.get("Content-Security-Policy", "") or \
        second.mimetype == "application/json"
    page = client.get(urls(seal)["verify"])
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
