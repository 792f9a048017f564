"""Settings read from SEAL_* environment variables."""
import os
from dataclasses import dataclass

DEV_SECRET = "dev-only-insecure-secret"


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says why."""


def _env(environ, name, default=None):
    value = environ.get(name)
    return value if value not in (None, "") else default


def _int(environ, name, default):
    raw = _env(environ, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def from_environ(environ=None, instance_path="."):
    """Build the Flask config mapping from the environment."""
    environ = os.environ if environ is None else environ
    env = _env(environ, "SEAL_ENV", "development")
    keys = [k.strip() for k in _env(environ, "SEAL_SECRET_KEYS", "").split(",") if k.strip()]
    if env == "production":
        if not keys:
            raise ConfigError(
                "SEAL_SECRET_KEYS is not set: in production every seal code and session "
                "is signed with it. Set it to a long random value (newest key last)."
            )
        weak = [k for k in keys if k == DEV_SECRET or len(k) < 32]
        if weak:
            raise ConfigError(
                "SEAL_SECRET_KEYS holds the development default or a key shorter than "
                "32 characters; generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
    if not keys:
        keys = [DEV_SECRET]
    database_url = _env(
        environ, "SEAL_DATABASE_URL", "sqlite:///" + os.path.join(instance_path, "seal.sqlite3")
    )
    return {
        "SEAL_ENV": env,
        "SECRET_KEY": keys[-1],
        "SEAL_SECRET_KEYS": keys,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEAL_BASE_URL": _env(environ, "SEAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SEAL_REDIS_URL": _env(environ, "SEAL_REDIS_URL"),
        "SEAL_VALIDITY_DAYS": _int(environ, "SEAL_VALIDITY_DAYS", 730),
        "SEAL_TEMPORARY_DAYS": _int(environ, "SEAL_TEMPORARY_DAYS", 90),
        "SEAL_BADGE_CACHE_SECONDS": _int(environ, "SEAL_BADGE_CACHE_SECONDS", 30),
        "SEAL_DEMO": _env(environ, "SEAL_DEMO", "0") == "1",
        "SEAL_AUTHORITY_NAME_FA": _env(environ, "SEAL_AUTHORITY_NAME_FA", "مرجع نماد اعتماد"),
        "SEAL_AUTHORITY_NAME_EN": _env(environ, "SEAL_AUTHORITY_NAME_EN", "Trust Seal Authority"),
        "SEAL_CONTACT_EMAIL": _env(environ, "SEAL_CONTACT_EMAIL", "support@seal.example"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
