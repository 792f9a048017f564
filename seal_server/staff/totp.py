"""Pure TOTP rules (RFC 6238 via pyotp): which time step a code matches, never one already used."""
import hashlib
import hmac
import secrets

import pyotp
import segno

STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code from the step before or after is still accepted (clock drift)
RECOVERY_CODES = 10
ISSUER = "Trust Seal Authority"


def new_secret():
    return pyotp.random_base32()


def matching_step(secret, code, now, last_step=None):
    """The time step `code` belongs to (within the drift), newer than `last_step`; else None."""
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def code_at(secret, moment):
    """The code an authenticator shows at `moment` (for tests and the Chromium walk)."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).at(moment)


def provisioning_uri(secret, national_code):
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=national_code, issuer_name=ISSUER)


def qr_svg(uri):
    """The enrolment QR code as inline SVG markup, drawn here (no outside service sees the secret)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def new_recovery_codes(count=RECOVERY_CODES):
    """Ten one-time codes such as 'k4m2-9xq7-...' (about 80 bits each)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return ["-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)) for _ in range(count)]


def recovery_digest(code):
    normal = (code or "").strip().lower().replace(" ", "").replace("-", "")
    return hashlib.sha256(("seal-staff-recovery:" + normal).encode()).hexdigest()


def token_digest(token):
    return hashlib.sha256(("seal-staff-token:" + token).encode()).hexdigest()
