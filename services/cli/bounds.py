"""The bounds of every number a command takes, in one place: what the store, the broker and the machine
can hold, so an edge value (a 30-digit id, a port past 65535) is a usage error naming the bound, never
SQLite's or the socket's OverflowError with a traceback (tests/unit/test_cli_bounds.py walks every
command and checks each integer has both ends)."""

from __future__ import annotations

ROW_ID_MAX = 2**63 - 1
"""A store row id (a dead letter's): SQLite's integer and PostgreSQL's bigint."""
LIST_MAX = 100_000
"""Rows a listing prints at most: beyond it, filter or export."""
BATCH_MAX = 100_000
"""Rows a round trip takes at most."""
EVENTS_MAX = 100_000_000
"""Events a simulation generates at most (hours of work already)."""
DAYS_MAX = 36_500
"""A simulation's span: a century."""
SEED_MIN, SEED_MAX = -(2**63), 2**63 - 1
"""Any 64-bit seed."""
PORT_MIN, PORT_MAX = 1, 65_535
SECONDS_MAX = 7 * 24 * 3600.0
"""A wait, an interval or an idle time: a week at most (NaN and infinity are refused with the bound)."""
INTERVAL_MIN = 0.1
"""A refresh or sweep interval: not a busy loop."""
RATE_MAX = 1_000_000.0
"""Events per second a simulation may be asked for."""
SCALE_MIN, SCALE_MAX = 0.0001, 100.0
"""The bench's scale: 1 is 200,000 events and 10^6 cases."""
