"""Who did it: a structured actor for every event and audit row."""
from dataclasses import dataclass
from typing import Optional

OWNER, STAFF, BUYER, SYSTEM, CLI, CLOCK, PUBLIC = "owner", "staff", "buyer", "system", "cli", "clock", "public"
KINDS = (OWNER, STAFF, BUYER, SYSTEM, CLI, CLOCK, PUBLIC)


@dataclass(frozen=True)
class Actor:
    """An actor kind (owner, staff, system, cli, clock, ...) and, where there is one, its id."""

    kind: str
    id: Optional[str] = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown actor kind {self.kind!r}")
        if self.id is not None:
            object.__setattr__(self, "id", str(self.id))

    def __str__(self):
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind

    @classmethod
    def owner(cls, account_id):
        return cls(OWNER, account_id)

    @classmethod
    def staff(cls, staff_id):
        return cls(STAFF, staff_id)

    @classmethod
    def system(cls, name):
        """An automatic path of the service itself, e.g. the gray fast path."""
        return cls(SYSTEM, name)

    @classmethod
    def parse(cls, value):
        """An Actor, or text such as 'cli', 'clock', 'owner:12' or a legacy free string (a system path)."""
        if isinstance(value, Actor):
            return value
        kind, _, ident = str(value).partition(":")
        if kind in KINDS:
            return cls(kind, ident or None)
        return cls(SYSTEM, str(value))


CLI_ACTOR = Actor(CLI)
CLOCK_ACTOR = Actor(CLOCK)
