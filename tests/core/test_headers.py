"""Security headers beyond HTML pages: nosniff everywhere, HSTS over HTTPS in production."""
import pytest


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/widget.js", "/healthz", "/api/v1/seals/nosuchseal00"])
def test_every_answer_says_nosniff(client, path):
    assert client.get(path).headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("app_config", [{"SEAL_ENV": "production"}])
def test_hsts_over_https_in_production(client):
    secure = client.get("/registry", base_url="https://seal.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/registry").headers  # never over plain HTTP


def test_no_hsts_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/registry", base_url="https://seal.test").headers
