"""Errors under /api/ answer JSON in the documented {error} shape; 405 always carries Allow."""
import pytest

from tests.factories import payment_provider


def _json_error(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    assert set(response.json) == {"error"} and response.json["error"]
    return response


def test_unknown_api_path_is_a_json_404(client):
    _json_error(client.get("/api/v1/nothing-here"), 404)


@pytest.mark.parametrize("method, path, allowed", [
    ("post", "/api/v1/seals/abcdefghjkmn", "GET"),
    ("get", "/api/v1/gray-volumes", "POST"),
    ("delete", "/api/v1/openapi.json", "GET"),
])
def test_wrong_method_is_a_json_405_with_allow(client, method, path, allowed):
    response = _json_error(getattr(client, method)(path), 405)
    assert allowed in response.headers["Allow"]


def test_pages_405_carry_allow_too(client):
    response = client.get("/account/logout")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


@pytest.fixture
def token(ctx, now):
    return payment_provider("bank", now=now)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1000}])
def test_too_large_is_a_json_413(client, token):
    response = client.post("/api/v1/gray-volumes", data="x" * 5000, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    _json_error(response, 413)


def test_too_many_is_a_json_429(client):
    for _ in range(120):
        client.post("/api/v1/gray-volumes", json={})
    _json_error(client.post("/api/v1/gray-volumes", json={}), 429)


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_a_crash_is_a_json_500(client, token, monkeypatch):
    from seal_server.onboarding import gray

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(gray, "record", crash)
    response = client.post("/api/v1/gray-volumes", json={}, headers={"Authorization": f"Bearer {token}"})
    _json_error(response, 500)
    assert "boom" not in response.get_data(as_text=True)
