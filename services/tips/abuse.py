"""How many tips one client address may post, with the `limits` library (as services.access.auth_failures):
every post counts, accepted or refused, so a flood is cut off whatever it sends."""

from __future__ import annotations

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class TipRateLimit:
    """Per-process counts; a shared `limits` storage (Redis) would make several API processes count as one."""

    def __init__(self, limits: str) -> None:
        self.items = parse_many(limits)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, client: str) -> bool:
        """Count this post; False once any of the limits is exceeded."""
        return all([self.limiter.hit(item, "tip-post", client) for item in self.items])
