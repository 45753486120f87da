"""What the upload page refuses, and how: forged forms (no token) 403, a reader without the right 403,
files that are not reports (empty, wrong type, binary junk) kept as unreadable with a Vietnamese reason,
an oversized body 413 (the larger bound holds for this route only), rows outside the officer's provinces
refused, and a broker that cannot be reached: nothing sent, the upload still publishable. SQLite; the
broker is a closed port (nothing here may reach one)."""

from __future__ import annotations

import html
import io
import re
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from deploy.broker import free_port
from producers.importers.sources import MAX_COLUMNS
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.api.request_limits import MAX_BODY_BYTES, MAX_UPLOAD_BYTES
from services.settings import Settings
from services.store.engine import make_engine, migrate
from services.web.pages.uploads import PAGE_ROWS
from tests.import_samples import QLTT_CSV
from tests.upload_samples import big_qltt_report
from tests.web_sign_in import form_token_on, signed_in_client

pytestmark = pytest.mark.integration
PEOPLE = {
    "officer": Principal("r-qltt-officer", "Kiểm soát viên QLTT", "qltt", Role.AGENCY_OFFICER),
    "hanoi": Principal("r-qltt-hanoi", "QLTT Hà Nội", "qltt", Role.AGENCY_OFFICER, frozenset({"01"})),
    "analyst": Principal("r-qltt-analyst", "Chuyên viên QLTT", "qltt", Role.ANALYST),
    "ecom": Principal("r-ecom-officer", "Cán bộ Cục TMĐT", "ecom", Role.AGENCY_OFFICER),  # publishes nothing
}


@pytest.fixture
def hub(sqlite_url: str) -> Iterator[tuple[TestClient, Engine, dict[str, str]]]:
    engine = make_engine(sqlite_url)
    migrate(engine)
    tokens = {}
    for key, principal in PEOPLE.items():
        save_principal(engine, principal)
        tokens[key] = issue_token(engine, principal.principal_id)
    closed = f"127.0.0.1:{free_port()}"
    settings = Settings(kafka_bootstrap=closed, kafka_security="plaintext", connect_timeout_s=1)
    try:
        with TestClient(create_app(engine, settings)) as client:
            yield client, engine, tokens
    finally:
        engine.dispose()


