"""Settings read from SEAL_* environment variables."""
import ipaddress
import json
import math
import os
import zlib
from collections import Counter

DEV_SECRET = "dev-only-insecure-secret"
ENVIRONMENTS = ("development", "production")


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


def _bounded(environ, name, default, low, high):
    value = _int(environ, name, default)
    if not low <= value <= high:
        raise ConfigError(f"{name} must be from {low} to {high}, got {value}")
    return value


def _fraction(environ, name, default):
    raw = _env(environ, name)
    try:
        value = default if raw is None else float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {raw!r}")
    return value


def _choice(environ, name, choices, default):
    value = _env(environ, name, default)
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _days_list(environ, name, default):
    raw = _env(environ, name)
    if raw is None:
        return tuple(default)
    try:
        days = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise ConfigError(f"{name} must be whole numbers of days separated by commas, got {raw!r}") from None
    if not days or days[-1] < 0 or days[0] > 365:
        raise ConfigError(f"{name} must list days between 0 and 365, got {raw!r}")
    return tuple(days)


def _fees(environ):
    from .billing.fees import FeeError, FeeSchedule

    raw = _env(environ, "SEAL_FEES")
    try:
        overrides = json.loads(raw) if raw else {}
        if not isinstance(overrides, dict):
            raise FeeError("expected an object such as {\"postal_check\": 20000}")
        return FeeSchedule.from_toman(overrides)
    except (ValueError, TypeError, AttributeError, FeeError) as error:
        raise ConfigError(f"SEAL_FEES must be a JSON object of fees in toman: {error}") from None


def _fee_bands(environ):
    from .complaints.rules import DEFAULT_FEE_BANDS, parse_fee_bands

    raw = _env(environ, "SEAL_ARBITRATION_FEE_BANDS", DEFAULT_FEE_BANDS)
    try:
        return parse_fee_bands(raw)
    except ValueError as error:
        raise ConfigError(f"SEAL_ARBITRATION_FEE_BANDS must be bands such as {DEFAULT_FEE_BANDS!r} (toman up to "
                          f"which a rate applies : percent, the last *): {error}") from None


STATUS_VALIDITY_MAX = 72 * 3600


def _status_keys(environ, env):
    """SEAL_STATUS_KEYS as a list of seeds, newest last; production must set it."""
    from .signing import StatusKeyError, parse_status_seed

    seeds = [k.strip() for k in _env(environ, "SEAL_STATUS_KEYS", "").split(",") if k.strip()]
    if env == "production" and not seeds:
        raise ConfigError("SEAL_STATUS_KEYS is not set: in production every signed seal status needs it. "
                          "Generate a key with: seal-server keys new")
    for seed in seeds:
        try:
            parse_status_seed(seed)
        except StatusKeyError as error:
            raise ConfigError(f"SEAL_STATUS_KEYS: {error}") from None
    return seeds


def _status_validity(environ):
    """SEAL_STATUS_VALIDITY in seconds: a number of seconds, or with an s, m or h suffix."""
    raw = _env(environ, "SEAL_STATUS_VALIDITY", "24h").strip().lower()
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (raw[:-1], units[raw[-1]]) if raw[-1:] in units else (raw, 1)
    try:
        seconds = int(number) * unit
    except ValueError:
        raise ConfigError(f"SEAL_STATUS_VALIDITY must be seconds or hours such as 24h, got {raw!r}") from None
    if not 60 <= seconds <= STATUS_VALIDITY_MAX:
        raise ConfigError(f"SEAL_STATUS_VALIDITY must be between 1 minute and 72h, got {raw!r}")
    return seconds


def _host_table(environ):
    from .onboarding.fetcher import parse_host_table

    try:
        return parse_host_table(_env(environ, "SEAL_FETCH_HOSTS"))
    except ValueError as error:
        raise ConfigError(f"SEAL_FETCH_HOSTS must be name=address pairs separated by commas: {error}") from None


def _loopback(bind):
    """True when a bind address (gunicorn's `host:port`, `[v6]:port`, `unix:path`, `fd://n`) is reachable only locally."""
    if bind.startswith(("unix:", "fd://")):
        return True
    host = bind[1:bind.index("]")] if bind.startswith("[") else bind.rpartition(":")[0] if ":" in bind else bind
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # "", "0.0.0.0" reads as all interfaces; a name may resolve anywhere


