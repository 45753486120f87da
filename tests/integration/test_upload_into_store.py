"""The report upload page end to end on a real broker, materialized into SQLite and PostgreSQL: a QLTT
officer's file with bad and hostile rows is previewed row by row, its good rows published to QLTT's topic
only (through the HTTP ingest path), each row's outcome shown, the error report defused; publishing again
sends nothing; the history says who uploaded what; the wrong people are refused."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, text

from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import create_topics, open_store
from services.settings import Settings
from tests.e2e.test_import_cli import materialize
from tests.integration.helpers import isolated_settings, read_all
from tests.upload_samples import EVENTS_PER_GOOD_ROW, FORMULA, GOOD_ROWS, qltt_report_with_hostile_rows
from tests.web_sign_in import form_token_on, signed_in_client

pytestmark = pytest.mark.integration
PEOPLE = {
    "officer": Principal("u-qltt-officer", "Kiểm soát viên QLTT", "qltt", Role.AGENCY_OFFICER),
    "analyst": Principal("u-qltt-analyst", "Chuyên viên QLTT", "qltt", Role.ANALYST),
    "customs": Principal("u-customs-officer", "Cán bộ Hải quan", "customs", Role.AGENCY_OFFICER),
}


@dataclass
class UploadHub:
    settings: Settings
    engine: Engine
    tokens: dict[str, str]


@pytest.fixture
def upload_hub(kafka_bootstrap: str, database_url: str) -> Iterator[UploadHub]:
    settings = isolated_settings(kafka_bootstrap, database_url)
    create_topics(settings)
    engine, _store = open_store(settings)
    tokens = {}
    for key, principal in PEOPLE.items():
        save_principal(engine, principal)
        tokens[key] = issue_token(engine, principal.principal_id)
    try:
        yield UploadHub(settings, engine, tokens)
    finally:
        engine.dispose()


def upload_file(client: TestClient, name: str, content: bytes, **fields: str) -> str:
    """Post a file the way the page's form does; the upload's page path."""
    token = form_token_on(client.get("/uploads"))
    sent = client.post(
        "/uploads", data={"csrf": token, **fields}, files={"file": (name, content)}, follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


def rows_by_fate(page: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for number, fate in re.findall(r'data-row="(\d+)" data-fate="(\w+)"', page):
        found.setdefault(fate, []).append(int(number))
    return found


def test_an_officer_uploads_previews_publishes_and_reads_each_rows_outcome(upload_hub: UploadHub) -> None:
    settings, engine = upload_hub.settings, upload_hub.engine
    with TestClient(create_app(engine, settings)) as client:
        signed_in_client(client, upload_hub.tokens["officer"])
        where = upload_file(client, "bao_cao_thang_08.csv", qltt_report_with_hostile_rows(), agency="customs")
        preview = client.get(where).text
        fates = rows_by_fate(preview)
        assert fates["ok"] == [4, 5, 6, 12, 13] and len(fates["refused"]) == 8
        assert 'class="cell bad" title="không nhận ra tỉnh/thành phố' in preview  # the offending cell marked
        assert "trùng vụ việc với dòng 4" in preview
        assert (
            read_all(settings.kafka_bootstrap, settings.agency_topic("qltt"), expected=0, timeout_s=2) == []
        )

        token = form_token_on(client.get(where))
        published = client.post(f"{where}/publish", data={"csrf": token}, follow_redirects=False)
        assert published.status_code == 303
        page = client.get(where).text
        assert 'data-status="published"' in page
        assert re.search(r'id="count-accepted">(\d+)<', page).group(1) == str(GOOD_ROWS)  # type: ignore[union-attr]
        wheres = re.findall(r'<code class="where">([^<]+)</code>', page)
        assert len(wheres) == GOOD_ROWS
        assert all(w.startswith(settings.agency_topic("qltt") + "/") for w in wheres)
        assert materialize(settings) == (GOOD_ROWS * EVENTS_PER_GOOD_ROW, 0)
        for agency in ("customs", "tax", "police", "ipvn"):  # the form's agency field was ignored
            assert (
                read_all(settings.kafka_bootstrap, settings.agency_topic(agency), expected=0, timeout_s=1)
                == []
            )

        again = upload_file(client, "bao_cao_thang_08 (1).csv", qltt_report_with_hostile_rows())
        client.post(f"{again}/publish", data={"csrf": form_token_on(client.get(again))})
        repeat = client.get(again).text
        assert re.search(r'id="count-duplicate">(\d+)<', repeat).group(1) == str(GOOD_ROWS)  # type: ignore[union-attr]
        assert re.search(r'id="count-accepted">(\d+)<', repeat).group(1) == "0"  # type: ignore[union-attr]
        assert materialize(settings) == (GOOD_ROWS * EVENTS_PER_GOOD_ROW, 0)

        report = client.get(f"{where}/errors.csv")
        assert report.status_code == 200 and report.content.startswith(b"\xef\xbb\xbf")
        lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
        values = [cell for line in lines for cell in line]
        assert "'" + FORMULA in values and FORMULA not in values
        assert not any("\x00" in cell for cell in values)
        assert {int(line[0]) for line in lines[1:]} == set(range(7, 11)) | {14, 16, 17, 18}
        book = load_workbook(io.BytesIO(client.get(f"{where}/errors.xlsx").content))
        cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
        assert "'" + FORMULA in cells and not any(isinstance(c, str) and c.startswith("=") for c in cells)

        history = client.get("/uploads").text
        assert history.count('class="upload-row"') == 2 and "Kiểm soát viên QLTT" in history

    with engine.connect() as connection:
        audited = connection.execute(
            text("SELECT count(*) FROM audit_log WHERE endpoint LIKE '/uploads%' AND principal_id = :p"),
            {"p": PEOPLE["officer"].principal_id},
        ).scalar_one()
    assert audited >= 8

    with TestClient(create_app(engine, settings)) as other:
        signed_in_client(other, upload_hub.tokens["customs"])
        assert 'class="upload-row"' not in other.get("/uploads").text  # another agency's history
        assert other.get(where).status_code == 403
        assert other.get(f"{where}/errors.csv").status_code == 403
