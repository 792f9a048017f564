"""The owner's invoice page, the sandbox bank's page and the callback, through HTTP."""
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from seal_server.accounts.models import Account
from seal_server.billing import service
from seal_server.billing.fees import FeeSchedule, seal_fee_plan
from seal_server.extensions import db
from tests.accounts.conftest import NATIONAL_CODE, csrf_from, sign_in


def path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


@pytest.fixture
def invoice_number(app, client, now):
    sign_in(client)
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.national_code == NATIONAL_CODE))
        lines = seal_fee_plan(FeeSchedule(), micro=True)[0].lines
        return service.create_invoice(account, lines, purpose="seal", now=now).number


def test_pay_with_the_sandbox_bank(client, invoice_number):
    page = client.get(f"/billing/invoices/{invoice_number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "۵۰٬۰۰۰ تومان" in html and "سال نخست" in html
    assert client.post(f"/billing/invoices/{invoice_number}/pay").status_code == 400  # no CSRF token
    to_bank = client.post(f"/billing/invoices/{invoice_number}/pay", data={"csrf_token": csrf_from(page)})
    assert to_bank.status_code == 302
    bank_page = client.get(path_of(to_bank.headers["Location"]))
    assert bank_page.status_code == 200 and "۵۰٬۰۰۰ تومان" in bank_page.get_data(as_text=True)
    back = client.post(path_of(to_bank.headers["Location"]),
                       data={"csrf_token": csrf_from(bank_page), "outcome": "paid"})
    callback = path_of(back.headers["Location"])
    assert callback.startswith(f"/billing/callback/{invoice_number}?")
    result = client.get(callback, follow_redirects=True)
    html = result.get_data(as_text=True)
    assert "پرداخت دریافت شد" in html and "پرداخت شده در" in html
    replay = client.get(callback, follow_redirects=True)  # the payer reloads the page
    assert "پرداخت دریافت شد" in replay.get_data(as_text=True)
    page = client.get(f"/billing/invoices/{invoice_number}")
    assert "csrf_token" not in page.get_data(as_text=True), "a paid invoice offers no pay button"


def test_cancel_at_the_bank_in_english(client, invoice_number):
    page = client.get(f"/billing/invoices/{invoice_number}?lang=en")
    assert "50,000 toman" in page.get_data(as_text=True)
    to_bank = client.post(f"/billing/invoices/{invoice_number}/pay?lang=en", data={"csrf_token": csrf_from(page)})
    bank = path_of(to_bank.headers["Location"])
    back = client.post(bank, data={"csrf_token": csrf_from(client.get(bank)), "outcome": "cancelled"})
    html = client.get(path_of(back.headers["Location"]), follow_redirects=True).get_data(as_text=True)
    assert "The payment was cancelled; nothing was charged." in html and "Pay 50,000 toman" in html


@pytest.mark.parametrize("query", ["", "?Authority=&Status=OK", "?Authority=Sforged&Status=OK",
                                   "?Authority=%ff%fe&Status=%00"])
def test_bad_callbacks_are_clear_400s(client, invoice_number, query):
    response = client.get(f"/billing/callback/{invoice_number}{query}")
    assert response.status_code == 400
    # a NUL byte is refused app-wide before the view (PostgreSQL cannot store it)
    assert ("ثبت نشد" if "%00" not in query else "درخواست") in response.get_data(as_text=True)


def test_invoices_are_private(app, client, invoice_number):
    stranger = app.test_client()
    response = stranger.get(f"/billing/invoices/{invoice_number}")
    assert response.status_code == 302 and "/account/enter" in response.headers["Location"]
    assert client.get("/billing/invoices/000000-000000").status_code == 404
    assert client.get("/billing/sandbox/Snothing").status_code == 404


@pytest.mark.parametrize("app_config", [{"SEAL_PAYMENT_GATEWAY": "zarinpal", "SEAL_ZARINPAL_MERCHANT_ID": "m",
                                         "SEAL_ZARINPAL_BASE_URL": "https://payment.zarinpal.com"}])
def test_invoice_page_lets_the_form_reach_zarinpal(client, invoice_number):
    csp = client.get(f"/billing/invoices/{invoice_number}").headers["Content-Security-Policy"]
    assert "form-action 'self' https://payment.zarinpal.com" in csp


def test_paying_an_invoice_being_confirmed_is_a_message_not_a_500(app, client, invoice_number):
    from seal_server.billing.models import Invoice

    page = client.get(f"/billing/invoices/{invoice_number}")
    token = csrf_from(page)
    with app.app_context():
        db.session.scalar(select(Invoice).where(Invoice.number == invoice_number)).status = "confirming"
        db.session.commit()
    response = client.post(f"/billing/invoices/{invoice_number}/pay", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "در حال تأیید است؛ لطفاً اندکی صبر کنید" in response.get_data(as_text=True)
