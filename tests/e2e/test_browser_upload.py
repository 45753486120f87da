"""A QLTT officer uploads a monthly report in a real headless Chromium (Debian's package, Playwright):
the preview marks every refused row and its offending cells, publishing sends the good rows through the
real broker (the page shows progress, then each row's topic/partition/offset), the error report downloads
defused, the history names the uploader, and the materializer puts exactly the good rows' events in the
store. A large file shows its progress while it is checked and while it is sent."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import create_topics, open_store
from services.settings import Settings
from tests.databases import upgraded
from tests.e2e.served_hub import served, shot, signed_in
from tests.e2e.test_import_cli import materialize
from tests.integration.helpers import isolated_settings
from tests.upload_samples import (
    EVENTS_PER_GOOD_ROW,
    FORMULA,
    GOOD_ROWS,
    big_qltt_report,
    qltt_report_with_hostile_rows,
)

pytestmark = pytest.mark.integration
OFFICER = Principal("b-qltt-officer", "Kiểm soát viên QLTT Bắc Ninh", "qltt", Role.AGENCY_OFFICER)
BIG_ROWS = 400


@dataclass
class Hub:
    url: str
    settings: Settings
    token: str


@pytest.fixture(scope="module")
def hub(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    url = f"sqlite:///{tmp_path_factory.mktemp('upload') / 'casehub.db'}"
    settings = isolated_settings(kafka_bootstrap, url)
    create_topics(settings)
    upgraded(settings.store_url)  # as `casehub db upgrade` does before the hub opens it
    engine, _store = open_store(settings)
    save_principal(engine, OFFICER)
    token = issue_token(engine, OFFICER.principal_id)
    try:
        with served(create_app(engine, settings)) as url:
            yield Hub(url, settings, token)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def page(hub: Hub, browser: Any) -> Any:
    return signed_in(
        browser, hub.url, hub.token, viewport={"width": 1500, "height": 900}, accept_downloads=True
    )


def test_an_officer_uploads_a_report_with_bad_rows_and_publishes_the_good_ones(
    hub: Hub, page: Any, tmp_path: Path
) -> None:
    report = tmp_path / "bao_cao_thang_08.csv"
    report.write_bytes(qltt_report_with_hostile_rows())
    page.click('nav a[href="/uploads"]')
    page.set_input_files('#upload-form input[type="file"]', str(report))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector('#upload-status[data-status="previewed"]', timeout=60_000)
    assert page.locator('tr[data-fate="ok"]').count() == GOOD_ROWS
    assert page.locator('tr[data-fate="refused"]').count() == 8
    gotham = page.locator('tr[data-row="8"] td.bad')
    assert gotham.count() == 1 and gotham.inner_text() == "Gotham"
    assert "không nhận ra tỉnh/thành phố" in (gotham.get_attribute("title") or "")
    assert page.locator('tr[data-row="9"] td.bad').count() == 2  # the phone and the fine
    assert page.locator('tr[data-row="16"] td.bad').inner_text() == FORMULA  # shown as text, never run
    shot(page, "upload-01-preview")

    page.click("#publish-form button[type=submit]")
    page.wait_for_selector('#upload-status[data-status="published"]', timeout=120_000)
    assert page.locator("#count-accepted").inner_text() == str(GOOD_ROWS)
    wheres = page.locator("code.where").all_inner_texts()
    assert len(wheres) == GOOD_ROWS and all(
        w.startswith(hub.settings.agency_topic("qltt") + "/") for w in wheres
    )
    assert page.locator('tr[data-outcome="accepted"]').count() == GOOD_ROWS
    shot(page, "upload-02-published")

    with page.expect_download() as download:
        page.click("#errors-csv")
    lines = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert {line[0] for line in lines[1:]} == {"7", "8", "9", "10", "14", "16", "17", "18"}
    assert lines[[line[0] for line in lines].index("16")][:3] == ["16", "Tỉnh/thành phố", "'" + FORMULA]

    page.click('a[href="/uploads"]')
    history = page.locator("#upload-history tr.upload-row")
    assert history.count() == 1 and "Kiểm soát viên QLTT Bắc Ninh" in history.first.inner_text()
    assert "bao_cao_thang_08.csv" in history.first.inner_text()
    assert materialize(hub.settings) == (GOOD_ROWS * EVENTS_PER_GOOD_ROW, 0)


def test_a_large_report_shows_progress_while_checked_and_while_sent(
    hub: Hub, page: Any, tmp_path: Path
) -> None:
    report = tmp_path / "bao_cao_lon.csv"
    report.write_bytes(big_qltt_report(BIG_ROWS))
    page.goto(f"{hub.url}/uploads")
    page.set_input_files('#upload-form input[type="file"]', str(report))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#read-progress progress", timeout=30_000)
    page.wait_for_selector('#upload-status[data-status="previewed"]', timeout=180_000)
    assert page.locator("#rows-ok").inner_text() == str(BIG_ROWS)
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#publish-progress progress", timeout=30_000)
    assert int(page.locator("#publish-progress progress").get_attribute("max")) == BIG_ROWS
    page.wait_for_selector('#upload-status[data-status="published"]', timeout=300_000)
    assert page.locator("#count-accepted").inner_text() == str(BIG_ROWS)
    shot(page, "upload-03-large-published")  # (the pages in progress reload each second: no screenshot)
