"""A corpus of agency reports typed the way units type them, each row labelled with what should happen.

`python -m tests.import_corpus` rewrites tests/data/import_corpus/ (deterministic: seeded). Every row has an
`expected` cell: `ok|<category>|fine=<đồng or ->|value=<đồng or ->|ref=<unit's own number>` for a row that
must be published with those facts, `refused|<field>` for a row that must be refused with a problem on
that field. The mess is on purpose: header spellings from mappings/header_synonyms.csv and lengthened
ones, dates and amounts in every way reports write them, provinces by name, code or nickname, violations
in units' own words, URLs without scheme and with tracking parameters, bare shop ids, phones in all forms,
blank and total rows, and one injected defect on about a quarter of the rows. The labels come from what
the builder wrote, never from running the importer.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tests.import_corpus_layouts import DEFECTS, FORMATS, LAYOUTS

CORPUS = Path(__file__).parent / "data" / "import_corpus"
AGENCIES = ("qltt", "customs", "tax", "police", "ipvn")
MILLION = 1_000_000

PROVINCES = {  # names that survive the 2025-07-01 merger, written every way units write them
    "01": ["Hà Nội", "TP. Hà Nội", "Ha Noi", "01", "Thành phố Hà Nội", "HN"],
    "79": ["TP. Hồ Chí Minh", "TP.HCM", "HCM", "Sài Gòn", "79", "Ho Chi Minh"],
    "48": ["Đà Nẵng", "TP Đà Nẵng", "Da Nang", "48"],
    "20": ["Lạng Sơn", "tỉnh Lạng Sơn", "Lang Son", "20"],
    "22": ["Quảng Ninh", "Quang Ninh", "22"],
    "31": ["Hải Phòng", "TP. Hải Phòng", "31"],
}
WORDINGS = {
    "counterfeit": [
        "Hàng giả",
        "Kinh doanh hàng giả mạo nhãn hiệu",
        "Buôn bán hàng hóa giả",
        "hang gia",
        "Hàng nhái nhãn hiệu",
        "Kinh doanh hàng giả mạo nhãn hàng hóa",
        "KD hàng giả",
        "Bán hàng giả mạo thương hiệu",
        "Hàng giả về nhãn hàng hóa",
    ],
    "unknown_origin": [
        "Hàng hóa không rõ nguồn gốc xuất xứ",
        "Kinh doanh hàng không rõ nguồn gốc",
        "Không có hóa đơn chứng từ",
        "KD hàng hóa không rõ nguồn gốc, xuất xứ",
        "hang khong ro nguon goc",
        "Hàng không có nguồn gốc",
        "Kinh doanh hàng hóa không có hóa đơn, chứng từ",
    ],
    "smuggled": [
        "Hàng nhập lậu",
        "Kinh doanh hàng hóa nhập lậu",
        "nhap lau",
        "Buôn bán hàng nhập lậu",
        "KD hàng lậu",
        "Hàng nhập khẩu trái phép",
    ],
    "banned": [
        "Kinh doanh hàng cấm",
        "Hàng cấm (thuốc lá điện tử)",
        "Buôn bán hàng cấm",
        "Buôn bán thuốc lá điện tử",
    ],
    "expired_goods": ["Hàng hết hạn sử dụng", "Kinh doanh hàng hóa quá hạn sử dụng"],
    "ip_infringement": ["Xâm phạm quyền đối với nhãn hiệu", "Xâm phạm quyền SHCN", "xâm phạm SHTT"],
    "tax_evasion": ["Trốn thuế", "Không kê khai doanh thu", "Không kê khai nộp thuế"],
}
CEILING = {"counterfeit": 200, "banned": 200, "smuggled": 100, "unknown_origin": 100, "expired_goods": 100}
GOODS = [
    ("Son môi giả nhãn hiệu 3CE", "thỏi", 85_000),
    ("Giày thể thao", "đôi", 450_000),
    ("Thực phẩm chức năng", "hộp", 320_000),
    ("Thuốc lá điện tử", "chiếc", 350_000),
    ("Mỹ phẩm xách tay", "hộp", 200_000),
    ("Đồng hồ đeo tay", "chiếc", 1_200_000),
    ("Túi xách", "chiếc", 650_000),
    ("Tai nghe không dây", "chiếc", 900_000),
    ("Sữa bột", "hộp", 480_000),
]
PEOPLE = ["Nguyễn Thị Hằng", "Lê Văn Bình", "Phạm Minh Cường", "Trần Thị Hoa", "Đỗ Văn Em", "Vũ Thị Giang"]
COMPANIES = [
    "Công ty TNHH Giày Việt",
    "CTY CP Thương mại Hưng Thịnh",
    "HTX Nông sản sạch",
    "Công ty TNHH MTV An Phát",
]
LINKS = [
    ("shopee", "shopee.vn/sonxinh.official?smtt=0.0.9"),
    ("shopee", "https://shopee.vn/Son-moi-i.123456789.2233445566"),
    ("lazada", "https://www.lazada.vn/shop/giay-gia-re"),
    ("facebook", "facebook.com/tpcn.hanoi"),
    ("tiktok", "https://www.tiktok.com/@vape.hn/video/7301234567890"),
    ("website", "vapehn.store/san-pham/1"),
    ("shopee", "m.shopee.vn/product/987654/112233"),
]
PLATFORM_WORDS = {
    "shopee": ["Shopee", "sàn Shopee", "Shopee Mall"],
    "lazada": ["Lazada", "LazMall"],
    "facebook": ["Facebook", "FB", "Fanpage"],
    "tiktok": ["TikTok Shop", "Tik Tok"],
    "website": ["website riêng", "Website"],
}
PHONES = ["0912 345 678", "0912.345.678", "+84 912 345 678", "0987654321", "(024) 3825 1234", "84903222333"]


@dataclass
class Row:
    """One case row: field → cell as written, the facts it was written from, and the defect put in it."""

    cells: dict[str, Any]
    category: str
    fine: int
    value: int
    defect: str | None = None
    """The field a defect was put in ("key" when every key field was blanked), None for a good row."""
    expected: str = ""


@dataclass
class Report:
    """One file of one agency: its layout (field → header as written) and its rows."""

    agency: str
    name: str
    headers: dict[str, str]
    rows: list[Row] = field(default_factory=list)


def _date(rng: random.Random, day: date, excel: bool) -> Any:
    styles: list[Callable[[date], Any]] = [
        lambda d: f"{d:%d/%m/%Y}",
        lambda d: f"{d.day}/{d.month}/{d.year}",
        lambda d: f"{d:%d-%m-%Y}",
        lambda d: f"{d:%d.%m.%Y}",
        lambda d: d.isoformat(),
        lambda d: f"ngày {d.day} tháng {d.month} năm {d.year}",
        lambda d: f"{d.day}/{d.month}/{d:%y}",
    ]
    if excel:
        styles.append(lambda d: datetime(d.year, d.month, d.day))
    return rng.choice(styles)(day)


def _money(rng: random.Random, amount: int, typed: bool) -> Any:
    millions = amount / MILLION
    styles: list[Callable[[], Any]] = [
        lambda: f"{amount:,}".replace(",", "."),
        lambda: f"{amount:,} đ".replace(",", "."),
        lambda: f"{amount:,} VND",
        lambda: f"{amount:,}₫".replace(",", "."),
    ]
    if millions == int(millions):
        styles += [
            lambda: f"{int(millions)} triệu",
            lambda: f"{int(millions)}tr",
            lambda: f"{int(millions)} trđ",
        ]
    if typed:
        styles.append(lambda: amount)
    return rng.choice(styles)()


class Builder:
    """Rows of one agency with its natural facts; a defect on some rows makes them refusals."""

    def __init__(self, agency: str, rng: random.Random) -> None:
        self.agency = agency
        self.rng = rng
        self.count = 0

    def row(self, typed: bool, excel: bool, defect: str | None) -> Row:
        rng = self.rng
        self.count += 1
        n = self.count
        opened = date(2025, 1, 6) + timedelta(days=rng.randrange(0, 330))
        decided = opened + timedelta(days=rng.randrange(1, 20))
        code = rng.choice(list(PROVINCES))
        category = self._category()
        organisation = rng.random() < 0.25
        seller = rng.choice(COMPANIES if organisation else PEOPLE)
        goods, unit, price = rng.choice(GOODS)
        quantity = rng.randrange(5, 400)
        value = quantity * price // 1000 * 1000
        ceiling = CEILING.get(category, 100) * MILLION * (2 if organisation else 1)
        fine = min(ceiling, rng.choice([1, 2, 5, 8, 10, 15, 20, 25, 30, 40, 60]) * MILLION)
        platform, link = rng.choice(LINKS)
        ref = f"{self.agency.upper()}-{rng.choice(['HN', 'HCM', 'DN', 'LS'])}-2025-{n:04d}"
        cells: dict[str, Any] = {
            "case_ref": ref,
            "decision_number": f"{n}/QĐ-XPVPHC",
            "record_number": f"{n}/BB-VPHC",
            "opened_on": _date(rng, opened, excel),
            "decided_on": _date(rng, decided, excel),
            "province": rng.choice(PROVINCES[code]),
            "category": rng.choice(WORDINGS[category]),
            "goods": goods if rng.random() < 0.85 else "",
            "platform": rng.choice(PLATFORM_WORDS[platform]) if rng.random() < 0.8 else "",
            "listing_url": link,
            "shop_url": "sonxinh.official" if platform == "shopee" and rng.random() < 0.3 else "",
            "seller_name": seller,
            "phone": rng.choice(PHONES) if rng.random() < 0.7 else "",
            "tax_code": rng.choice(["0101234567", "101234567", "0316000123-001"]) if organisation else "",
            "goods_value": _money(rng, value, typed),
            "seized_quantity": quantity if rng.random() < 0.6 else "",
            "seized_unit": unit,
            "fine": _money(rng, fine, typed),
            "referred": rng.choice(["không", "", "Không", "0"]),
            "note": rng.choice(["", "Bán qua livestream", "Tái phạm", "Phát hiện qua tin báo 389"]),
        }
        if self.agency == "tax":
            cells["tax_code"] = rng.choice(["0101234567", "316000123", "0312345678"])
        if cells["shop_url"] and not cells["platform"]:
            cells["platform"] = "Shopee"
        spoiled = self._defect(cells, defect) if defect is not None else None
        return Row(cells, category, fine, value, spoiled)

    def _category(self) -> str:
        by_agency = {
            "qltt": ["counterfeit", "unknown_origin", "smuggled", "banned", "expired_goods"],
            "customs": ["smuggled"],
            "tax": ["tax_evasion"],
            "police": ["counterfeit", "banned", "smuggled"],
            "ipvn": ["ip_infringement"],
        }
        return self.rng.choice(by_agency[self.agency])

    def _defect(self, cells: dict[str, Any], defect: str) -> str:
        rng = self.rng
        if defect == "month_first":
            cells["opened_on"] = rng.choice(["03/15/2025", "12/25/2025", "04/31/2025"])
            return "opened_on"
        if defect == "province":
            cells["province"] = rng.choice(["Gotham", "Tỉnh Mặt Trăng", "99"])
            return "province"
        if defect == "no_province":
            cells["province"] = ""
            return "province"
        if defect == "category":
            cells["category"] = rng.choice(
                ["Hàng giả, hàng nhập lậu", "vi phạm khác", "Hàng cấm và hàng giả"]
            )
            return "category"
        if defect == "phone":
            cells["phone"] = rng.choice(["12345", "0612 345 678", "số máy bàn"])
            return "phone"
        if defect == "money":
            cells["fine"] = rng.choice(["khoảng 2 triệu", "mười triệu", "-5.000.000"])
            return "fine"
        if defect == "above_maximum":
            cells["fine"] = rng.choice(["900 triệu", "1,5 tỷ", "2 tỷ"])
            return "fine"
        if defect == "decision_without_fine":
            cells["fine"] = ""
            return "fine"
        if defect == "tax_code":
            cells["tax_code"] = rng.choice(["01234", "MST-ABC", "12345678901234"])
            return "tax_code"
        if defect == "no_key":
            cells["case_ref"] = cells["decision_number"] = cells["record_number"] = ""
            return "key"
        raise ValueError(defect)


def build(rows_per_file: int = 22, seed: int = 18) -> list[Report]:
    """The corpus: two files per agency, each with its own layout and a quarter of its rows defective."""
    rng = random.Random(seed)
    reports = []
    for agency in AGENCIES:
        builder = Builder(agency, rng)
        for index, layout in enumerate(LAYOUTS[agency]):
            kind = FORMATS.get(agency, ("csv", "xlsx"))[index]
            report = Report(agency, f"{agency}_{index + 1}.{kind}", layout)
            for _ in range(rows_per_file):
                defect = rng.choice(DEFECTS[agency]) if rng.random() < 0.25 else None
                row = builder.row(typed=kind != "csv", excel=kind == "xlsx", defect=defect)
                report.rows.append(_fit(row, layout, agency))
            reports.append(report)
    return reports


DEFAULT_CATEGORY = {"customs": "smuggled", "tax": "tax_evasion", "ipvn": "ip_infringement"}


def _fit(row: Row, layout: dict[str, str], agency: str) -> Row:
    """The row as this layout holds it (facts without a column are dropped) and its label, from what the
    builder wrote: a defect in a column the layout lacks spoils nothing, so that row is a good one."""
    cells = {name: row.cells[name] for name in layout}
    present = {name for name, value in cells.items() if value not in ("", None)}
    defect = row.defect
    if defect == "key":
        defect = "key" if not present & {"case_ref", "record_number", "decision_number"} else None
    elif defect == "fine" and row.cells["fine"] == "":
        defect = "fine" if "decision_number" in present else None
    elif defect is not None and defect not in layout:
        defect = None
    if defect is not None:
        return Row(cells, row.category, row.fine, row.value, defect, f"refused|{defect}")
    category = row.category if "category" in present else DEFAULT_CATEGORY.get(agency, row.category)
    fine = row.fine if "fine" in present else "-"
    value = row.value if "goods_value" in present else "-"
    ref = next(str(cells[n]) for n in ("case_ref", "record_number", "decision_number") if n in present)
    return Row(
        cells, row.category, row.fine, row.value, None, f"ok|{category}|fine={fine}|value={value}|ref={ref}"
    )


def write(reports: list[Report], folder: Path = CORPUS) -> None:
    """Each report in its format, with title lines, a blank and a total row where spreadsheets have them."""
    folder.mkdir(parents=True, exist_ok=True)
    for report in reports:
        headers = ["STT", *report.headers.values(), "expected"]
        lines: list[list[Any]] = []
        for position, row in enumerate(report.rows, start=1):
            lines.append([position, *(row.cells[name] for name in report.headers), row.expected])
        path = folder / report.name
        if path.suffix == ".jsonl":
            with path.open("w", encoding="utf-8") as handle:
                for line in lines:
                    handle.write(json.dumps(dict(zip(headers, line, strict=True)), ensure_ascii=False) + "\n")
            continue
        title = [
            [f"BÁO CÁO KẾT QUẢ KIỂM TRA, XỬ LÝ VI PHẠM ({report.agency.upper()})"],
            ["Kỳ báo cáo: năm 2025"],
            [],
        ]
        middle = len(lines) // 2
        body = [*lines[:middle], [], *lines[middle:], ["Tổng cộng", *([""] * (len(headers) - 1))]]
        if path.suffix == ".csv":
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle).writerows([*title, headers, *body])
        else:
            book = Workbook()
            sheet = book.active
            assert sheet is not None
            for line in [*title, headers, *body]:
                sheet.append(line)
            book.save(path)


if __name__ == "__main__":
    write(build())
