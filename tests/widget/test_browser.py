"""The widget in headless Chromium, on a shop page served from its own port."""
import jdatetime
import pytest

from seal_server.iran.digits import to_persian_digits
from seal_server.seals import service

from .markup import badge_div, recommended, script_tag, snippet

pytestmark = pytest.mark.browser

FILLED = """n => [...document.querySelectorAll('*')]
  .filter((e) => e.shadowRoot && e.shadowRoot.querySelector('.w[data-s]')).length >= n"""

PAINTED = "new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
SHADOW_HOSTS = "[...document.querySelectorAll('*')].filter((e) => e.shadowRoot).length"

CARDS = """() => [...document.querySelectorAll('*')].filter((e) => e.shadowRoot).map((host) => {
  const root = host.shadowRoot, w = root.querySelector('.w'), stars = root.querySelector('.r');
  return {tag: host.tagName.toLowerCase(), state: w && w.dataset.s, dir: w && w.dir, lang: w && w.lang,
          text: [...root.querySelectorAll('.c > *')].map((e) => e.textContent),
          stars: stars && [stars.textContent, stars.getAttribute('aria-label')],
          imgs: root.querySelectorAll('img').length, links: root.querySelectorAll('a').length,
          href: root.querySelector('a').href, loaded: root.querySelector('img').naturalWidth > 0};
})"""


def open_shop(page, url, badges=1):
    page.goto(url)
    page.wait_for_function(FILLED, arg=badges)
    return page.evaluate(CARDS)


class WidgetHold:
    """Holds the widget script's request until release(), as a slow network would."""

    def __init__(self, page):
        self.routes = []
        page.route("**/widget.js", lambda route: self.routes.append(route))

    def release(self):
        assert self.routes, "the page never asked for the widget"
        for route in self.routes:
            route.continue_()


JALALI_MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن",
                 "اسفند"]


def jalali_date(moment):
    """The date as Chromium's Persian calendar writes it, e.g. ۲ آذر ۱۴۰۷ (the browser runs in UTC)."""
    day = jdatetime.date.fromgregorian(date=moment.date())
    return to_persian_digits(f"{day.day} {JALALI_MONTHS[day.month - 1]} {day.year}")


LABELS_FA = {"active": "معتبر", "suspended": "تعلیق‌شده", "expired": "منقضی‌شده", "revoked": "باطل‌شده"}


@pytest.mark.parametrize("state", ["active", "suspended", "expired", "revoked"])
def test_each_status_renders(watched, shop, seal_for, widget_src, state):
    seal = seal_for(state, domain="127.0.0.1" if state == "active" else f"{state}.example")
    [card] = open_shop(watched, shop.add("/", badge_div(seal) + script_tag(widget_src)))
    assert card["state"] == state and card["loaded"] and card["imgs"] == 1
    assert card["dir"] == "rtl" and card["lang"] == "fa"
    assert card["text"][:2] == ["فروشگاه نمونه", LABELS_FA[state]]
    assert card["text"][-1] == seal.domain
    assert watched.badge_states == ["valid" if state == "active" else state]
    assert card["href"] == service.urls_for(seal)["verify_url"]
    assert (card["stars"] is None) == (state != "active")
    assert card["text"][-2] == "اعتبار تا " + jalali_date(seal.expires_at)


def test_valid_seal_shows_persian_stars_and_jalali_expiry(watched, shop, seal_for, widget_src):
    seal = seal_for(stars=3)
    [card] = open_shop(watched, shop.add("/", badge_div(seal) + script_tag(widget_src)))
    assert card["stars"] == ["★★★☆☆", "۳ از ۵ ستاره"]
    assert card["text"] == ["فروشگاه نمونه", "معتبر", "★★★☆☆", "اعتبار تا " + jalali_date(seal.expires_at),
                            "127.0.0.1"]


def test_english_from_the_script_tag_or_the_badge(watched, shop, seal_for, widget_src):
    seal = seal_for(stars=2)
    url = shop.add("/", badge_div(seal) + script_tag(widget_src, lang="en"))
    [card] = open_shop(watched, url)
    assert card["dir"] == "ltr" and card["lang"] == "en"
    assert card["text"][:2] == ["Sample Shop", "Valid"] and card["stars"] == ["★★☆☆☆", "2 of 5 stars"]
    assert f"Valid until {seal.expires_at:%d %b %Y}".replace(" 0", " ") in card["text"]
    assert card["href"].endswith("&lang=en")


