"""The count and the announcement of a fast path handing work back to the plain library path.

Two hot paths (the compiled Avro writer, the publisher's own record batches) stand in front of a
library's plain API. When one declines (a schema it cannot compile, a datum it does not expect, a
kafka-python whose internals moved) the work still gets done by the library, but never silently: each
decline is counted by reason here, and the first of each reason is logged as `fast_path_declined`.
"""

from __future__ import annotations

from collections import Counter

import structlog

logger = structlog.get_logger()


class FastPathDeclines:
    """Declines of one fast path by reason; the first of each reason is logged as a warning."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.counts: Counter[str] = Counter()

    def declined(self, reason: str, **context: object) -> None:
        """Count a decline; `reason` is a short, low-cardinality key (the details go in `context`)."""
        first = reason not in self.counts
        self.counts[reason] += 1
        if first:
            logger.warning("fast_path_declined", path=self.path, reason=reason, **context)

    @property
    def total(self) -> int:
        return sum(self.counts.values())
