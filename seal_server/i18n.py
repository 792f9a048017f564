"""Persian first, English second: gettext catalogs compiled in memory from the .po files.

Babel reads and compiles the catalogs at start-up, so there is no separate
compile step to forget and no binary .mo file to keep in step with the source.
"""
import contextlib
import contextvars
import functools
from io import BytesIO
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import has_request_context, request, url_for

from .iran.calendar import TEHRAN, gregorian_date, jalali_date, jalali_numeric
from .iran.digits import to_persian_digits
from .marks import N_  # noqa: F401  (re-exported for views)

LANGUAGES = ("fa", "en")
DEFAULT_LANGUAGE = "fa"
CATALOG_DIR = Path(__file__).parent / "translations"


@functools.cache
def translations(lang):
    path = CATALOG_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def pick_language(value):
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


_forced = contextvars.ContextVar("seal_language", default=None)


@contextlib.contextmanager
def language(lang):
    """Render in `lang` whatever the request says (messages are written in both languages)."""
    token = _forced.set(pick_language(lang))
    try:
        yield
    finally:
        _forced.reset(token)


def current_language():
    """?lang=en picks English; Persian otherwise, and outside requests."""
    if _forced.get() is not None:
        return _forced.get()
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return pick_language(request.args.get("lang"))


def gettext(message, **variables):
    text = translations(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular, plural, n, **variables):
    variables.setdefault("num", n)
    return translations(current_language()).ngettext(singular, plural, n) % variables


def digits(value):
    """Persian digits on Persian pages."""
    text = str(value)
    return to_persian_digits(text) if current_language() == "fa" else text


def show_date(moment):
    """A date for people: Jalali first, Gregorian beside it."""
    if moment is None:
        return ""
    if current_language() == "fa":
        return f"{jalali_date(moment)} ({to_persian_digits(gregorian_date(moment))})"
    return f"{gregorian_date(moment)} ({jalali_numeric(moment)} SH)"


def show_iso(text):
    """An ISO 8601 time (as in event payloads) for people."""
    from .clock import parse_iso

    try:
        return show_date(parse_iso(text)) if text else ""
    except ValueError:
        return str(text)


def show_day(day):
    """A calendar date (no time) for people."""
    if day is None:
        return ""
    as_moment = datetime(day.year, day.month, day.day, 12, tzinfo=TEHRAN)
    return show_date(as_moment)


def init_app(app):
    for lang in LANGUAGES:
        translations(lang)  # fail at start-up, not on a visitor's request, if a catalog is broken
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True)
    app.jinja_env.filters["digits"] = digits
    app.jinja_env.filters["show_date"] = show_date

    app.jinja_env.filters["show_day"] = show_day
    app.jinja_env.filters["show_iso"] = show_iso

    @app.context_processor
    def language_context():
        lang = current_language()
        other = "en" if lang == "fa" else "fa"
        return {
            "lang": lang,
            "dir": "rtl" if lang == "fa" else "ltr",
            "lang_param": None if lang == DEFAULT_LANGUAGE else lang,
            "other_lang": other,
            "other_lang_name": "English" if other == "en" else "فارسی",
            "switch_language_url": _switch_language_url(other),
            "authority_name": app.config["SEAL_AUTHORITY_NAME_FA" if lang == "fa" else "SEAL_AUTHORITY_NAME_EN"],
        }


def _switch_language_url(lang):
    """This page in `lang`: the same path and query, only `lang` changed (never the query as url_for arguments)."""
    if request.endpoint is None or request.url_rule is None:
        return "/" if lang == DEFAULT_LANGUAGE else f"/?lang={lang}"
    pairs = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    if lang != DEFAULT_LANGUAGE:
        pairs.append(("lang", lang))
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{path}?{urlencode(pairs)}" if pairs else path
