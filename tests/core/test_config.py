import pytest

from seal_server import create_app
from seal_server.config import DEV_SECRET, ConfigError, from_environ


def test_development_defaults():
    config = from_environ({}, instance_path="/tmp/x")
    assert config["SEAL_SECRET_KEYS"] == [DEV_SECRET]
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/x/seal.sqlite3"
    assert config["SEAL_VALIDITY_DAYS"] == 730


def test_keys_are_a_list_newest_last():
    config = from_environ({"SEAL_SECRET_KEYS": " old-key , new-key "})
    assert config["SEAL_SECRET_KEYS"] == ["old-key", "new-key"]
    assert config["SECRET_KEY"] == "new-key"


@pytest.mark.parametrize("keys, reason", [(None, "not set"), ("", "not set"), (DEV_SECRET, "development default"),
                                          ("short", "shorter than 32")])
def test_production_refuses_weak_or_missing_secrets(keys, reason, monkeypatch):
    environ = {"SEAL_ENV": "production"}
    if keys is not None:
        environ["SEAL_SECRET_KEYS"] = keys
    with pytest.raises(ConfigError, match=reason):
        from_environ(environ)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    if keys is None:
        monkeypatch.delenv("SEAL_SECRET_KEYS", raising=False)
    with pytest.raises(ConfigError):
        create_app()


PRODUCTION = {"SEAL_ENV": "production", "SEAL_SECRET_KEYS": "Vq3xL9_rT2mZ8wK4pN7bH1sD6fJ0cY5gA-eU2iO8uQ3",
              "SEAL_STATUS_KEYS": "s" * 43, "SEAL_PAYMENT_GATEWAY": "zarinpal", "SEAL_ZARINPAL_MERCHANT_ID": "m",
              "SEAL_SMS_BACKEND": "kavenegar", "SEAL_KAVENEGAR_API_KEY": "key", "SEAL_EMAIL_BACKEND": "smtp"}


def test_production_with_a_strong_key():
    config = from_environ(PRODUCTION)
    assert config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_the_sandbox_bank_and_public_operator_pages():
    with pytest.raises(ConfigError, match="sandbox"):
        from_environ({**PRODUCTION, "SEAL_PAYMENT_GATEWAY": "sandbox"})
    assert from_environ({**PRODUCTION, "SEAL_PAYMENT_GATEWAY": "sandbox", "SEAL_ALLOW_SANDBOX_GATEWAY": "1"})
    with pytest.raises(ConfigError, match="SEAL_POST_OFFICE_PAGE"):
        from_environ({**PRODUCTION, "SEAL_POST_OFFICE_PAGE": "1"})


def test_bad_number_is_a_clear_error():
    with pytest.raises(ConfigError, match="SEAL_VALIDITY_DAYS must be a whole number"):
        from_environ({"SEAL_VALIDITY_DAYS": "two years"})


def test_fees_and_gateway_settings():
    config = from_environ({"SEAL_FEES": '{"postal_check": 20000}'})
    assert config["SEAL_FEES"].postal_check == 200_000 and config["SEAL_PAYMENT_GATEWAY"] == "sandbox"
    for bad in ['{"postal": 1}', "[1]", "not json", '{"postal_check": -5}']:
        with pytest.raises(ConfigError, match="SEAL_FEES"):
            from_environ({"SEAL_FEES": bad})
    with pytest.raises(ConfigError, match="SEAL_PAYMENT_GATEWAY"):
        from_environ({"SEAL_PAYMENT_GATEWAY": "paypal"})
    with pytest.raises(ConfigError, match="MERCHANT_ID"):
        from_environ({"SEAL_PAYMENT_GATEWAY": "zarinpal"})


@pytest.mark.parametrize("value", ["Production", "prod", "production ", " production", "PRODUCTION", "dev", "test"])
def test_an_unknown_seal_env_is_refused_not_read_as_development(value):
    with pytest.raises(ConfigError, match="SEAL_ENV must be development or production"):
        from_environ({"SEAL_ENV": value, "SEAL_SECRET_KEYS": STRONG_KEY})


