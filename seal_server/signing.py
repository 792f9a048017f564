"""Every use of itsdangerous lives here: one salt per purpose, key rotation.

Keys come from SEAL_SECRET_KEYS, newest last: new signatures use the newest key
and every listed key still verifies, so rotating in a key never breaks a
snippet already pasted on a shop.
"""
import hashlib

from flask import current_app
from itsdangerous import Signer

SEAL_CODE_SALT = "seal-code.v1"


def _signer(salt, keys=None):
    keys = keys if keys is not None else current_app.config["SEAL_SECRET_KEYS"]
    return Signer(list(keys), salt=salt, digest_method=hashlib.sha256)


def _seal_payload(public_id, domain, serial):
    return f"{public_id}|{domain}|{serial}".encode()


def seal_code(public_id, domain, serial, keys=None):
    """The code a shop pastes: a signature binding seal id, registered domain and serial."""
    return _signer(SEAL_CODE_SALT, keys).get_signature(_seal_payload(public_id, domain, serial)).decode()


def verify_seal_code(code, public_id, domain, serial, keys=None):
    """True when `code` was issued for exactly this seal id, domain and serial."""
    if not code or len(code) > 128:
        return False
    try:
        signature = code.encode("ascii")
    except UnicodeEncodeError:
        return False
    return _signer(SEAL_CODE_SALT, keys).verify_signature(
        _seal_payload(public_id, domain, serial), signature
    )
