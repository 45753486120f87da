"""CASEHUB_LOG_LEVEL: long-running processes log at INFO by default (the per-batch summary shows), one-shot
commands at WARNING; the variable overrides both, and a bad value is one clear line."""

from __future__ import annotations

import logging

import pytest

from schemas.errors import CasehubError
from services.cli.configuration import service_settings, settings


def _root_level() -> str:
    return logging.getLevelName(logging.getLogger().level)


@pytest.fixture(autouse=True)
def _restore_root_level() -> object:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield None
    root.setLevel(level)
    root.handlers = handlers


def test_long_running_processes_log_at_info_and_one_shot_commands_at_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CASEHUB_LOG_LEVEL", raising=False)
    service_settings()
    assert _root_level() == "INFO"
    settings()
    assert _root_level() == "WARNING"


@pytest.mark.parametrize("written", ["debug", "DEBUG", " Error "])
def test_the_variable_overrides_both_defaults(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    monkeypatch.setenv("CASEHUB_LOG_LEVEL", written)
    assert settings().log_level == written.strip().upper()
    assert _root_level() == written.strip().upper()
    service_settings()
    assert _root_level() == written.strip().upper()


@pytest.mark.parametrize("written", ["verbose", "INFO;DEBUG", "10"])
def test_an_unknown_level_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    monkeypatch.setenv("CASEHUB_LOG_LEVEL", written)
    with pytest.raises(CasehubError, match="bad setting CASEHUB_LOG_LEVEL"):
        settings()


def test_an_empty_variable_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEHUB_LOG_LEVEL", "")
    assert service_settings().log_level is None
    assert _root_level() == "INFO"