def test_another_sites_seal_is_foreign(watched, shop, seal_for, widget_src):
    seal = seal_for(domain="shop.example")
    [card] = open_shop(watched, shop.add("/", badge_div(seal) + script_tag(widget_src)))
    assert card["state"] == "foreign" and card["text"][1] == "نماد این سایت نیست"
    assert card["stars"] is None and watched.badge_states == ["foreign"]


@pytest.mark.parametrize("breakage", ["code", "id"])
def test_wrong_code_or_unknown_id_is_invalid(watched, shop, seal_for, widget_src, breakage):
    seal = seal_for()
    markup = badge_div(seal)
    if breakage == "code":
        markup = markup.replace(service.code_for(seal), "forged-code")
    else:
        markup = markup.replace(seal.public_id, "zzzzzzzzzzzz")
    [card] = open_shop(watched, shop.add("/", markup + script_tag(widget_src)))
    assert card["state"] == "invalid" and card["text"] == ["نماد نامعتبر"]
    assert watched.badge_states == ["invalid"]


def test_noscript_fallback_stays_hidden(watched, shop, seal_for, widget_src):
    seal = seal_for()
    fallback = f"<noscript>{snippet(seal)}</noscript></div>"
    [card] = open_shop(watched, shop.add("/", badge_div(seal).replace("</div>", fallback) + script_tag(widget_src)))
    assert card["state"] == "active" and card["imgs"] == 1 and card["loaded"]
    assert watched.evaluate("document.querySelectorAll('a, img').length") == 0
    assert watched.badge_states == ["valid"]  # only the widget's image was fetched


def test_plain_snippet_is_upgraded_in_place(watched, shop, seal_for, widget_src, ctx):
    seal = seal_for(stars=1)
    english = snippet(seal, lang="en").replace(".svg?code=", ".svg?lang=en&code=")
    url = shop.add("/", f"<p>before {snippet(seal)} after</p><p>{english}</p>" + script_tag(widget_src))
    cards = open_shop(watched, url, badges=2)
    assert [(c["tag"], c["state"], c["lang"], c["links"], c["imgs"]) for c in cards] == [
        ("span", "active", "fa", 1, 1), ("span", "active", "en", 1, 1)]
    assert watched.evaluate("document.querySelector('p').textContent") == "before  after"
    assert watched.evaluate("document.querySelectorAll('a, img').length") == 0  # all moved into shadow roots
    assert set(watched.badge_states) == {"valid"}


def test_hostile_shop_name_is_shown_as_text(watched, shop, seal_for, widget_src):
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    seal = seal_for(name_fa=payload, name_en=payload)
    [card] = open_shop(watched, shop.add("/", badge_div(seal) + script_tag(widget_src)))
    watched.wait_for_load_state("networkidle")
    assert watched.evaluate("window.__pwned") is None
    assert card["text"][0] == payload and card["imgs"] == 1


def test_works_under_a_strict_csp(watched, shop, seal_for, widget_src, live_server):
    seal = seal_for()
    csp = (f"default-src 'none'; script-src {live_server.url}; img-src {live_server.url}; "
           f"connect-src {live_server.url}; require-trusted-types-for 'script'")
    url = shop.add("/", badge_div(seal) + script_tag(widget_src), {"Content-Security-Policy": csp})
    [card] = open_shop(watched, url)
    assert card["state"] == "active" and card["loaded"]
    card_box = watched.locator(".c")
    assert card_box.is_hidden()  # the shadow root's styles apply although the page allows none
    watched.keyboard.press("Tab")
    assert card_box.is_visible()
    assert watched.evaluate("window.__csp") == []


