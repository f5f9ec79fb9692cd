"""Failed logins, counted in memory per user name and per client address (issue 12 finding 6).

After ``limit`` failures within ``window`` seconds a key is refused (``TooManyAttempts``, with the
seconds until its oldest failure leaves the window) before any password is checked, so a refused
attempt costs no scrypt. Memory stays bounded: each key keeps at most ``limit`` moments, and at most
``max_keys`` keys are kept (the stalest are forgotten first). The clock is injectable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime

from replybook.store.errors import TooManyAttempts
from replybook.store.timeutil import now

Clock = Callable[[], datetime]


class FailureCounter:
    """Failures per key within a sliding window."""

    def __init__(self, *, limit: int, window: float, clock: Clock = now, max_keys: int = 10_000):
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, at: float) -> deque[float]:
        kept = self._failures.get(key)
        if kept is None:
            return deque(maxlen=self.limit)
        while kept and kept[0] <= at - self.window:
            kept.popleft()
        return kept

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may now."""
        at = self.clock().timestamp()
        with self._lock:
            kept = self._recent(key, at)
            if len(kept) < self.limit:
                return 0
            return max(1, int(kept[0] + self.window - at + 0.999))

    def fail(self, key: str) -> None:
        at = self.clock().timestamp()
        with self._lock:
            kept = self._recent(key, at)
            kept.append(at)
            self._failures[key] = kept
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def __len__(self) -> int:
        return len(self._failures)


class LoginThrottle:
    """The two counters a login passes: one per user name, one per client address."""

    def __init__(self, *, per_user: int, per_address: int, window: float, clock: Clock = now):
        self.users = FailureCounter(limit=per_user, window=window, clock=clock)
        self.addresses = FailureCounter(limit=per_address, window=window, clock=clock)

    def check(self, name: str, address: str) -> None:
        """Refuse (``TooManyAttempts``) a name or an address that failed too often lately."""
        wait = max(self.users.retry_after(name.strip()), self.addresses.retry_after(address))
        if wait:
            raise TooManyAttempts(wait)

    def failed(self, name: str, address: str) -> None:
        self.users.fail(name.strip())
        self.addresses.fail(address)

    def succeeded(self, name: str) -> None:
        """A right password clears the name's count (the address's stays: it may be guessing others)."""
        self.users.clear(name.strip())
