"""Hostile query strings and paths on public pages answer 4xx, never a 500."""
import pytest


@pytest.mark.parametrize("key", ["endpoint", "_method", "public_id", "_external", "_scheme", "_anchor", "values"])
def test_query_keys_named_like_url_for_arguments_do_not_break_pages(client, key):
    response = client.get(f"/registry?{key}=x&q=shop")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f"{key}=x" in body  # the language switch keeps the visitor's query
    assert client.get(f"/verify/abc?{key}=1").status_code == 404


def test_the_language_switch_keeps_every_query_value(client):
    body = client.get("/registry?q=a&q=b&page=1").get_data(as_text=True)
    assert "/registry?q=a&amp;q=b&amp;page=1&amp;lang=en" in body


@pytest.mark.parametrize("page", ["999999999999999999", "-5", "0", "۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹"])
def test_huge_or_negative_registry_pages_are_empty_pages(client, page):
    assert client.get(f"/registry?page={page}").status_code == 200


@pytest.mark.parametrize("path", ["/registry?q=%00", "/registry?q=a%00b", "/verify/abc%00?code=x",
                                  "/billing/callback/INV-1%00", "/billing/sandbox/abc%00",
                                  "/billing/callback/INV-1?Authority=%00&Status=OK",
                                  "/operator/letters/abc%00.pdf", "/registry?%00=1"])
def test_nul_bytes_are_refused(client, path):
    response = client.get(path)
    assert response.status_code == 400


def test_nul_bytes_in_a_form_are_refused(app, client):
    from seal_server.accounts.models import OtpChallenge
    from seal_server.extensions import db
    from tests.accounts.conftest import csrf_from

    page = client.get("/account/enter")
    response = client.post("/account/enter", data={
        "csrf_token": csrf_from(page), "national_code": "0013542419\x00", "mobile": "09121234567"})
    assert response.status_code == 400
    assert "The request could not be understood." in client.post("/account/enter?lang=en", data={
        "csrf_token": csrf_from(page), "national_code": "0013542419", "mobile": "0912\x00"}).get_data(as_text=True)
    with app.app_context():
        assert db.session.query(OtpChallenge).count() == 0
