"""What the store port raises: an outage to wait out, or a refusal of the records themselves.

They belong to the consumers' side of the store port (the materializer decides from them whether to
retry or to isolate and dead-letter); services/store raises them, as every adapter of the port must.
"""

from schemas.errors import CasehubError
from schemas.outages import ServiceUnavailable


class StoreUnavailable(ServiceUnavailable):
    """The shared database could not be reached or written."""


class StoreRejected(CasehubError):
    """The database refused a write for what was in it (a value out of range, a broken constraint, a
    store limit): not an outage, so retrying the same records cannot help; isolate and dead-letter them."""


class EventsRejected(StoreRejected):
    """The store refused these events by id, each with its reason (e.g. an event id already stored with
    other content); the rest of the batch can be written without them."""

    def __init__(self, reasons: dict[str, str]) -> None:
        self.reasons = dict(reasons)
        first = next(iter(self.reasons.items()), ("?", "refused"))
        super().__init__(f"{len(self.reasons)} event(s) refused, e.g. {first[0]}: {first[1]}")
