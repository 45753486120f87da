"""A store's transactions failing on demand, as a database outage does: the tests' one switch for it."""

from __future__ import annotations

from consumers.store_errors import StoreUnavailable


class StoreOutages:
    """Mixed into a store (a fake or the real one): its next `fail_next_transactions` transactions raise
    StoreUnavailable before they start, as when the database is down or a transaction deadlocked."""

    fail_next_transactions = 0
    outage_reason = "database is down (fake)"

    def _outage(self) -> None:
        """Raise if a failure is still owed (each transaction calls it first)."""
        if self.fail_next_transactions:
            self.fail_next_transactions -= 1
            raise StoreUnavailable(self.outage_reason)
