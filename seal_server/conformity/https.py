"""The second star's check: does the shop's domain present a valid HTTPS certificate that is not about to end?

The safe fetcher connects (it verifies the chain and the name); `rules.certificate_ok` judges the dates.
"""
import ssl
from datetime import datetime, timezone

from flask import current_app

from ..marks import N_
from ..onboarding.domain import fetcher_from_config
from ..onboarding.fetcher import FetchError
from . import rules


def not_after(certificate):
    """The certificate's end as an aware datetime."""
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(certificate["notAfter"]), timezone.utc)


def check_https(domain, now, fetcher=None):
    """(ok, msgid) for the domain's certificate at `now`."""
    fetcher = fetcher or fetcher_from_config(current_app.config)
    try:
        certificate = fetcher.peer_certificate(f"https://{domain}/")
    except FetchError as error:
        return False, error.message
    if not rules.certificate_ok(not_after(certificate), now):
        return False, N_("The site's HTTPS certificate ends within 14 days.")
    return True, N_("The site has a valid HTTPS certificate.")
