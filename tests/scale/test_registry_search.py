"""Registry search at scale: Persian spellings match, pages follow the id, the count is capped."""
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seal_server.iran.text import normalize_for_search
from seal_server.seals import search
from tests.factories import issue
from tests.scale.test_public_records import counted_queries


def test_normalisation_is_what_both_sides_apply():
    assert normalize_for_search("  كتاب‌فروشي  ۱۲٣ ") == "کتاب فروشی 123"
    assert normalize_for_search("خانۀ  SHOP") == "خانه shop"
    assert normalize_for_search(None) == ""


@given(st.text())
def test_normalising_twice_changes_nothing(text):
    once = normalize_for_search(text)
    assert normalize_for_search(once) == once


@pytest.mark.parametrize("typed", ["كتاب", "کتاب", "فروشي", "کتاب فروشی", "كتاب‌فروشی", "بازار۲۴", "بازار٢٤", "بازار24"])
def test_any_keyboard_finds_the_shop(ctx, client, now, typed):
    issue("books.example", now=now, name_fa="کتاب‌فروشی بازار۲۴", name_en="Book Store")
    issue("other.example", now=now, name_fa="پوشاک", name_en="Wear")
    html = client.get("/registry", query_string={"q": typed}).get_data(as_text=True)
    assert "books.example" in html and "other.example" not in html


def test_stored_arabic_letters_are_found_by_persian_ones(ctx, client, now):
    issue("arabic.example", now=now, name_fa="كافي شاپ", name_en="")
    html = client.get("/registry", query_string={"q": "کافی"}).get_data(as_text=True)
    assert "arabic.example" in html


def test_a_too_short_query_searches_nothing(ctx, client, now):
    issue("ab.example", now=now)
    with counted_queries() as statements:
        html = client.get("/registry?q=ab&lang=en").get_data(as_text=True)
    assert "Type at least 3 letters" in html and "ab.example" not in html
    assert statements == []


def test_the_count_is_capped_and_no_query_reads_the_whole_table(ctx, client, now, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for i in range(5):
        issue(f"shop{i}.example", now=now)
    with counted_queries(with_parameters=True) as run:
        html = client.get("/registry?lang=en").get_data(as_text=True)
        searched = client.get("/registry?q=shop&lang=en").get_data(as_text=True)
    assert "More than 3 shops found" in html and "More than 3 shops found" in searched
    # SQLite's dialect writes "LIMIT ? OFFSET 0" for every LIMIT; no other offset may appear
    offsets = [parameters for statement, parameters in run if "OFFSET" in statement.upper()]
    assert all(parameters[-1] == 0 for parameters in offsets), run
    statements = [statement for statement, _ in run]
    reads = [statement for statement in statements if "FROM seals" in statement or "JOIN seals" in statement]
    # every read of seals stops at a LIMIT, or fetches a page's seals by their ids
    assert reads and all(re.search(r"LIMIT", statement, re.I) or re.search(r"seals\.id IN \(", statement)
                         for statement in reads), reads


def test_newest_first_and_expired_hidden(ctx, client, now):
    from datetime import timedelta

    issue("old.example", now=now)
    issue("new.example", now=now)
    issue("lapsed.example", now=now - timedelta(days=800))
    html = client.get("/registry").get_data(as_text=True)
    assert html.index("new.example") < html.index("old.example")
    assert "lapsed.example" not in html


def test_every_match_is_listed_once_across_pages(ctx, client, now, monkeypatch):
    monkeypatch.setattr(search, "PER_PAGE", 2)
    for i in range(5):
        issue(f"tea{i}.example", now=now, name_en=f"Tea House {i}")
    issue("coffee.example", now=now, name_en="Coffee")
    seen, url = [], "/registry?q=TEA&lang=en"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"tea\d\.example", html)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"tea{i}.example" for i in (4, 3, 2, 1, 0)]


def test_registry_pages_are_kept_a_few_seconds_with_an_etag(ctx, client, now, monkeypatch):
    from seal_server.seals import public_wsgi

    issue("first.example", now=now)
    page = client.get("/registry?lang=en")
    assert "max-age=10" in page.headers["Cache-Control"] and page.headers["ETag"]
    assert client.get("/registry?lang=en", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    issue("second.example", now=now)
    assert "second.example" not in client.get("/registry?lang=en").get_data(as_text=True)  # kept, for now
    later = public_wsgi.utcnow() + __import__("datetime").timedelta(seconds=public_wsgi.REGISTRY_SECONDS)
    monkeypatch.setattr(public_wsgi, "utcnow", lambda: later)
    monkeypatch.setattr("seal_server.seals.views.utcnow", lambda: later)
    fresh = client.get("/registry?lang=en", headers={"If-None-Match": page.headers["ETag"]})
    assert fresh.status_code == 200 and "second.example" in fresh.get_data(as_text=True)
