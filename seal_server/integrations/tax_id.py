"""The tax administration's tracking code for a sealed business: a protocol, and a sandbox that makes one."""
import secrets
from typing import Protocol

TRACKING_CODE_LENGTH = 16


class TaxIdError(Exception):
    """The tax service gave no code; str() says why, for operators."""


def luhn_digit(digits):
    """The check digit that makes `digits` + it pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def is_tracking_code(code):
    """True for 16 Latin digits, not starting with 0, whose last digit is the Luhn check of the rest."""
    return (isinstance(code, str) and len(code) == TRACKING_CODE_LENGTH and code.isascii() and code.isdigit()
            and code[0] != "0" and luhn_digit(code[:-1]) == code[-1])


class TaxIdBackend(Protocol):
    name: str

    def tracking_code(self, *, national_id: str, domain: str, postal_code: str) -> str:
        """Register the business with the tax administration; returns its tracking code."""


class SandboxTaxId:
    """Offline: returns a well-formed random tracking code (16 digits with a Luhn check digit)."""

    name = "sandbox"

    def tracking_code(self, *, national_id, domain, postal_code):
        body = str(secrets.randbelow(9) + 1) + "".join(str(secrets.randbelow(10)) for _ in range(14))
        return body + luhn_digit(body)


def backend_from_config(config):
    """Only the sandbox exists: the tax administration offers no public API; an adapter implements TaxIdBackend."""
    return SandboxTaxId()
