"""A signed-in owner's client and helpers for walking the application pages."""
import re

import pytest

from tests.accounts.conftest import csrf_from, sign_in

from .servers import Site, free_port

OTHER_CODE, OTHER_MOBILE = "0499370899", "09351112233"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def owner(client, tmp_path):
    """A signed-in owner; uploads go to the test's own directory."""
    client.application.config["SEAL_UPLOAD_DIR"] = str(tmp_path / "uploads")
    sign_in(client)
    return client


def new_application(client):
    page = client.get("/panel")
    response = client.post("/panel/applications", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    return int(re.search(r"/panel/applications/(\d+)$", response.headers["Location"]).group(1))


def post_form(client, path, data, lang=""):
    page = client.get(path + lang)
    return client.post(path + lang, data={"csrf_token": csrf_from(page), **data})


NATURAL = {"person_kind": "natural", "first_name": "مریم", "last_name": "احمدی", "father_name": "علی",
           "gender": "female", "birth_date": "۱۳۷۰/۰۵/۲۱", "address": "تهران، خیابان آزادی، پلاک ۱۰",
           "postal_code": "۱۵۸۷۶-۵۴۳۲۱", "landline": "۰۲۱-۸۸۷۷ ۶۶۵۵"}
CONTACT = {key: NATURAL[key] for key in ("address", "postal_code", "landline")}
BUSINESS = {"seal_kind": "standard", "domain": "http://Shop.Example/path", "name_fa": "فروشگاه نمونه",
            "name_en": "Sample Shop", "category": "general", "sales_method": "direct", "owns_domain": "yes"}


SITE_DOMAIN = "shop.example"


@pytest.fixture
def site():
    """A local web server standing in for the applicant's site."""
    server = Site()
    yield server
    server.close()


def fetch_from(site, domain=SITE_DOMAIN):
    """App settings that send the domain-proof fetcher for `domain` to the local `site` (and nowhere else)."""
    return {"SEAL_FETCH_RESOLVER": lambda host: ["127.0.0.1"] if host == domain else [],
            "SEAL_FETCH_ALLOW_LOOPBACK": True, "SEAL_FETCH_HTTP_PORT": site.port,
            "SEAL_FETCH_HTTPS_PORT": free_port()}
