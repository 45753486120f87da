"""`casehub publish FILE --agency` and `casehub simulate` as a user runs them, against the real broker."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from services.bootstrap import build_materializer, create_topics, open_store
from services.settings import Settings
from tests.e2e.test_cli import casehub_env, run
from tests.import_samples import CUSTOMS_JSONL, QLTT_CSV, copy_sample, write_tax_workbook
from tests.integration.helpers import isolated_settings, read_all

pytestmark = pytest.mark.integration


def materialize(settings: Settings) -> tuple[int, int]:
    """Run the hub's materializer until idle; (events, dead letters) in the store."""
    engine, store = open_store(settings)
    materializer = build_materializer(settings, store)
    materializer.run(threading.Event(), idle_exit_s=3)
    materializer.source.close()
    materializer.dead_letter_sink.close()
    with engine.connect() as connection:
        events = connection.execute(text("SELECT count(*) FROM case_events")).scalar_one()
        dead = connection.execute(text("SELECT count(*) FROM dead_letters")).scalar_one()
    engine.dispose()
    return int(events), int(dead)


@pytest.fixture
def hub(kafka_bootstrap: str, sqlite_url: str, tmp_path: Path) -> tuple[Settings, dict[str, str]]:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    return settings, casehub_env(settings, tmp_path)


@pytest.mark.parametrize(
    ("agency", "sample", "published", "good_rows", "failed_rows"),
    [
        ("qltt", "csv", 35, 5, 5),
        ("customs", "jsonl", 12, 2, 5),  # the 2 tỷ fine of an individual is above the legal maximum
        ("tax", "xlsx", 15, 3, 2),
    ],
)
def test_each_format_publishes_the_good_rows_and_reports_the_bad_ones(
    hub: tuple[Settings, dict[str, str]],
    tmp_path: Path,
    agency: str,
    sample: str,
    published: int,
    good_rows: int,
    failed_rows: int,
) -> None:
    settings, env = hub
    sources = {
        "csv": lambda: copy_sample(QLTT_CSV, tmp_path),
        "jsonl": lambda: copy_sample(CUSTOMS_JSONL, tmp_path),
    }
    source = sources.get(sample, lambda: write_tax_workbook(tmp_path / "thue_2025.xlsx"))()
    result = run(["publish", str(source), "--agency", agency], env)
    assert result.returncode == 1, result.stderr
    assert f"Published {published} events from {good_rows} rows; {failed_rows} rows failed." in result.stdout
    report = source.with_name(source.name + ".errors.csv")
    assert str(report) in result.stderr.replace("\n", "")
    with report.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len({row["row"] for row in rows}) == failed_rows
    assert all(row["reason"] for row in rows)
    assert materialize(settings) == (published, 0)


def test_importing_the_same_file_again_adds_nothing_to_the_store(
    hub: tuple[Settings, dict[str, str]], tmp_path: Path
) -> None:
    settings, env = hub
    source = copy_sample(QLTT_CSV, tmp_path)
    first = run(["publish", str(source), "--agency", "qltt"], env)
    assert "Published 35 events" in first.stdout
    assert materialize(settings) == (35, 0)
    again = run(["publish", str(source), "--agency", "qltt"], env)
    assert "Published 35 events" in again.stdout  # sent again: the hub de-duplicates by event id
    assert len(read_all(settings.kafka_bootstrap, settings.agency_topic("qltt"), expected=70)) == 70
    assert materialize(settings) == (35, 0)


def test_a_dry_run_validates_everything_and_sends_nothing(
    hub: tuple[Settings, dict[str, str]], tmp_path: Path
) -> None:
    settings, env = hub
    source = copy_sample(QLTT_CSV, tmp_path)
    result = run(["publish", str(source), "--agency", "qltt", "--dry-run"], env)
    assert result.returncode == 1
    assert "Dry run: 35 events from 5 rows are valid; nothing sent; 5 rows failed." in result.stdout
    assert read_all(settings.kafka_bootstrap, settings.agency_topic("qltt"), expected=0, timeout_s=3) == []
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(source.read_text(encoding="utf-8").splitlines()[:5]) + "\n", encoding="utf-8")
    assert run(["publish", str(clean), "--agency", "qltt", "--dry-run"], env).returncode == 0


def test_simulated_traffic_reaches_the_store_with_its_ground_truth(
    hub: tuple[Settings, dict[str, str]], tmp_path: Path
) -> None:
    settings, env = hub
    truth = tmp_path / "truth.json"
    result = run(["simulate", "--events", "1500", "--seed", "5", "--truth", str(truth)], env)
    assert result.returncode == 0, result.stderr
    assert "published 1500 events; 0 failed" in result.stdout
    assert materialize(settings) == (1500, 0)
    subjects = json.loads(truth.read_text(encoding="utf-8"))["subject_to_seller"]
    assert subjects and all(key.startswith("SELLER-") for key in subjects.values())
    files = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for output in files:
        assert run(["simulate", "-n", "400", "--seed", "5", "--output", str(output)], env).returncode == 0
    assert files[0].read_bytes() == files[1].read_bytes()
