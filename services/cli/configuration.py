"""A command's settings, read from CASEHUB_* once, and its logging set up to match.

One-shot commands print their own result, so their logs default to WARNING (quiet); long-running
processes (consume, api, up, entities consume, notify run, outbox relay) default to INFO so their
per-batch summary shows. CASEHUB_LOG_LEVEL overrides both.
"""

from __future__ import annotations

import re

import pydantic
from pydantic_settings import SettingsError

from schemas.errors import CasehubError
from services.logging import configure_logging
from services.settings import Settings


def settings() -> Settings:
    """Settings of a one-shot command (logs at WARNING unless CASEHUB_LOG_LEVEL says otherwise)."""
    return _loaded(default_level="WARNING")


def service_settings() -> Settings:
    """Settings of a long-running process (logs at INFO unless CASEHUB_LOG_LEVEL says otherwise)."""
    return _loaded(default_level="INFO")


def _loaded(default_level: str) -> Settings:
    configure_logging(default_level)  # before reading: a bad setting is reported through the same logs
    try:
        loaded = Settings()
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        where = "CASEHUB_" + "_".join(str(part) for part in error["loc"]).upper()
        raise CasehubError(f"bad setting {where}: {error['msg']}" if error["loc"] else error["msg"]) from None
    except SettingsError as exc:  # a list or object setting whose value is not JSON
        field = re.search(r'field "(\w+)"', str(exc))
        where = f"CASEHUB_{field.group(1).upper()}" if field else "a CASEHUB_ setting"
        raise CasehubError(
            f'bad setting {where}: not JSON (a list setting is a JSON list, e.g. ["a", "b"])'
        ) from None
    if loaded.log_level is not None and loaded.log_level != default_level:
        configure_logging(loaded.log_level)
    return loaded
