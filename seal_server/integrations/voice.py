"""Reading a code to a landline: the VoiceCall protocol and the sandbox that lists calls for the operator."""
from typing import Protocol

from ..extensions import db
from .models import VoiceCall

PERSIAN_DIGIT_NAMES = ("صفر", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه")


class VoiceCallError(Exception):
    """The call could not be placed; str() says why, for operators."""


class VoiceBackend(Protocol):
    name: str

    def call(self, number: str, script: str, *, now) -> str:
        """Dial `number` and read `script` (text to speech); returns the provider's call id. No commit."""


def spoken_code(code):
    """Digits as words, with pauses, so a text-to-speech engine reads them one by one."""
    return "، ".join(PERSIAN_DIGIT_NAMES[int(digit)] for digit in code)


class SandboxVoice:
    """Dials nothing: each call's script is kept and listed on /operator/calls."""

    name = "sandbox"

    def call(self, number, script, *, now):
        row = VoiceCall(number=number, script=script, created_at=now)
        db.session.add(row)
        db.session.flush()
        return f"sandbox-{row.id}"


def backend_from_config(config):
    """Only the sandbox exists; a provider's adapter (for example Kavenegar's voice API) implements VoiceBackend."""
    return SandboxVoice()