STRONG_KEY = "Vq3xL9_rT2mZ8wK4pN7bH1sD6fJ0cY5gA-eU2iO8uQ3"


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", ":8000", "[::]:8000", "192.0.2.7:80", "seal.example:80",
                                  "0.0.0.0"])
def test_the_development_key_is_refused_on_a_public_address(bind):
    from seal_server.config import check_bind

    with pytest.raises(ConfigError, match="development key") as caught:
        check_bind([bind], [DEV_SECRET])
    assert "\n" not in str(caught.value)
    check_bind([bind], [STRONG_KEY])


@pytest.mark.parametrize("bind", ["127.0.0.1:5000", "localhost:8000", "[::1]:8000", "127.0.0.2", "unix:/run/seal.sock"])
def test_the_development_key_is_allowed_on_loopback(bind):
    from seal_server.config import check_bind

    check_bind([bind], [DEV_SECRET])


def test_gunicorn_refuses_the_development_key_on_a_public_bind(monkeypatch):
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    monkeypatch.delenv("SEAL_SECRET_KEYS", raising=False)
    monkeypatch.delenv("SEAL_ENV", raising=False)
    hooks = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))
    with pytest.raises(ConfigError, match="development key"):
        hooks["on_starting"](SimpleNamespace(cfg=SimpleNamespace(bind=["0.0.0.0:8000"])))
    hooks["on_starting"](SimpleNamespace(cfg=SimpleNamespace(bind=["127.0.0.1:8000"])))


def test_seal_server_run_refuses_the_development_key_on_a_public_host(monkeypatch, capsys):
    import flask.cli

    from seal_server.cli import main

    served = []
    monkeypatch.setattr(flask.cli, "run_simple", lambda *args, **kwargs: served.append(args))
    monkeypatch.delenv("SEAL_SECRET_KEYS", raising=False)
    monkeypatch.delenv("SEAL_ENV", raising=False)
    assert main(["run", "--host", "0.0.0.0", "--port", "5999"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("seal-server: ") and "development key" in error and error.count("\n") == 1
    assert served == []
    assert main(["run", "--host", "127.0.0.1", "--port", "5999"]) == 0
    assert served


@pytest.mark.parametrize("key", ["k" * 40, "ab" * 24, "0123456789" * 4, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"])
def test_production_refuses_low_entropy_keys(key):
    with pytest.raises(ConfigError, match="SEAL_SECRET_KEYS"):
        from_environ({**PRODUCTION, "SEAL_SECRET_KEYS": key})


def test_production_accepts_generated_keys():
    import secrets

    for key in (secrets.token_urlsafe(32), secrets.token_urlsafe(48), secrets.token_hex(32)):
        assert from_environ({**PRODUCTION, "SEAL_SECRET_KEYS": key})["SECRET_KEY"] == key


@pytest.mark.parametrize("changes, name", [
    ({"SEAL_DEMO": "1"}, "SEAL_DEMO"),
    ({"SEAL_FETCH_ALLOW_LOOPBACK": "1"}, "SEAL_FETCH_ALLOW_LOOPBACK"),
    ({"SEAL_SMS_BACKEND": "outbox"}, "SEAL_SMS_BACKEND"),
    ({"SEAL_EMAIL_BACKEND": "outbox"}, "SEAL_EMAIL_BACKEND"),
])
def test_production_refuses_demo_and_test_settings(changes, name):
    with pytest.raises(ConfigError, match=name):
        from_environ({**PRODUCTION, **changes})


@pytest.mark.parametrize("value", ["-1", "61", "100000"])
def test_cache_seconds_out_of_range_are_refused(value):
    with pytest.raises(ConfigError, match="SEAL_BADGE_CACHE_SECONDS"):
        from_environ({"SEAL_BADGE_CACHE_SECONDS": value})
