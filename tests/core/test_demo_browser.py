"""The newcomer's path in a real browser: demo shop page, valid badge, click, Persian verification page."""
import pytest

from seal_server.demo import load_demo, shop_url

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"SEAL_DEMO": True}


def test_demo_shop_badge_click_opens_persian_verification(app, live_server, page, now):
    with app.app_context():
        shops = dict(load_demo(now))
        valid_url = shop_url(shops["valid"])
        foreign_url = shop_url(shops["foreign"])
    assert valid_url.startswith(live_server.url.replace("127.0.0.1", "localhost"))

    with page.expect_response(lambda r: "/badge/" in r.url) as badge_response:
        page.goto(valid_url)
    assert badge_response.value.status == 200
    assert badge_response.value.headers["x-seal-state"] == "valid"
    image = page.locator("footer img")
    image.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth", image.element_handle()) == 128

    with page.context.expect_page() as opened:
        image.click()
    verification = opened.value
    verification.wait_for_load_state()
    assert verification.url.startswith(f"{live_server.url}/verify/")
    assert verification.locator("html").get_attribute("dir") == "rtl"
    body = verification.locator("body").inner_text()
    assert "این نماد معتبر است" in body and "فروشگاه نمونه کتاب" in body
    assert "آمده‌اید" not in body  # clicked on its own site: no warning

    # The same kind of badge copied onto a site that is not its own is flagged.
    with page.expect_response(lambda r: "/badge/" in r.url) as copied:
        page.goto(foreign_url)
    assert copied.value.headers["x-seal-state"] == "foreign"
    with page.context.expect_page() as opened:
        page.locator("footer img").click()
    warning = opened.value
    warning.wait_for_load_state()
    assert "این نماد متعلق به another-shop.example است" in warning.locator("body").inner_text()
