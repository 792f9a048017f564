"""The badge as SVG: one look per state, drawn once per (state, kind, stars, lang, size)."""
import base64
import functools
import hashlib
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..i18n import N_, translations
from ..iran.digits import to_persian_digits
from .models import GRAY, TEMPORARY
from .rules import EXPIRED, FOREIGN, INVALID, REVOKED, SUSPENDED, UNVERIFIED, VALID, badge_state

SIZES = {"small": (96, 120), "medium": (128, 160), "large": (160, 200)}
DEFAULT_SIZE = "medium"

# look -> (main colour, label); the label is a msgid in the gettext catalog
LOOKS = {
    "valid": ("#15803d", N_("Verified")),
    "gray": ("#6b7280", N_("Gray seal")),
    "temporary": ("#0e7490", N_("Temporary seal")),
    SUSPENDED: ("#c2410c", N_("Suspended")),
    EXPIRED: ("#52525b", N_("Expired")),
    REVOKED: ("#b91c1c", N_("Revoked")),
    FOREIGN: ("#9f1239", N_("Not this site's seal")),
    # No Referer says nothing bad about the seal (privacy browsers, no-referrer policies): a neutral
    # invitation to click, never a warning; the verification page tells the truth.
    UNVERIFIED: ("#1d4ed8", N_("Click to verify")),
    INVALID: ("#7f1d1d", N_("Invalid seal")),
}

SHOWS_STARS = {"valid", "gray", "temporary", UNVERIFIED}
CROSS = "M-11 -11 l22 22 M11 -11 l-22 22"
MARKS = {
    "valid": "M-14 0 l9 9 l19 -19",
    "gray": "M-14 0 l9 9 l19 -19",
    "temporary": "M0 -14 v14 l10 6",
    UNVERIFIED: "M-12 -3 a9 9 0 1 0 18 0 a9 9 0 1 0 -18 0 M3.5 3.5 l8.5 8.5",  # a magnifying glass: look closer
}


@dataclass(frozen=True)
class RenderedBadge:
    body: bytes
    etag: str

    @property
    def data_uri(self):
        return "data:image/svg+xml;base64," + base64.b64encode(self.body).decode("ascii")


def look_for(state, kind):
    if state == VALID and kind in (GRAY, TEMPORARY):
        return kind
    return state if state != VALID else "valid"


def _star_points(cx, cy, outer, inner):
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append(f"{cx + radius * math.cos(angle):.1f},{cy - radius * math.sin(angle):.1f}")
    return " ".join(points)


def _stars(stars, width, y, colour, rtl):
    size = width / 16
    gap = size * 2.3
    start = width / 2 - 2 * gap
    shapes = []
    for i in range(5):
        filled = (4 - i if rtl else i) < stars  # filled stars start where reading starts
        shapes.append(
            f'<polygon points="{_star_points(start + i * gap, y, size, size * 0.45)}" '
            f'fill="{colour if filled else "none"}" stroke="{colour}" stroke-width="1"/>'
        )
    return "".join(shapes)


@functools.lru_cache(maxsize=1024)
def render(state, kind, stars, lang, size):
    """Draw the badge; cached, since its look depends only on these arguments."""
    t = translations(lang).gettext
    width, height = SIZES.get(size, SIZES[DEFAULT_SIZE])
    look = look_for(state, kind)
    colour, label_id = LOOKS[look]
    title = t(N_("Electronic trust seal"))
    label = t(label_id)
    shown_stars = stars if look in SHOWS_STARS else 0
    star_text = t(N_("%(num)d of 5 stars")) % {"num": shown_stars}
    if lang == "fa":
        star_text = to_persian_digits(star_text)
    comma = "، " if lang == "fa" else ", "
    description = f"{title}: {label}" + (f"{comma}{star_text}" if look in SHOWS_STARS else "")
    direction = "rtl" if lang == "fa" else "ltr"
    scale = width / 128
    font = "Vazirmatn, Tahoma, 'Segoe UI', sans-serif"
    cx = width / 2
    mark = MARKS.get(look, CROSS)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(description)}>'
        f"<title>{escape(description)}</title>"
        f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" rx="{10 * scale:.1f}" '
        f'fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        f'<circle cx="{cx}" cy="{46 * scale:.1f}" r="{30 * scale:.1f}" fill="{colour}"/>'
        f'<path d="{mark}" transform="translate({cx} {46 * scale:.1f}) scale({scale:.2f})" '
        f'fill="none" stroke="#ffffff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>'
        f'<text x="{cx}" y="{94 * scale:.1f}" font-family="{font}" font-size="{11 * scale:.1f}" '
        f'font-weight="700" fill="#111827" text-anchor="middle" direction="{direction}">{escape(title)}</text>'
        + (_stars(shown_stars, width, 111 * scale, "#ca8a04", lang == "fa") if look in SHOWS_STARS else "")
        + f'<text x="{cx}" y="{(140 if look in SHOWS_STARS else 124) * scale:.1f}" font-family="{font}" '
        f'font-size="{12 * scale:.1f}" font-weight="700" fill="{colour}" text-anchor="middle" '
        f'direction="{direction}">{escape(label)}</text>'
        "</svg>"
    )
    body = svg.encode()
    return RenderedBadge(body=body, etag=hashlib.sha256(body).hexdigest()[:20])


def as_seen_on_own_site(snapshot, lang, now, size=DEFAULT_SIZE):
    """The badge a visitor of the seal's registered site sees: the owner's preview, since the panel is not that site."""
    state = badge_state(snapshot, True, f"https://{snapshot.domain}/", now)
    return render(state, snapshot.kind, snapshot.stars, lang, size)
