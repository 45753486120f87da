"""`python -m deploy jars|postgres|connect`: install steps the Makefile runs (hub, tests, bench)."""

from __future__ import annotations

import sys

from deploy.connect_plugin import ensure_connect_jars
from deploy.kafka_broker import BrokerError, ensure_jars
from deploy.postgres_cluster import PostgresError, ensure_postgres_installed

STEPS = {
    "jars": ensure_jars,
    "postgres": ensure_postgres_installed,
    "connect": lambda: ensure_connect_jars().libs.parent,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in STEPS:
        sys.stderr.write(f"usage: python -m deploy {{{'|'.join(STEPS)}}}\n")
        return 2
    try:
        where = STEPS[argv[0]]()
    except (BrokerError, PostgresError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(f"{argv[0]}: ready ({where})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
