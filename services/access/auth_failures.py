"""Rate limiting of authentication failures per client address, with the `limits` library (what slowapi
is built on; slowapi limits every request to a route, while only failures should count here).

A client that presented more than LIMIT bad credentials within the moving window is answered 429 until
the window has moved on, whatever it presents — a token guesser gets a few tries a minute, not ~300 a
second; a signed-in user never touches the limit."""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

LIMIT = "20/minute"


class AuthFailures:
    """Per-process counts (each API process limits on its own: a guesser spread over N processes gets
    N × LIMIT; a shared storage such as Redis is a `limits` storage URL away)."""

    def __init__(self, limit: str = LIMIT) -> None:
        item = parse(limit)
        assert isinstance(item, RateLimitItem)
        self.item = item
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def blocked(self, client: str) -> bool:
        return not self.limiter.test(self.item, "auth-failure", client)

    def failed(self, client: str) -> None:
        self.limiter.hit(self.item, "auth-failure", client)
