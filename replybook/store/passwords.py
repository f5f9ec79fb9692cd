"""Password hashes: scrypt (stdlib, memory-hard) at OWASP's parameters, N = 2^17, r = 8, p = 1.

A hash records its own parameters (``scrypt$N$r$p$salt$digest``), so hashes made with older, cheaper
ones still verify, and ``needs_rehash`` says when to replace one at the next successful login.
``spend`` runs the same KDF against nothing, so a login for an unknown name costs what a known one
costs and its answer time does not tell which names exist.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

DEFAULT_COST = 17  # log2 of scrypt's N: 2^17, OWASP's recommendation (about 128 MB, ~0.1–0.4 s)
_R, _P, _DKLEN = 8, 1, 32


def _maxmem(n: int, r: int, p: int) -> int:
    """What OpenSSL needs for these parameters (128·r·(N + p + 2) bytes) and a little room."""
    return 128 * r * (n + p + 2) + 2**20


@dataclass(frozen=True)
class PasswordHasher:
    """scrypt with N = 2^cost. The default is the one to use; tests pass a low cost to stay fast."""

    cost: int = DEFAULT_COST
    r: int = _R
    p: int = _P
    _dummy: list[str] = field(default_factory=list, compare=False, repr=False)

    @property
    def n(self) -> int:
        return 2**self.cost

    def kdf(self, password: str, salt: bytes, *, n: int, r: int, p: int, dklen: int = _DKLEN) -> bytes:
        """The one place scrypt runs."""
        return hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=_maxmem(n, r, p)
        )

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(16)
        digest = self.kdf(password, salt, n=self.n, r=self.r, p=self.p)
        b64 = base64.b64encode
        return f"scrypt${self.n}${self.r}${self.p}${b64(salt).decode()}${b64(digest).decode()}"

    def verify(self, password: str, stored: str) -> bool:
        parsed = _parse(stored)
        if parsed is None:
            return False
        n, r, p, salt, expected = parsed
        try:
            got = self.kdf(password, salt, n=n, r=r, p=p, dklen=len(expected))
        except (ValueError, MemoryError):
            return False
        return hmac.compare_digest(got, expected)

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with weaker parameters than this hasher's."""
        parsed = _parse(stored)
        return parsed is None or (parsed[0], parsed[1], parsed[2]) < (self.n, self.r, self.p)

    def spend(self, password: str) -> None:
        """Run the KDF as ``verify`` would for a user who does not exist (the answer is always no)."""
        if not self._dummy:
            self._dummy.append(self.hash(secrets.token_urlsafe(16)))
        self.verify(password, self._dummy[0])


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return None
        return int(n), int(r), int(p), base64.b64decode(salt), base64.b64decode(digest)
    except (ValueError, TypeError):
        return None


DEFAULT_HASHER = PasswordHasher()


@cache
def hasher_for(cost: int) -> PasswordHasher:
    """One hasher per cost, so the dummy hash ``spend`` uses is made once."""
    return DEFAULT_HASHER if cost == DEFAULT_COST else PasswordHasher(cost=cost)


class VerifiedCredentials:
    """Basic-auth credentials verified lately, so an API script does not pay a scrypt per request.

    Kept in memory for ``ttl`` seconds, keyed by a hash of (name, password, stored hash): a changed
    password (a new stored hash) never matches an old entry, and no password is kept in clear.
    """

    def __init__(self, *, ttl: float = 60.0, clock: Callable[[], datetime], max_entries: int = 1000):
        self.ttl, self.clock, self.max_entries = ttl, clock, max_entries
        self._until: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(name: str, password: str, stored: str) -> bytes:
        return hashlib.sha256("\0".join((name, password, stored)).encode()).digest()

    def __contains__(self, creds: tuple[str, str, str]) -> bool:
        key, at = self._key(*creds), self.clock().timestamp()
        with self._lock:
            until = self._until.get(key)
            if until is None:
                return False
            if until <= at:
                del self._until[key]
                return False
            return True

    def add(self, name: str, password: str, stored: str) -> None:
        with self._lock:
            self._until[self._key(name, password, stored)] = self.clock().timestamp() + self.ttl
            while len(self._until) > self.max_entries:
                self._until.popitem(last=False)
