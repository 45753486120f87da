"""A provincial report typed the way a unit types it, published to the real broker and read back from the
store: the unit's own number finds the case, the goods value shows at case level, in the statistics and
in the dossier, the seller is found by its shop id, its shop link with tracking and its phone, and a fine
above the legal maximum never reaches the statistics."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import open_store
from services.settings import Settings
from tests.e2e.test_cli import run
from tests.e2e.test_import_cli import hub, materialize

pytestmark = pytest.mark.integration
__all__ = ["hub"]

HEADERS = [
    "STT",
    "Số hồ sơ",
    "Số QĐ xử phạt",
    "Ngày kiểm tra",
    "Tỉnh/TP",
    "Nội dung hành vi vi phạm",
    "Đường dẫn gian hàng vi phạm",
    "Nền tảng",
    "Tổ chức, cá nhân vi phạm",
    "SĐT",
    "Trị giá hàng hóa vi phạm (đồng)",
    "Số tiền phạt VPHC",
]
ROWS = [
    # no goods column at all: the field is optional
    ["1", "QLTT-DN-2023-0101", "101/QĐ-XPHC", "12/06/2023", "Đà Nẵng", "Kinh doanh hàng giả mạo nhãn hiệu",
     "shopee.vn/sonxinh.official?smtt=0.0.9", "Shopee", "Nguyễn Thị Hằng", "0987654321", "45 triệu",
     "30.000.000"],
    ["2", "QLTT-DN-2023-0102", "102/QĐ-XPHC", "15/06/2023", "Đà Nẵng", "Hàng hóa không rõ nguồn gốc xuất xứ",
     "", "Facebook", "Lê Văn Bình", "0912 345 678", "12.500.000 đ", "8 triệu"],
    # 900 million đồng for counterfeit goods sold by an individual: above the 200M maximum
    ["3", "QLTT-DN-2023-0103", "103/QĐ-XPHC", "20/06/2023", "Đà Nẵng", "Hàng giả", "", "Shopee",
     "Phạm Minh Cường", "0903 222 333", "20 triệu", "900.000.000"],
]  # fmt: skip


def test_a_units_report_is_found_by_its_own_numbers_with_its_goods_value(
    hub: tuple[Settings, dict[str, str]], tmp_path: Path
) -> None:
    settings, env = hub
    source = tmp_path / "bao_cao_da_nang.csv"
    with source.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["BÁO CÁO KẾT QUẢ KIỂM TRA TMĐT"], HEADERS, *ROWS])
    result = run(["publish", str(source), "--agency", "qltt"], env)
    assert result.returncode == 1, result.stderr
    assert "2 rows; 1 rows failed" in result.stdout
    assert "vượt mức tối đa 200.000.000 đ đối với cá nhân" in result.stderr
    events, dead = materialize(settings)
    assert events > 0 and dead == 0
    engine, _ = open_store(settings)
    try:
        principal = Principal("t-qltt-dn", "QLTT Đà Nẵng", "qltt", Role.ANALYST)
        save_principal(engine, principal)
        client = TestClient(create_app(engine))
        auth = {"Authorization": f"Bearer {issue_token(engine, principal.principal_id)}"}

        found = client.get("/api/cases", headers=auth, params={"q": "QLTT-DN-2023-0101"}).json()
        assert found["count"] == 1
        case = found["data"][0]
        assert (case["category"], case["goods_value_vnd"], case["total_fines_vnd"]) == (
            "counterfeit",
            45_000_000,
            30_000_000,
        )
        stats = client.get("/api/stats", headers=auth).json()["totals"]
        assert (stats["cases"], stats["goods_value_vnd"], stats["fines_vnd"]) == (2, 57_500_000, 38_000_000)

        assert case["title"].startswith("[QLTT-DN-2023-0101] ")
        for typed in ("sonxinh.official", "https://shopee.vn/sonxinh.official?smtt=1.2.3", "0987654321"):
            sellers = client.get("/api/subjects", headers=auth, params={"identifier": typed}).json()["data"]
            assert [s["display_name"] for s in sellers] == ["Nguyễn Thị Hằng"], typed
        dossier = client.get(f"/api/subjects/{sellers[0]['subject_id']}", headers=auth).json()
        assert dossier["total_goods_value_vnd"] == 45_000_000
        with engine.connect() as connection:
            refused = connection.execute(
                text("SELECT count(*) FROM cases WHERE title LIKE '%0103%'")
            ).scalar_one()
        assert refused == 0
    finally:
        engine.dispose()