def test_double_inclusion_renders_once(watched, shop, seal_for, widget_src, versioned_widget_src, ctx):
    seal = seal_for()
    api_calls = []
    watched.on("request", lambda request: "/api/v1/" in request.url and api_calls.append(request))
    body = (badge_div(seal) + snippet(seal) + script_tag(widget_src) + script_tag(versioned_widget_src)
            + script_tag(widget_src))
    cards = open_shop(watched, shop.add("/", body), badges=2)
    watched.wait_for_load_state("networkidle")
    assert [(c["tag"], c["imgs"], len(c["text"])) for c in watched.evaluate(CARDS)] == [
        ("div", 1, 5), ("span", 1, 5)]
    assert len(cards) == 2 and len(api_calls) == 2
    assert watched.evaluate("Object.getOwnPropertyNames(window).filter((n) => !__globals.includes(n))") == []


def test_no_cookies_or_storage(watched, shop, seal_for, widget_src, live_server):
    seal = seal_for()
    watched.context.add_cookies([{"name": "tracker", "value": "1", "url": live_server.url}])
    api_calls = []
    watched.on("request", lambda request: "/api/v1/" in request.url and api_calls.append(request))
    open_shop(watched, shop.add("/", badge_div(seal) + script_tag(widget_src)))
    [call] = api_calls
    assert "cookie" not in call.all_headers()
    assert [c["name"] for c in watched.context.cookies()] == ["tracker"]
    assert watched.evaluate("localStorage.length + sessionStorage.length") == 0


@pytest.mark.parametrize("reset", ["", "<style>img{display:block;max-width:100%}</style>"])
def test_no_layout_shift(watched, shop, seal_for, widget_src, ctx, reset):
    seal = seal_for()
    other = seal_for(domain="other.example")

    held = WidgetHold(watched)
    body = (reset + "<p>top</p>" + recommended(seal) + "<p id=below>below</p>"
            + f"<p>inline {snippet(other)} text</p><p>end</p>" + script_tag(widget_src))
    watched.goto(shop.add("/", body), wait_until="domcontentloaded")
    watched.evaluate(PAINTED)
    assert watched.evaluate(SHADOW_HOSTS) == 0  # the page is painted and the widget has not run yet
    where = "[...document.querySelectorAll('p')].map((p) => [p.offsetTop, p.offsetLeft])"
    painted = watched.evaluate(where)
    held.release()
    watched.wait_for_function(FILLED, arg=2)
    assert watched.evaluate("window.__shift") == 0
    # the card opens over the page, not in its flow (input-driven shifts are not reported as such)
    watched.hover(".seal-badge")
    watched.keyboard.press("Tab")
    assert watched.locator(".c").first.is_visible()
    assert watched.evaluate(where) == painted
    # the observer does report a shift when there is one
    watched.wait_for_timeout(600)
    watched.evaluate("document.body.prepend(Object.assign(document.createElement('div'), {textContent: 'x'}))")
    watched.wait_for_function("window.__shift > 0")


def test_measurement_sees_the_shift_of_a_bare_div(watched, shop, seal_for, widget_src):
    """Why the pasted markup carries the snippet: an empty div can only take its size late."""
    seal = seal_for()
    held = WidgetHold(watched)
    watched.goto(shop.add("/", badge_div(seal) + "<p>below</p>" + script_tag(widget_src)),
                 wait_until="domcontentloaded")
    watched.evaluate(PAINTED)
    held.release()
    watched.wait_for_function(FILLED, arg=1)
    assert watched.evaluate("window.__shift") > 0


def test_keyboard_focus_and_hover_show_the_card(watched, shop, seal_for, widget_src):
    seal = seal_for()
    open_shop(watched, shop.add("/", "<a href='#'>first</a>" + badge_div(seal) + script_tag(widget_src)))
    card = watched.locator(".c")
    link = watched.locator(".seal-badge a")
    assert card.is_hidden()
    assert link.get_attribute("aria-describedby") == card.get_attribute("id")
    assert card.get_attribute("role") == "tooltip"
    watched.keyboard.press("Tab")
    watched.keyboard.press("Tab")
    assert watched.evaluate("document.activeElement.className") == "seal-badge"
    assert card.is_visible() and "معتبر" in card.inner_text()
    watched.keyboard.press("Escape")
    assert card.is_hidden()
    watched.mouse.move(0, 0)
    watched.hover(".seal-badge img")
    assert card.is_visible()
    box, badge = card.bounding_box(), watched.locator(".seal-badge img").bounding_box()
    assert box["y"] + box["height"] <= badge["y"] + 1  # above the badge, covering nothing it owns
