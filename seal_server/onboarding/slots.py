"""At most N slow checks at once in this process, and at most M per account, refused rather than queued.

A domain check fetches a stranger's site in the request thread for up to 15 seconds; without a
cap a few checks against a slow site hold every thread and the badge waits behind them.
"""
import threading
from contextlib import contextmanager


class Busy(Exception):
    """No slot free; `everyone` tells whether the process-wide cap (True) or the account's (False) was reached."""

    def __init__(self, everyone):
        super().__init__("all slots are taken" if everyone else "this key's slots are taken")
        self.everyone = everyone


class Slots:
    """Counting slots, in all and per key; `hold` never waits."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running = 0
        self._per_key = {}

    @contextmanager
    def hold(self, key, *, total, per_key):
        with self._lock:
            if self._per_key.get(key, 0) >= per_key:
                raise Busy(everyone=False)
            if self._running >= total:
                raise Busy(everyone=True)
            self._running += 1
            self._per_key[key] = self._per_key.get(key, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                self._per_key[key] -= 1
                if not self._per_key[key]:
                    del self._per_key[key]
