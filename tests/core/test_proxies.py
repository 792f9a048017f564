"""Behind SEAL_TRUSTED_PROXIES reverse proxies, per-address limits count the visitor's address, not the proxy's."""
import pytest

from seal_server.config import ConfigError, from_environ
from tests.accounts.conftest import csrf_from


def _enter(client, forwarded_for):
    page = client.get("/account/enter?lang=en", headers={"X-Forwarded-For": forwarded_for})
    return client.post("/account/enter?lang=en", headers={"X-Forwarded-For": forwarded_for}, data={
        "csrf_token": csrf_from(page), "national_code": "123", "mobile": "09121234567"}).status_code


@pytest.mark.parametrize("app_config", [{"SEAL_TRUSTED_PROXIES": 1}])
def test_limits_are_per_visitor_behind_a_trusted_proxy(app):
    client = app.test_client()
    assert [_enter(client, "203.0.113.1") for _ in range(10)] == [400] * 10
    assert _enter(client, "203.0.113.1") == 429
    assert _enter(app.test_client(), "203.0.113.2") == 400


def test_without_trusted_proxies_a_forwarded_address_is_ignored(app):
    client = app.test_client()
    for n in range(10):
        _enter(client, f"203.0.113.{n}")
    assert _enter(client, "203.0.113.99") == 429


def test_the_setting_is_a_small_whole_number():
    assert from_environ({"SEAL_TRUSTED_PROXIES": "2"})["SEAL_TRUSTED_PROXIES"] == 2
    assert from_environ({})["SEAL_TRUSTED_PROXIES"] == 0
    for bad in ("-1", "many", "11"):
        with pytest.raises(ConfigError, match="SEAL_TRUSTED_PROXIES"):
            from_environ({"SEAL_TRUSTED_PROXIES": bad})
