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
    second = client.get("/registry?page=2&lang=en").get_data(as_text=True)
    assert first.count('class="domain"') == 20 and second.count('class="domain"') == 5
    assert "Page 1 of 2" in first and 'rel="next"' in first
    persian_page = client.get("/registry?page=۲").get_data(as_text=True)
    assert persian_page.count('class="domain"') == 5


def test_wildcards_and_garbage_are_plain_text(ctx, client, now):
    issue("shop.example", now=now)
    assert "shop.example" not in client.get("/registry?q=%25").get_data(as_text=True)
    for query in ["%ff%fe", "_", "'; drop table seals; --", "x" * 500, "page"]:
        assert client.get(f"/registry?q={query}&page=abc").status_code == 200