def gunicorn_on_starting(server):
    """gunicorn's on_starting hook (both gunicorn config files): refuse, in one line, to serve the public
    development key on a non-loopback address."""
    check_bind(server.cfg.bind, from_environ()["SEAL_SECRET_KEYS"])


def check_bind(binds, keys):
    """ConfigError when the public development key would serve a non-loopback address (anyone could forge sessions)."""
    public = [bind for bind in binds if not _loopback(bind)]
    if DEV_SECRET in keys and public:
        raise ConfigError(f"refusing to serve {public[0]} with the public development key: set SEAL_SECRET_KEYS "
                          "(and SEAL_ENV=production) or bind 127.0.0.1")


def looks_guessable(key):
    """True for a key whose characters carry under 128 bits by their frequencies, or that compresses well
    ("k" * 40, "0123456789" * 4); keys from secrets.token_urlsafe(32 or more) always pass."""
    counts = Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    return bits < 128 or len(zlib.compress(key.encode(), 9)) < 32


def _refuse_demo_settings(environ):
    """Settings for demos and tests that have no place in production, each refused by name."""
    for name, bad, why in (
        ("SEAL_DEMO", "1", "serves demo shops from the authority's own site"),
        ("SEAL_FETCH_ALLOW_LOOPBACK", "1", "lets domain checks reach the server's own network"),
    ):
        if _env(environ, name) == bad:
            raise ConfigError(f"{name}={bad} {why}; it is refused in production")
    for name in ("SEAL_SMS_BACKEND", "SEAL_EMAIL_BACKEND"):
        if _env(environ, name, "outbox") == "outbox":
            raise ConfigError(f"{name} is the outbox, which sends nothing: set a real backend in production")


