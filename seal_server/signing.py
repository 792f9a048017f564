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


# --- one-time-code digests ---------------------------------------------------------------
# Codes sent by SMS, email, voice call or post are stored only as an HMAC-SHA256 of a
# purpose-tagged text ("otp.v1|<challenge>|<code>", "verification.v1|...", "domain-email.v1|...").
# New digests use the newest key; every listed key verifies, so a postal letter still in the
# mail (30 days) survives a rotation of SEAL_SECRET_KEYS.

def code_digest(text, keys=None):
    """Hex HMAC-SHA256 of `text` under the newest key."""
    return code_digests(text, keys)[0]


def code_digests(text, keys=None):
    """Hex HMAC-SHA256 of `text` under every listed key, newest first (for lookups by digest)."""
    message = text.encode()
    return [hmac.new(key.encode(), message, hashlib.sha256).hexdigest() for key in reversed(_keys(keys))]


def verify_code_digest(digest, text, keys=None, length=64):
    """True when `digest` (its first `length` hex digits when stored shortened) is `text`'s under a listed key."""
    if not isinstance(digest, str) or len(digest) != length:
        return False
    return any(hmac.compare_digest(digest, candidate[:length]) for candidate in code_digests(text, keys))
