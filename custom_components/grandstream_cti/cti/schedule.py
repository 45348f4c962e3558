"""When to read a phone, and how much: the read policy, with no clock of its own.

The lines on every read; everything else (status, accounts, configuration,
battery, Wi-Fi) every few reads, or when something asked for it. Without
push, a read every `interval` s and everything every `full_every` reads; with
push trusted, a `heartbeat` and everything every `full_every_heartbeat`. A
read a push or a command asks for reads the lines only (one request) unless a
full read was asked for. Each phone reads at its own stable slot within the
interval, so a building of phones is not read in the same second; failures
back off 2x, 4x ... up to `max_backoff`, or until a lock should be over.
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
from typing import Final

# How early a timer may fire (Home Assistant's run at whole seconds): a read
# this close before its slot counts as on it.
TIMER_EARLY: Final = 2.0


@dataclass(slots=True)
class ReadSchedule:
    """One phone's read policy and where it stands."""

    # This phone's place within the interval (0 <= slot < 1).
    slot: float
    interval: float = 10.0
    heartbeat: float = 50.0
    full_every: int = 3
    full_every_heartbeat: int = 10
    max_backoff: float = 60.0
    full_needed: bool = True
    reads_since_full: int = 0
    failures: int = 0

    @classmethod
    def for_phone(cls, key: str) -> ReadSchedule:
        """Return a schedule whose slot is stable for this phone (a stable key)."""
        digest = hashlib.sha256(key.encode()).digest()
        return cls(int.from_bytes(digest[:4]) / 2**32)

    def full_due(self, *, asked: bool, push: bool) -> bool:
        """Return True when the next read reads everything, and start it.

        asked: a push or a command asked for the read; push: push is trusted.
        """
        every = self.full_every_heartbeat if push else self.full_every
        full = self.full_needed or (not asked and self.reads_since_full + 1 >= every)
        # Cleared now, not after: a push during this read asks for the next.
        self.full_needed = self.full_needed and not full
        return full

    def succeeded(self, *, full: bool) -> bool:
        """Count a read that worked; return True when it ends an outage."""
        self.reads_since_full = 0 if full else self.reads_since_full + 1
        recovered, self.failures = self.failures > 0, 0
        return recovered

    def failed(self, *, lock_minutes: int | None = None) -> float:
        """Count a failed read; return the seconds to wait before the next."""
        self.failures += 1
        self.full_needed = True
        if lock_minutes:
            return lock_minutes * 60 + 5
        backoff: float = self.interval * 2**self.failures
        return min(backoff, self.max_backoff)

    def next_wait(self, now: float, *, push: bool) -> float:
        """Return the seconds to the next read: about half an interval to one.

        At this phone's slot when that is at least half an interval away, or
        the slot after when this one is only a timer's early firing away; else
        half an interval (the read after is on the slot again). Never much
        more than one interval: a heartbeat keeps the phone's web session alive.
        """
        period = self.heartbeat if push else self.interval
        wait = period * (1 - (now / period - self.slot) % 1)
        if wait >= period / 2:
            return wait
        return wait + period if wait <= TIMER_EARLY else period / 2