def from_environ(environ=None, instance_path="."):
    """Build the Flask config mapping from the environment."""
    environ = os.environ if environ is None else environ
    env = _env(environ, "SEAL_ENV", "development")
    if env not in ENVIRONMENTS:
        # never read a misspelt "production" as development: that would serve the public key
        raise ConfigError(f"SEAL_ENV must be development or production, got {env!r}")
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
        if any(looks_guessable(k) for k in keys):
            raise ConfigError(
                "SEAL_SECRET_KEYS holds a key with repeated or patterned characters (too little randomness); "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        _refuse_demo_settings(environ)
    if not keys:
        keys = [DEV_SECRET]
    sms_backend = _env(environ, "SEAL_SMS_BACKEND", "outbox")
    if sms_backend not in ("outbox", "kavenegar"):
        raise ConfigError(f"SEAL_SMS_BACKEND must be 'outbox' or 'kavenegar', got {sms_backend!r}")
    if sms_backend == "kavenegar" and not _env(environ, "SEAL_KAVENEGAR_API_KEY"):
        raise ConfigError("SEAL_SMS_BACKEND is kavenegar but SEAL_KAVENEGAR_API_KEY is not set")
    email_backend = _env(environ, "SEAL_EMAIL_BACKEND", "outbox")
    if email_backend not in ("outbox", "smtp"):
        raise ConfigError(f"SEAL_EMAIL_BACKEND must be 'outbox' or 'smtp', got {email_backend!r}")
    if _env(environ, "SEAL_PAYMENT_GATEWAY") == "zarinpal" and not _env(environ, "SEAL_ZARINPAL_MERCHANT_ID"):
        raise ConfigError("SEAL_PAYMENT_GATEWAY is zarinpal but SEAL_ZARINPAL_MERCHANT_ID is not set")
    if env == "production" and _env(environ, "SEAL_PAYMENT_GATEWAY", "sandbox") == "sandbox" \
            and _env(environ, "SEAL_ALLOW_SANDBOX_GATEWAY") != "1":
        raise ConfigError("SEAL_PAYMENT_GATEWAY is the sandbox, where anyone can press 'pay': set it to zarinpal in "
                          "production (or SEAL_ALLOW_SANDBOX_GATEWAY=1 for a public demo)")
    if env == "production" and _env(environ, "SEAL_POST_OFFICE_PAGE") == "1":
        raise ConfigError("SEAL_POST_OFFICE_PAGE=1 shows postal and landline codes to anyone; in production only "
                          "staff see the operator pages")
    # The outbox page shows sign-in codes to whoever opens it: only for offline demos and development.
    offline = sms_backend == "outbox" and email_backend == "outbox"
    outbox_page = _env(environ, "SEAL_OUTBOX_PAGE", "1" if offline and env != "production" else "0") == "1"
    if outbox_page and (env == "production" or not offline):
        raise ConfigError("SEAL_OUTBOX_PAGE=1 shows one-time codes to anyone; it is allowed only in development "
                          "with both SEAL_SMS_BACKEND and SEAL_EMAIL_BACKEND set to outbox")
    database_url = _env(
        environ, "SEAL_DATABASE_URL", "sqlite:///" + os.path.join(instance_path, "seal.sqlite3")
    )
    return {
        "SEAL_ENV": env,
        "SECRET_KEY": keys[-1],
        "SEAL_SECRET_KEYS": keys,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # signed status: Ed25519 seeds, newest signs; development makes one in the instance folder on first use
        "SEAL_STATUS_KEYS": _status_keys(environ, env),
        "SEAL_STATUS_KEY_FILE": None if env == "production" else os.path.join(instance_path, "status-signing.key"),
        "SEAL_STATUS_VALIDITY": _status_validity(environ),
        "SEAL_BASE_URL": _env(environ, "SEAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SEAL_REDIS_URL": _env(environ, "SEAL_REDIS_URL"),
        # reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (0: none)
        "SEAL_TRUSTED_PROXIES": _bounded(environ, "SEAL_TRUSTED_PROXIES", 0, 0, 10),
        "SEAL_VALIDITY_DAYS": _int(environ, "SEAL_VALIDITY_DAYS", 730),
        "SEAL_TEMPORARY_DAYS": _int(environ, "SEAL_TEMPORARY_DAYS", 90),
        "SEAL_BADGE_CACHE_SECONDS": _bounded(environ, "SEAL_BADGE_CACHE_SECONDS", 30, 0, 60),
        # copy detection: sightings of one seal on one other host that raise a fake-seal report; how often each
        # process hands its counts on (0: only at tick and at exit); how many (seal, host) keys a process holds
        "SEAL_COPY_REPORT_THRESHOLD": _bounded(environ, "SEAL_COPY_REPORT_THRESHOLD", 100, 1, 10**9),
        "SEAL_COPY_FLUSH_SECONDS": _bounded(environ, "SEAL_COPY_FLUSH_SECONDS", 10, 0, 3600),
        "SEAL_COPY_MAX_KEYS": _bounded(environ, "SEAL_COPY_MAX_KEYS", 10_000, 10, 1_000_000),
        # hosts one seal keeps rows for (more are counted together as "other sites"); days a small sighting is kept
        "SEAL_COPY_HOSTS_PER_SEAL": _bounded(environ, "SEAL_COPY_HOSTS_PER_SEAL", 200, 1, 100_000),
        "SEAL_COPY_RETENTION_DAYS": _bounded(environ, "SEAL_COPY_RETENTION_DAYS", 90, 1, 3650),
        "SEAL_DEMO": _env(environ, "SEAL_DEMO", "0") == "1",
        "SEAL_AUTHORITY_NAME_FA": _env(environ, "SEAL_AUTHORITY_NAME_FA", "مرجع نماد اعتماد"),
        "SEAL_AUTHORITY_NAME_EN": _env(environ, "SEAL_AUTHORITY_NAME_EN", "Trust Seal Authority"),
        "SEAL_CONTACT_EMAIL": _env(environ, "SEAL_CONTACT_EMAIL", "support@seal.example"),
        # notifications: the outbox backends keep messages readable at /outbox (never in production)
        "SEAL_SMS_BACKEND": sms_backend,
        "SEAL_KAVENEGAR_API_KEY": _env(environ, "SEAL_KAVENEGAR_API_KEY"),
        "SEAL_KAVENEGAR_SENDER": _env(environ, "SEAL_KAVENEGAR_SENDER"),
        "SEAL_KAVENEGAR_URL": _env(environ, "SEAL_KAVENEGAR_URL", "https://api.kavenegar.com").rstrip("/"),
        "SEAL_EMAIL_BACKEND": email_backend,
        "SEAL_SMTP_HOST": _env(environ, "SEAL_SMTP_HOST", "127.0.0.1"),
        "SEAL_SMTP_PORT": _int(environ, "SEAL_SMTP_PORT", 25),
        "SEAL_SMTP_USER": _env(environ, "SEAL_SMTP_USER"),
        "SEAL_SMTP_PASSWORD": _env(environ, "SEAL_SMTP_PASSWORD"),
        "SEAL_SMTP_STARTTLS": _env(environ, "SEAL_SMTP_STARTTLS", "0") == "1",
        "SEAL_SMTP_TLS": _env(environ, "SEAL_SMTP_TLS", "0") == "1",  # implicit TLS (port 465)
        # the outbox worker: attempts before a delivery is dead; expiry reminders, days before expiry
        "SEAL_DELIVERY_MAX_ATTEMPTS": _int(environ, "SEAL_DELIVERY_MAX_ATTEMPTS", 24),  # about 3 days
        "SEAL_WEBHOOK_TIMEOUT": _int(environ, "SEAL_WEBHOOK_TIMEOUT", 10),  # seconds a receiver may take
        "SEAL_REMINDER_DAYS": _days_list(environ, "SEAL_REMINDER_DAYS", (30, 7, 1, 0)),
        "SEAL_MAIL_FROM": _env(environ, "SEAL_MAIL_FROM", "no-reply@seal.example"),
        "SEAL_NOTIFY_TIMEOUT": _int(environ, "SEAL_NOTIFY_TIMEOUT", 10),
        "SEAL_OUTBOX_PAGE": outbox_page,
        # one-time login codes and the limits on sending them (SMS costs money and is abused)
        "SEAL_OTP_TTL_SECONDS": _int(environ, "SEAL_OTP_TTL_SECONDS", 600),
        "SEAL_OTP_MAX_TRIES": _int(environ, "SEAL_OTP_MAX_TRIES", 5),
        "SEAL_OTP_ACCOUNT_TRIES_PER_HOUR": _int(environ, "SEAL_OTP_ACCOUNT_TRIES_PER_HOUR", 100),
        "SEAL_OTP_IP_TRIES_PER_HOUR": _int(environ, "SEAL_OTP_IP_TRIES_PER_HOUR", 100),
        "SEAL_FRESH_CODE_SECONDS": _int(environ, "SEAL_FRESH_CODE_SECONDS", 600),  # setting a password needs one
        "SEAL_OTP_RESEND_SECONDS": _int(environ, "SEAL_OTP_RESEND_SECONDS", 60),
        "SEAL_OTP_SENDS_PER_NUMBER_HOUR": _int(environ, "SEAL_OTP_SENDS_PER_NUMBER_HOUR", 5),
        "SEAL_OTP_SENDS_PER_IP_HOUR": _int(environ, "SEAL_OTP_SENDS_PER_IP_HOUR", 20),
        "SEAL_OTP_SENDS_PER_HOUR": _int(environ, "SEAL_OTP_SENDS_PER_HOUR", 1000),
        "RATELIMIT_STORAGE_URI": _env(environ, "SEAL_REDIS_URL", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Redis down: count in this process's memory and keep answering (seals/bus.py logs the outage)
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # onboarding: uploads live outside the web root; the fetcher refuses loopback unless told
        "SEAL_UPLOAD_DIR": _env(environ, "SEAL_UPLOAD_DIR", os.path.join(instance_path, "uploads")),
        "SEAL_UPLOAD_MAX_BYTES": _int(environ, "SEAL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        # an account's share: open applications, new ones a day (withdrawn count), stored document bytes
        "SEAL_APPLICATIONS_PER_ACCOUNT": _int(environ, "SEAL_APPLICATIONS_PER_ACCOUNT", 5),
        "SEAL_APPLICATIONS_PER_DAY": _int(environ, "SEAL_APPLICATIONS_PER_DAY", 10),
        "SEAL_UPLOAD_ACCOUNT_BYTES": _int(environ, "SEAL_UPLOAD_ACCOUNT_BYTES", 60 * 1024 * 1024),
        "SEAL_FETCH_ALLOW_LOOPBACK": _env(environ, "SEAL_FETCH_ALLOW_LOOPBACK", "0") == "1",
        # tick re-checks the grounds of starred seals over the network (HTTPS); 0 turns it off
        "SEAL_STAR_RECHECK": _env(environ, "SEAL_STAR_RECHECK", "1") == "1",
        # the fifth star's "long good service": days sealed and the least complaint answer rate
        "SEAL_GOOD_SERVICE_DAYS": _int(environ, "SEAL_GOOD_SERVICE_DAYS", 730),
        "SEAL_GOOD_SERVICE_ANSWER_RATE": _fraction(environ, "SEAL_GOOD_SERVICE_ANSWER_RATE", 0.95),
        # a local demo site for the domain proofs: a host table before DNS ("*=127.0.0.1") and its ports
        "SEAL_FETCH_HOSTS": _host_table(environ),
        "SEAL_FETCH_HTTP_PORT": _int(environ, "SEAL_FETCH_HTTP_PORT", 80),
        "SEAL_FETCH_HTTPS_PORT": _int(environ, "SEAL_FETCH_HTTPS_PORT", 443),
        "SEAL_PROOF_TOKEN_DAYS": _int(environ, "SEAL_PROOF_TOKEN_DAYS", 7),
        # domain checks fetch in the request thread: at most this many at once per process, one per account
        "SEAL_PROOF_CHECKS_RUNNING": _int(environ, "SEAL_PROOF_CHECKS_RUNNING", 2),
        "SEAL_PROOF_CHECKS_PER_ACCOUNT": _int(environ, "SEAL_PROOF_CHECKS_PER_ACCOUNT", 1),
        "SEAL_CONTACT_CODE_SECONDS": _int(environ, "SEAL_CONTACT_CODE_SECONDS", 1800),
        # retired: "name:token,..." of providers; read only by `seal-server provider import-env` (registered
        # providers, bound to their merchants, replaced it)
        "SEAL_GRAY_REPORT_TOKENS": _env(environ, "SEAL_GRAY_REPORT_TOKENS"),
        # the contact step's map: Leaflet from npm (scripts/bootstrap); tiles from this server ("" = no map)
        "SEAL_MAP_TILES_URL": _env(environ, "SEAL_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "SEAL_MAP_ATTRIBUTION": _env(environ, "SEAL_MAP_ATTRIBUTION", "© OpenStreetMap contributors"),
        "SEAL_LEAFLET_DIR": _env(environ, "SEAL_LEAFLET_DIR", os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "node_modules", "leaflet", "dist")),
        # postal check: the letter's code lifetime; the sandbox post office lists letters at /operator/letters
        "SEAL_POSTAL_CODE_DAYS": _int(environ, "SEAL_POSTAL_CODE_DAYS", 30),
        "SEAL_LETTER_FONT": _env(environ, "SEAL_LETTER_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        "SEAL_POST_OFFICE_PAGE": _env(environ, "SEAL_POST_OFFICE_PAGE", "0" if env == "production" else "1") == "1",
        "SEAL_DNS_NAMESERVERS": _env(environ, "SEAL_DNS_NAMESERVERS"),  # comma separated; default: the system's
        "SEAL_CATEGORIES_FILE": _env(environ, "SEAL_CATEGORIES_FILE"),  # default: instance/categories.txt
        # complaints: filings per buyer mobile and per address a day; what the bank sandbox answers by default
        "SEAL_COMPLAINTS_PER_MOBILE_DAY": _int(environ, "SEAL_COMPLAINTS_PER_MOBILE_DAY", 3),
        "SEAL_COMPLAINTS_PER_IP_DAY": _int(environ, "SEAL_COMPLAINTS_PER_IP_DAY", 10),
        "SEAL_BANK_SANDBOX_DEFAULT": _choice(environ, "SEAL_BANK_SANDBOX_DEFAULT", ("confirm", "deny"), "confirm"),
        # online arbitration: the fee's bands ("toman:percent,...,*:percent", rates within the seed's 2 to 20 %)
        # and the days an arbiter has to rule once the shop's 72 hours pass (after that it is overdue)
        "SEAL_ARBITRATION_FEE_BANDS": _fee_bands(environ),
        "SEAL_ARBITRATION_RULING_DAYS": _bounded(environ, "SEAL_ARBITRATION_RULING_DAYS", 7, 1, 60),
        # billing: fees in toman over the defaults (fees.FeeSchedule), e.g. SEAL_FEES='{"postal_check": 20000}'
        "SEAL_FEES": _fees(environ),
        "SEAL_PAYMENT_GATEWAY": _choice(environ, "SEAL_PAYMENT_GATEWAY", ("sandbox", "zarinpal"), "sandbox"),
        "SEAL_ZARINPAL_MERCHANT_ID": _env(environ, "SEAL_ZARINPAL_MERCHANT_ID"),
        "SEAL_ZARINPAL_BASE_URL": _env(environ, "SEAL_ZARINPAL_BASE_URL", "https://payment.zarinpal.com"),
        "WTF_CSRF_TIME_LIMIT": None,
        "PERMANENT_SESSION_LIFETIME": _int(environ, "SEAL_SESSION_SECONDS", 12 * 3600),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
