"""Every use of itsdangerous lives here: one salt per purpose, key rotation.

Keys come from SEAL_SECRET_KEYS, newest last: new signatures use the newest key
and every listed key still verifies, so rotating in a key never breaks a
snippet already pasted on a shop.
"""
import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from itsdangerous import Signer
from joserfc import jws
from joserfc.errors import JoseError, UnsupportedAlgorithmError
from joserfc.jwk import KeySet, OKPKey
from joserfc.jws import JWSRegistry

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


# --- violation reports: a signed challenge the reporter's browser works on (a light proof of work) --------

REPORT_CHALLENGE_SALT = "report-challenge.v1"


def report_challenge(public_id, issued_at, keys=None):
    """'<seal id>.<unix time>.<random>.<signature>': what a report form's proof of work starts from."""
    payload = f"{public_id}.{int(issued_at)}.{secrets.token_hex(8)}"
    signature = _signers(REPORT_CHALLENGE_SALT, _keys(keys))[0].get_signature(payload.encode()).decode()
    return f"{payload}.{signature}"


def verify_report_challenge(challenge, public_id, *, now, max_age, keys=None):
    """True when `challenge` was made by us for this seal no longer than `max_age` seconds before `now`."""
    parts = challenge.split(".") if isinstance(challenge, str) and len(challenge) <= 200 else []
    if len(parts) != 4 or parts[0] != public_id or not parts[1].isdigit():
        return False
    if not 0 <= now - int(parts[1]) <= max_age:
        return False
    payload = ".".join(parts[:3]).encode()
    return any(hmac.compare_digest(signer.get_signature(payload), parts[3].encode())
               for signer in _signers(REPORT_CHALLENGE_SALT, _keys(keys)))


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


# --- Signed seal status: Ed25519 keys from SEAL_STATUS_KEYS, compact JWS, JWKS ---------------

STATUS_ALG = "EdDSA"
STATUS_SEED_BYTES = 32


class StatusKeyError(ValueError):
    """A SEAL_STATUS_KEYS entry is not a base64url 32-byte Ed25519 seed."""


class _StatusRegistry(JWSRegistry):
    """JWS registry that signs and verifies only EdDSA, and only with Ed25519 keys.

    RFC 9864 deprecates the name "EdDSA" because it covers both Ed25519 and Ed448; the public
    contract (and every libsodium verifier) keeps it, and our key set holds Ed25519 keys only,
    so the library's deprecation warning does not apply here.
    """

    def get_alg(self, name):
        if name != STATUS_ALG:
            raise UnsupportedAlgorithmError(f"Algorithm of '{name}' is not allowed")
        return self.algorithms[name]


_STATUS_REGISTRY = _StatusRegistry(algorithms=[STATUS_ALG])


