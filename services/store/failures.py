"""Which database errors are outages (wait and retry the batch) and which are about the records written
(isolate them, dead-letter them with the database's reason, write the rest).

Retrying a batch the database refuses for its content would stall every partition forever; dead-lettering
a batch because the database was down would lose nothing, but would bury good data in the dead-letter table.
So the split is by cause. PostgreSQL reports it in the SQLSTATE class (Appendix A of its manual); SQLite in
its primary result code. Our own SQL failing (syntax, missing table, privilege) is an operator's problem,
not the record's: it is treated as an outage, so the consumer stops visibly instead of dead-lettering all.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, InterfaceError, SQLAlchemyError, StatementError

OUTAGE_SQLSTATE_CLASSES = frozenset(
    {
        "08",  # connection exception
        "25",  # invalid transaction state (a transaction aborted under us)
        "40",  # transaction rollback: serialization failure, deadlock detected
        "42",  # syntax error or access rule violation: our SQL or the grants, never the data
        "53",  # insufficient resources: disk full, out of memory, too many connections
        "55",  # object not in prerequisite state: lock not available
        "57",  # operator intervention: admin shutdown, query canceled, cannot connect now
        "58",  # system error: I/O error
        "F0",  # configuration file error
        "XX",  # internal error
    }
)
OUTAGE_SQLITE_CODES = frozenset(
    {
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_IOERR",
        "SQLITE_FULL",
        "SQLITE_CANTOPEN",
        "SQLITE_READONLY",
        "SQLITE_NOMEM",
        "SQLITE_PROTOCOL",
        "SQLITE_CORRUPT",
        "SQLITE_NOTADB",
        "SQLITE_PERM",
        "SQLITE_AUTH",
    }
)
_SQLITE_SCHEMA_PROBLEMS = ("no such table", "no such column", "no such function", "syntax error")


def is_database_error(exc: BaseException) -> bool:
    """Raised by SQLAlchemy or a database driver (not by the code that was writing)."""
    return isinstance(exc, SQLAlchemyError | sqlite3.Error) or type(exc).__module__.startswith("psycopg")


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says the store cannot be used right now, whatever was being written."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    driver_error = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    sqlstate = getattr(driver_error, "sqlstate", None)
    if isinstance(sqlstate, str) and len(sqlstate) == 5:
        return sqlstate[:2] in OUTAGE_SQLSTATE_CLASSES
    code = getattr(driver_error, "sqlite_errorname", None)
    if isinstance(code, str):
        if "_".join(code.split("_")[:2]) in OUTAGE_SQLITE_CODES:
            return True
        return str(driver_error).startswith(_SQLITE_SCHEMA_PROBLEMS)
    if _is_psycopg_connection_error(driver_error):
        return True
    if isinstance(exc, InterfaceError):
        return True
    # SQLAlchemy's own connection-level errors (pool timeout, closed connection, pending rollback);
    # a StatementError wraps a value that could not be bound, which is the record's fault.
    return isinstance(exc, SQLAlchemyError) and not isinstance(exc, StatementError)


def _is_psycopg_connection_error(error: BaseException) -> bool:
    """psycopg's client-side errors without a SQLSTATE: a closed or broken connection is an outage."""
    module = type(error).__module__
    if not module.startswith("psycopg"):
        return False
    return type(error).__name__ in {"OperationalError", "InterfaceError"}


def first_line(exc: BaseException) -> str:
    """The database's own message, first line only (drivers append context and hints below it)."""
    driver_error = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(driver_error).strip()
    return text.splitlines()[0] if text else type(driver_error).__name__
