import re

from seal_server.seals import service
from tests.factories import issue


def test_search_by_domain_and_name(ctx, client, now):
    issue("books.example", now=now, name_fa="کتاب‌فروشی", name_en="Book Store")
    issue("shoes.example", now=now, name_fa="کفش", name_en="Shoe Shop")
    html = client.get("/registry?q=books").get_data(as_text=True)
    assert "books.example" in html and "shoes.example" not in html
    html = client.get("/registry?q=کفش").get_data(as_text=True)
    assert "shoes.example" in html and "books.example" not in html
    html = client.get("/registry?q=SHOE&lang=en").get_data(as_text=True)
    assert "Shoe Shop" in html


def test_only_active_seals_are_listed(ctx, client, now):
    issue("live.example", now=now)
    gone = issue("gone.example", now=now)
    service.revoke(gone.public_id, now=now, actor="t", reason="x")
    html = client.get("/registry").get_data(as_text=True)
    assert "live.example" in html and "gone.example" not in html


def test_pagination(ctx, client, now):
    for i in range(25):
        issue(f"shop{i:02d}.example", now=now)
    first = client.get("/registry?lang=en").get_data(as_text=True)
    assert first.count('class="domain"') == 20 and "25 shops found" in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert second.count('class="domain"') == 5 and 'rel="next"' not in second
    assert set(re.findall(r"shop\d\d\.example", first)).isdisjoint(re.findall(r"shop\d\d\.example", second))
    after = re.search(r"after=(\d+)", next_url).group(1)
    persian_page = client.get("/registry?after=" + after.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    assert persian_page.get_data(as_text=True).count('class="domain"') == 5


def test_wildcards_and_garbage_are_plain_text(ctx, client, now):
    issue("shop.example", now=now)
    assert "shop.example" not in client.get("/registry?q=%25").get_data(as_text=True)
    for query in ["%ff%fe", "_", "'; drop table seals; --", "x" * 500, "page", "a\\b"]:
        assert client.get(f"/registry?q={query}&after=abc").status_code == 200
