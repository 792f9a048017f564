"""The notification and sign-in settings: safe defaults, clear refusals."""
import pytest

from seal_server.config import ConfigError, from_environ


def test_defaults_work_offline_and_keep_the_outbox_out_of_production():
    development = from_environ({})
    assert (development["SEAL_SMS_BACKEND"], development["SEAL_EMAIL_BACKEND"]) == ("outbox", "outbox")
    assert development["SEAL_OUTBOX_PAGE"] is True
    assert development["RATELIMIT_STORAGE_URI"] == "memory://"
    assert development["SEAL_FETCH_ALLOW_LOOPBACK"] is False
    from tests.core.test_config import PRODUCTION

    production = from_environ(PRODUCTION)
    assert production["SEAL_OUTBOX_PAGE"] is False and production["SESSION_COOKIE_SECURE"] is True
    assert from_environ({"SEAL_REDIS_URL": "redis://127.0.0.1:6379/0"})["RATELIMIT_STORAGE_URI"] == \
        "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("environ, message", [
    ({"SEAL_SMS_BACKEND": "carrier-pigeon"}, "SEAL_SMS_BACKEND must be 'outbox' or 'kavenegar'"),
    ({"SEAL_SMS_BACKEND": "kavenegar"}, "SEAL_KAVENEGAR_API_KEY is not set"),
    ({"SEAL_EMAIL_BACKEND": "fax"}, "SEAL_EMAIL_BACKEND must be 'outbox' or 'smtp'"),
    ({"SEAL_OTP_TTL_SECONDS": "ten"}, "SEAL_OTP_TTL_SECONDS must be a whole number"),
])
def test_bad_settings_are_refused_with_a_reason(environ, message):
    with pytest.raises(ConfigError) as caught:
        from_environ(environ)
    assert message in str(caught.value)


def test_outbox_page_only_offline_and_never_in_production():
    from seal_server.config import ConfigError, from_environ

    assert from_environ({"SEAL_SMS_BACKEND": "kavenegar", "SEAL_KAVENEGAR_API_KEY": "k"})["SEAL_OUTBOX_PAGE"] is False
    from tests.core.test_config import PRODUCTION

    for environ in ({**PRODUCTION, "SEAL_OUTBOX_PAGE": "1"},
                    {"SEAL_EMAIL_BACKEND": "smtp", "SEAL_OUTBOX_PAGE": "1"}):
        with pytest.raises(ConfigError, match="SEAL_OUTBOX_PAGE"):
            from_environ(environ)
