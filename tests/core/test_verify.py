from datetime import date, timedelta

import pytest

from seal_server.extensions import db
from seal_server.seals import service
from seal_server.seals.models import Licence
from tests.factories import issue


def verify_url(seal, **params):
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    return f"/verify/{seal.public_id}?code={service.code_for(seal)}{extra}"


@pytest.fixture
def seal(ctx, now):
    seal = issue(now=now, landline="02188776655", email="info@shop.example", address="تهران، خیابان آزادی",
                 province="تهران", city="تهران", postal_code="1458889311", response_hours="۹ تا ۱۷")
    seal.business.owner.birth_date = date(1990, 1, 2)
    seal.business.licences.append(Licence(title="پروانه کسب", issuer="اتحادیه", number="12345",
                                           valid_to=date(2028, 3, 20), status="verified"))
    db.session.commit()
    return seal


def test_persian_page_shows_the_public_facts(client, seal):
    response = client.get(verify_url(seal))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    for fact in ["فروشگاه نمونه", "Sample Shop", "shop.example", "مریم احمدی", "این نماد معتبر است",
                 "نماد استاندارد", "تهران، خیابان آزادی", "info@shop.example", "پروانه کسب", "اتحادیه",
                 "ثبت شکایت", "گزارش تخلف", "سابقه عملکرد"]:
        assert fact in html, fact
    # issued 2026-11-23: 2 Azar 1405 in the Jalali calendar, with Persian digits, and the Gregorian date
    assert "۲ آذر ۱۴۰۵" in html and "۲۰۲۶-۱۱-۲۳" in html
    assert "۲ آذر ۱۴۰۷" in html  # expiry two years later
    assert "۰۲۱۸۸۷۷۶۶۵۵" in html  # Persian digits for the phone number


def test_english_page(client, seal):
    html = client.get(verify_url(seal, lang="en")).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "This seal is valid." in html and "2026-11-23" in html and "1405/09/02" in html
    assert "File a complaint" in html and "Report a violation" in html


def test_never_shows_private_data(client, seal):
    html = client.get(verify_url(seal)).get_data(as_text=True)
    for secret in ["0013542419", "09121234567", "1990", "۰۰۱۳۵۴۲۴۱۹", "۰۹۱۲۱۲۳۴۵۶۷", "۱۹۹۰"]:
        assert secret not in html


def test_not_frameable(client, seal):
    response = client.get(verify_url(seal))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_foreign_referer_banner(client, seal):
    html = client.get(verify_url(seal), headers={"Referer": "https://fake-shop.example/p/1"}).get_data(as_text=True)
    assert "این نماد متعلق به shop.example است، اما شما از fake-shop.example آمده‌اید" in html
    en = client.get(verify_url(seal, lang="en"), headers={"Referer": "https://fake-shop.example/"}).get_data(as_text=True)
    assert "This seal belongs to shop.example, but you came from fake-shop.example" in en


@pytest.mark.parametrize("referer", ["https://shop.example/", "https://www.shop.example/x", None,
                                     "http://seal.test/registry", "garbage"])
def test_no_banner_from_own_site_or_none(client, seal, referer):
    headers = {"Referer": referer} if referer else {}
    html = client.get(verify_url(seal), headers=headers).get_data(as_text=True)
    assert "آمده‌اید" not in html


@pytest.mark.parametrize("action, text", [("suspend", "این نماد تعلیق شده است"),
                                          ("revoke", "این نماد لغو شده است")])
def test_state_banners(client, seal, now, action, text):
    getattr(service, action)(seal.public_id, now=now, actor="t", reason="x")
    html = client.get(verify_url(seal)).get_data(as_text=True)
    assert text in html and "این نماد معتبر است" not in html


def test_expired_banner(ctx, client, now):
    old = issue("old.example", now=now - timedelta(days=800))
    html = client.get(verify_url(old)).get_data(as_text=True)
    assert "اعتبار این نماد به پایان رسیده است" in html


@pytest.mark.parametrize("path", ["/verify/zzzzzzzzzzzz?code=x", "/verify/BAD!?code=x", "/verify/aaaaaaaaaaaa",
                                  "/verify/%ff%fe?code=%ff"])
def test_invalid_seal_page(ctx, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "این نماد معتبر نیست" in response.get_data(as_text=True)


def test_wrong_code_is_invalid(client, seal):
    response = client.get(f"/verify/{seal.public_id}?code=wrong")
    assert response.status_code == 404


def test_report_buttons_lead_to_a_working_page(client, seal):
    html = client.get(verify_url(seal)).get_data(as_text=True)
    assert "kind=complaint" in html
    page = client.get(f"/report/{seal.public_id}?code={service.code_for(seal)}&kind=complaint")
    assert page.status_code == 200 and seal.public_id in page.get_data(as_text=True)
    assert client.get(f"/report/{seal.public_id}?code=bad").status_code == 404
    # violations are filed online (tests/conformity/test_violations.py)
    violation = f"/verify/{seal.public_id}/violation?code={service.code_for(seal)}"
    assert violation.replace("&", "&amp;") in html or violation in html
    assert client.get(violation).status_code == 200
    assert client.get(f"/verify/{seal.public_id}/violation?code=bad").status_code == 404


def test_shop_name_is_escaped(ctx, client, now):
    seal = issue("xss.example", now=now, name_fa='<script>alert(1)</script>', name_en='"><img src=x onerror=alert(1)>')
    html = client.get(verify_url(seal)).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("kind, says, never", [
    ("standard", "The authority has verified this business.", "without a reviewer"),
    ("gray", "Issued without a reviewer", "The authority has verified this business."),
    ("temporary", "A temporary seal", "The authority has verified this business."),
])
def test_the_banner_says_what_was_checked_for_each_kind(client, ctx, now, kind, says, never):
    seal = issue(f"{kind}.example", now=now, kind=kind)
    db.session.commit()
    html = client.get(verify_url(seal, lang="en")).get_data(as_text=True)
    assert says in html and never not in html