def _uploads(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM uploads")).scalar_one())


def _send_at(client: TestClient, name: str, content: bytes) -> tuple[str, str]:
    """Upload as the page's form does; the upload's path and its page."""
    token = form_token_on(client.get("/uploads"))
    sent = client.post(
        "/uploads", data={"csrf": token}, files={"file": (name, content)}, follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    return sent.headers["location"], client.get(sent.headers["location"]).text


def _send(client: TestClient, name: str, content: bytes) -> str:
    return _send_at(client, name, content)[1]


def test_a_forged_upload_or_publish_without_the_form_token_is_refused(
    hub: tuple[TestClient, Engine, dict[str, str]],
) -> None:
    client, engine, tokens = hub
    signed_in_client(client, tokens["officer"])
    report = QLTT_CSV.read_bytes()
    assert client.post("/uploads", files={"file": ("r.csv", report)}).status_code == 403
    wrong = client.post("/uploads", data={"csrf": "0" * 64}, files={"file": ("r.csv", report)})
    assert wrong.status_code == 403
    token = form_token_on(client.get("/uploads"))
    elsewhere = client.post(
        "/uploads",
        data={"csrf": token},
        files={"file": ("r.csv", report)},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert elsewhere.status_code == 403
    assert _uploads(engine) == 0
    page = _send(client, "r.csv", report)
    upload_id = re.search(r'action="/uploads/([0-9a-f-]{36})/publish"', page).group(1)  # type: ignore[union-attr]
    assert client.post(f"/uploads/{upload_id}/publish").status_code == 403
    assert 'data-status="previewed"' in client.get(f"/uploads/{upload_id}").text


def test_a_reader_without_the_right_and_an_agency_without_a_topic_cannot_upload(
    hub: tuple[TestClient, Engine, dict[str, str]],
) -> None:
    client, engine, tokens = hub
    for who in ("analyst", "ecom"):
        client.cookies.clear()
        signed_in_client(client, tokens[who])
        assert client.get("/uploads").status_code == 403
        assert 'href="/uploads"' not in client.get("/").text  # no menu entry either
        token = form_token_on(client.get("/notifications"))  # a genuine token of this reader's session
        posted = client.post(
            "/uploads", data={"csrf": token}, files={"file": ("r.csv", QLTT_CSV.read_bytes())}
        )
        assert posted.status_code == 403
    assert _uploads(engine) == 0


def _workbook(rows: int, last_column: int = 3) -> bytes:
    """An XLSX of a header and `rows` short rows, with a cell in `last_column` of the first data row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Số quyết định", "Ngày kiểm tra", "Tỉnh"])
    for number in range(rows):
        sheet.append(
            ["x", 1, *([None] * (last_column - 3)), "far"] if number == 0 and last_column > 3 else ["x", 1]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "tệp rỗng"),
        ("blank.csv", b" \r\n\t\n", "tệp rỗng"),
        ("report.pdf", b"%PDF-1.7 ...", "không nhận loại tệp '.pdf'"),
        ("noextension", b"a,b\n1,2\n", "không nhận loại tệp"),
        ("junk.csv", bytes(range(256)) * 64, "không đọc được tệp"),
        ("junk.xlsx", bytes(range(256)) * 64, "không đọc được tệp báo cáo"),
        ("junk.jsonl", b"\xff\xfe\x00\x01" * 100, "không đọc được tệp"),
        ("header_only.csv", "Số quyết định,Ngày kiểm tra,Tỉnh\n".encode(), "không có dòng số liệu"),
        # within 8 MiB, yet 1.6 million rows read into the API process (~930 MB) before: refused early
        (
            "many_rows.csv",
            "Số quyết định,Ngày kiểm tra,Tỉnh\n".encode() + b"x,1,\n" * 60_000,
            "more than 50,000 rows",
        ),
        (
            "many_blank_rows.csv",
            "Số quyết định,Ngày kiểm tra,Tỉnh\n".encode() + b"\n" * 60_000,
            "more than 50,000",
        ),
        ("many_rows.xlsx", lambda: _workbook(rows=50_001), "more than 50,000 rows"),
        (
            "wide.xlsx",
            lambda: _workbook(rows=3, last_column=MAX_COLUMNS + 1),
            f"more than {MAX_COLUMNS} columns",
        ),
    ],
)
def test_a_file_that_is_not_a_report_is_kept_as_unreadable_with_its_reason(
    hub: tuple[TestClient, Engine, dict[str, str]],
    name: str,
    content: bytes | Callable[[], bytes],
    reason: str,
) -> None:
    client, engine, tokens = hub
    signed_in_client(client, tokens["officer"])
    page = html.unescape(_send(client, name, content if isinstance(content, bytes) else content()))
    assert 'data-status="unreadable"' in page and reason in page, page[-3000:]
    assert 'id="publish-form"' not in page
    assert _uploads(engine) == 1


def test_no_file_is_a_400_and_an_oversized_one_a_413_while_other_routes_keep_1_mib(
    hub: tuple[TestClient, Engine, dict[str, str]],
) -> None:
    client, engine, tokens = hub
    signed_in_client(client, tokens["officer"])
    token = form_token_on(client.get("/uploads"))
    assert client.post("/uploads", data={"csrf": token}, files={"file": ("", b"")}).status_code == 400
    huge = client.post(
        "/uploads", data={"csrf": token}, files={"file": ("big.csv", b"a" * (MAX_UPLOAD_BYTES + 1))}
    )
    assert huge.status_code == 413 and "tệp quá lớn" in huge.text
    two_mib = b"x" * (2 * MAX_BODY_BYTES)
    elsewhere = client.post("/referrals/new", data={"csrf": token}, files={"file": ("big.csv", two_mib)})
    assert elsewhere.status_code == 413
    page = _send(client, "two_mib.csv", two_mib)  # over the 1 MiB of other routes: taken here
    assert 'data-status="unreadable"' in page
    assert _uploads(engine) == 1


def test_rows_outside_the_officers_provinces_are_refused(
    hub: tuple[TestClient, Engine, dict[str, str]],
) -> None:
    client, _engine, tokens = hub
    signed_in_client(client, tokens["hanoi"])
    page = _send(client, "bac_giang.csv", QLTT_CSV.read_bytes())  # a Bắc Giang report, a Hà Nội officer
    assert 'data-fate="ok"' not in page and "ngoài địa bàn của bạn (01)" in page
    hanoi = _send(client, "ha_noi.csv", big_qltt_report(3))
    assert hanoi.count('data-fate="ok"') == 3


def test_publishing_with_the_broker_down_sends_nothing_and_can_be_tried_again(
    hub: tuple[TestClient, Engine, dict[str, str]],
) -> None:
    client, _engine, tokens = hub
    signed_in_client(client, tokens["officer"])
    page = _send(client, "r.csv", QLTT_CSV.read_bytes())
    upload_id = re.search(r'action="/uploads/([0-9a-f-]{36})/publish"', page).group(1)  # type: ignore[union-attr]
    answer = client.post(
        f"/uploads/{upload_id}/publish", data={"csrf": form_token_on(client.get(f"/uploads/{upload_id}"))}
    )
    assert answer.status_code == 200 and "broker không sẵn sàng" in answer.text
    assert 'data-status="previewed"' in answer.text and 'id="publish-form"' in answer.text
    assert 'data-outcome=""' in answer.text and 'data-outcome="accepted"' not in answer.text


def _previewed_whole_and_paged(client: TestClient, rows: int) -> float:
    started = time.monotonic()
    url, page = _send_at(client, "big.csv", big_qltt_report(rows))
    seconds = time.monotonic() - started
    pages = -(-rows // PAGE_ROWS)
    assert f'<span id="rows-total">{rows}</span>' in page and f'<span id="rows-ok">{rows}</span>' in page
    assert page.count('data-fate="ok"') == PAGE_ROWS and f"1/{pages}" in page and 'href="?page=2"' in page
    last = client.get(f"{url}?page={pages}").text
    assert last.count('data-fate="ok"') == rows - (pages - 1) * PAGE_ROWS and f'data-row="{rows + 1}"' in last
    return seconds


def test_a_700_row_report_is_previewed_whole_and_paged(
    hub: tuple[TestClient, Engine, dict[str, str]],
) -> None:
    client, _engine, tokens = hub
    _previewed_whole_and_paged(signed_in_client(client, tokens["officer"]), 700)


@pytest.mark.slow
def test_a_10k_row_report_is_previewed_whole_and_paged(
    hub: tuple[TestClient, Engine, dict[str, str]],
) -> None:
    client, _engine, tokens = hub
    seconds = _previewed_whole_and_paged(signed_in_client(client, tokens["officer"]), 10_000)
    print(f"upload: 10,000 rows previewed in {seconds:.1f} s ({10_000 / seconds:.0f} rows/s)")
