"""Every use of itsdangerous lives here: one salt per purpose, key rotation.

Keys come from SEAL_SECRET_KEYS, newest last: new signatures use the newest key
and every listed key still verifies, so rotating in a key never breaks a
snippet already pasted on a shop.
"""
import functools
import hashlib
import hmac

from flask import current_app
from itsdangerous import Signer

SEAL_CODE_SALT = "seal-code.v1"


@functools.lru_cache(maxsize=32)
def _signers(salt, keys):
    """One Signer per key, newest first; built once because deriving keys costs hashing."""
    return tuple(Signer(key, salt=salt, digest_method=hashlib.sha256) for key in reversed(keys))


def _keys(keys):
    return tuple(keys if keys is not None else current_app.config["SEAL_SECRET_KEYS"])


def _seal_payload(public_id, domain, serial):
    return f"{public_id}|{domain}|{serial}".encode()


def seal_code(public_id, domain, serial, keys=None):
    """The code a shop pastes: a signature binding seal id, registered domain and serial."""
    newest = _signers(SEAL_CODE_SALT, _keys(keys))[0]
    return newest.get_signature(_seal_payload(public_id, domain, serial)).decode()


def verify_seal_code(code, public_id, domain, serial, keys=None):
    """True when `code` is exactly the code of this seal id, domain and serial under a listed key."""
    if not isinstance(code, str) or not code or len(code) > 128:
        return False
    given = code.encode("utf-8", "replace")
    payload = _seal_payload(public_id, domain, serial)
    # Compare the canonical text, not decoded bytes, so no two spellings of a code both pass.
    return any(
        hmac.compare_digest(signer.get_signature(payload), given)
        for signer in _signers(SEAL_CODE_SALT, _keys(keys))
    )


# --- webhooks: Seal-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>"> -------------------------

def webhook_signature(secrets, timestamp, body):
    """The Seal-Signature header value: one v1 per secret (the current one, and the previous during rotation)."""
    message = str(int(timestamp)).encode() + b"." + body
    parts = [f"t={int(timestamp)}"]
    parts += [f"v1={hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()}" for secret in secrets if secret]
    return ",".join(parts)


def verify_webhook_signature(secret, header, body, *, now, tolerance=300):
    """True when `header` carries a v1 made with `secret` and a t no older than `tolerance` seconds."""
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for name, value in fields if name.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return False
    expected = webhook_signature([secret], int(stamps[0]), body).split(",", 1)[1].removeprefix("v1=")
    return any(hmac.compare_digest(expected, value.strip()) for name, value in fields if name.strip() == "v1")