def new_status_seed():
    """A fresh status-signing seed: 32 random bytes, base64url without padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(STATUS_SEED_BYTES)).rstrip(b"=").decode()


def parse_status_seed(seed):
    """The 32 bytes of a base64url seed, or StatusKeyError saying what is wrong."""
    text = seed.strip() if isinstance(seed, str) else ""
    if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", text):
        raise StatusKeyError("a status key must be base64url text (seal-server keys new prints one)")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        raise StatusKeyError("a status key must be base64url text (seal-server keys new prints one)") from None
    if not text or len(raw) != STATUS_SEED_BYTES:
        raise StatusKeyError(f"a status key must decode to {STATUS_SEED_BYTES} bytes, got {len(raw)}")
    return raw


@functools.lru_cache(maxsize=16)
def _status_keys(seeds):
    """(kid, private OKPKey) per seed, newest first; kid is the RFC 7638 thumbprint."""
    keys = []
    for seed in reversed(seeds):
        key = OKPKey.import_key(Ed25519PrivateKey.from_private_bytes(parse_status_seed(seed)))
        keys.append((key.thumbprint(), key))
    return tuple(keys)


def development_status_seed(path):
    """The seed kept in `path`, created (readable by its owner only) on first use.

    The file appears complete or not at all (written aside, then linked into place), so a
    second worker starting at the same moment reads the first one's key, never half of it.
    """
    try:
        with open(path, encoding="ascii") as existing:
            return existing.read().strip()
    except FileNotFoundError:
        pass
    seed = new_status_seed()
    aside = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as created:
        created.write(seed + "\n")
    try:
        os.link(aside, path)
    except FileExistsError:  # another process made it first: use theirs
        with open(path, encoding="ascii") as existing:
            seed = existing.read().strip()
    finally:
        os.unlink(aside)
    return seed


def _status_seeds(seeds):
    if seeds is None:
        seeds = current_app.config["SEAL_STATUS_KEYS"]
        if not seeds and current_app.config.get("SEAL_STATUS_KEY_FILE"):
            seeds = [development_status_seed(current_app.config["SEAL_STATUS_KEY_FILE"])]
    if not seeds:
        raise StatusKeyError("no status-signing key: set SEAL_STATUS_KEYS (seal-server keys new prints one)")
    return tuple(seeds)


def status_jwks(seeds=None):
    """The JWKS of every listed status key (public halves only), newest first."""
    return {"keys": [
        {**key.as_dict(private=False), "kid": kid, "alg": STATUS_ALG, "use": "sig"}
        for kid, key in _status_keys(_status_seeds(seeds))
    ]}


def sign_status(claims, seeds=None):
    """A compact JWS (EdDSA, with kid) over `claims`, signed with the newest status key."""
    kid, key = _status_keys(_status_seeds(seeds))[0]
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return jws.serialize_compact({"alg": STATUS_ALG, "kid": kid}, payload.encode(), key,
                                 registry=_STATUS_REGISTRY)


def verify_status(token, jwks):
    """The claims of a status JWS whose signature checks against the key its kid names in `jwks`.

    Raises ValueError when the token is malformed, names an unknown key or its signature fails.
    Expiry is the caller's judgement (it knows the time).
    """
    try:
        key_set = KeySet.import_key_set(jwks)
        signed = jws.deserialize_compact(token, key_set, registry=_STATUS_REGISTRY)
    except (JoseError, ValueError, TypeError) as error:
        raise ValueError(f"status signature does not verify: {error}") from None
    if signed.headers().get("kid") is None:
        raise ValueError("status signature has no kid")
    return json.loads(signed.payload)


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


# --- payment providers' API tokens ------------------------------------------------------
# 256 random bits, so a plain SHA-256 is a safe digest to keep (no key: rotating
# SEAL_SECRET_KEYS does not lock every provider out).

PROVIDER_TOKEN_PREFIX = "psp_"


def new_provider_token():
    return PROVIDER_TOKEN_PREFIX + secrets.token_urlsafe(32)


def provider_token_digest(token):
    return hashlib.sha256(("seal-provider-token:" + token).encode()).hexdigest()


def provider_token_matches(digest, token):
    return hmac.compare_digest(digest, provider_token_digest(token))


# --- secrets kept at rest (staff TOTP secrets) -------------------------------------------
# Fernet (AES-128-CBC + HMAC-SHA256) under a key derived by HKDF from each SEAL_SECRET_KEYS entry, one
# purpose per `info`. The newest key encrypts; every listed key decrypts, so a rotation never locks a
# staff member out (their secret is re-encrypted under the newest key at their next sign-in).

STAFF_TOTP_INFO = b"seal-staff-totp.v1"


@functools.lru_cache(maxsize=32)
def _fernets(info, keys):
    def derive(key):
        raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key.encode())
        return Fernet(base64.urlsafe_b64encode(raw))
    return tuple(derive(key) for key in reversed(keys))  # newest first


def seal_secret(plain, info=STAFF_TOTP_INFO, keys=None):
    """`plain` encrypted under the newest key (a Fernet token, ASCII)."""
    return _fernets(info, _keys(keys))[0].encrypt(plain.encode()).decode()


def open_secret(sealed, info=STAFF_TOTP_INFO, keys=None):
    """(plain text, sealed under the newest key?) of a token from `seal_secret`; ValueError when no key opens it."""
    for index, fernet in enumerate(_fernets(info, _keys(keys))):
        try:
            return fernet.decrypt(sealed.encode()).decode(), index == 0
        except InvalidToken:
            continue
    raise ValueError("no listed key opens this secret")
