"""The web UI's words in Vietnamese (the default) and English; ?lang=en or the `lang` cookie switches."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from services.web.network_words import NETWORK_WORDS
from services.web.tip_words import TIP_WORDS
from services.web.upload_words import UPLOAD_WORDS

LANG_COOKIE = "lang"

WORDS: dict[str, tuple[str, str]] = {
    "app_tagline": ("Cơ sở dữ liệu vi phạm dùng chung", "Shared violation database"),
    "nav_dashboard": ("Tổng quan", "Dashboard"),
    "nav_cases": ("Vụ việc", "Cases"),
    "nav_subjects": ("Đối tượng", "Sellers"),
    "nav_reports": ("Báo cáo BCĐ 389", "BCĐ 389 report"),
    "nav_audit": ("Nhật ký truy cập", "Audit log"),
    "nav_ops": ("Độ trễ của consumer", "Consumer lag"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "signed_in_as": ("Đang dùng", "Signed in as"),
    "scope": ("Phạm vi", "Scope"),
    "national": ("toàn quốc", "whole country"),
    "token": ("Mã truy cập (API token)", "Access token (API token)"),
    "token_help": (
        "Dán mã truy cập do quản trị viên cấp (lệnh casehub tokens create).",
        "Paste the token your administrator issued (casehub tokens create).",
    ),
    "bad_token": (
        "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
        "Invalid, expired or revoked token.",
    ),
    "demo_title": ("DEMO — chọn nhanh một người dùng mẫu", "DEMO — pick a sample user"),
    "demo_note": (
        "Chỉ có trong chế độ demo (casehub up). "
        "Mỗi người dùng thấy dữ liệu theo cơ quan, vai trò và phạm vi tỉnh.",
        "Demo mode only (casehub up). Each user sees data by agency, role and province scope.",
    ),
    "refused_values": (
        "Địa chỉ hoặc biểu mẫu có giá trị không hợp lệ; hãy quay lại và thử lại.",
        "The address or the form holds a value that is not valid; go back and try again.",
    ),
    "refused_fields": ("Tham số không hợp lệ", "Parameters not valid"),
    "forbidden": ("Vai trò của bạn không được xem trang này.", "Your role may not view this page."),
    "dashboard": ("Tổng quan", "Dashboard"),
    "kpi_cases": ("Vụ việc", "Cases"),
    "kpi_open": ("Đang xử lý", "In progress"),
    "kpi_penalized": ("Đã xử phạt", "Penalized"),
    "kpi_referred": ("Chuyển cơ quan điều tra", "Referred for investigation"),
    "kpi_fines": ("Tổng tiền phạt", "Total fines"),
    "kpi_goods": ("Trị giá hàng vi phạm", "Value of goods"),
    "chart_cases_month": ("Số vụ theo tháng", "Cases by month"),
    "chart_fines_month": ("Tiền phạt theo tháng (triệu đồng)", "Fines by month (million VND)"),
    "chart_bucket": ("Theo nhóm BCĐ 389", "By BCĐ 389 bucket"),
    "chart_category": ("Theo loại vi phạm", "By violation category"),
    "chart_province": ("Theo tỉnh, thành phố (hiện nay)", "By province (current units)"),
    "chart_agency": ("Theo lực lượng chủ trì", "By lead force"),
    "chart_platform": ("Theo nền tảng", "By platform"),
    "recent_cases": ("Vụ việc mới cập nhật", "Recently updated cases"),
    "see_all": ("Xem tất cả", "See all"),
    "visibility_note": (
        "Số liệu chỉ tính từ các sự kiện bạn được phép xem.",
        "Figures count only the events you may see.",
    ),
    "search": ("Tìm kiếm", "Search"),
    "search_placeholder": (
        "Từ khóa, có dấu hoặc không dấu (vd: my pham gia)",
        "Words, with or without diacritics",
    ),
    "any": ("Tất cả", "Any"),
    "agency": ("Cơ quan", "Agency"),
    "province": ("Tỉnh, thành phố", "Province"),
    "category": ("Loại vi phạm", "Category"),
    "bucket": ("Nhóm BCĐ 389", "BCĐ 389 bucket"),
    "status": ("Trạng thái", "Status"),
    "platform": ("Nền tảng", "Platform"),
    "channel": ("Kênh bán", "Sales channel"),
    "date_from": ("Từ ngày", "From"),
    "date_to": ("Đến ngày", "To"),
    "sort": ("Sắp xếp", "Sort"),
    "sort_recent": ("Cập nhật gần nhất", "Most recently updated"),
    "sort_opened": ("Mới mở nhất", "Newest first"),
    "sort_fines": ("Tiền phạt cao nhất", "Highest fines"),
    "sort_goods": ("Trị giá hàng cao nhất", "Highest goods value"),
    "results": ("kết quả", "results"),
    "showing": ("Hiển thị", "Showing"),
    "of": ("trên", "of"),
    "previous": ("Trang trước", "Previous"),
    "next": ("Trang sau", "Next"),
    "export_csv": ("Xuất CSV", "Export CSV"),
    "export_too_many": (
        "Xuất được tối đa {limit} vụ việc: hãy thu hẹp bộ lọc",
        "An export holds at most {limit} cases: narrow the filter",
    ),
    "export_xlsx": ("Xuất Excel", "Export Excel"),
    "no_results": ("Không có vụ việc nào khớp.", "No case matches."),
    "case_id": ("Mã vụ việc", "Case id"),
    "title": ("Tiêu đề", "Title"),
    "agencies": ("Các cơ quan", "Agencies"),
    "lead_agency": ("Cơ quan chủ trì", "Lead agency"),
    "fines": ("Tiền phạt", "Fines"),
    "goods_value": ("Trị giá hàng", "Goods value"),
    "goods": ("Hàng hóa", "Goods"),
    "opened": ("Bắt đầu", "Started"),
    "updated": ("Cập nhật", "Updated"),
    "events": ("Sự kiện", "Events"),
    "timeline": ("Diễn biến liên ngành", "Cross-agency timeline"),
    "published_by": ("Cơ quan đăng", "Published by"),
    "recorded": ("ghi nhận", "recorded"),
    "embargo_until": ("Cấm tiết lộ đến", "Embargoed until"),
    "withheld": ("Trường chỉ cơ quan sở hữu được xem", "Fields only the owner may read"),
    "details": ("Chi tiết", "Details"),
    "province_written": ("Mã tỉnh khi ghi nhận", "Province code as written"),
    "province_now": ("Thuộc tỉnh/thành hiện nay", "Belongs today to"),
    "outcome": ("Kết quả", "Outcome"),
    "sellers": ("Đối tượng liên quan", "Sellers involved"),
    "no_case": (
        "Không tìm thấy vụ việc (hoặc bạn không được xem).",
        "Case not found (or not visible to you).",
    ),
    "subjects_title": ("Tra cứu đối tượng", "Find a seller"),
    "identifier": ("Định danh", "Identifier"),
    "identifier_help": (
        "Số điện thoại, mã số thuế, địa chỉ gian hàng, mã gian hàng hoặc email",
        "Phone, tax code, shop URL, shop id or e-mail",
    ),
    "name": ("Tên", "Name"),
    "find": ("Tìm", "Find"),
    "no_subjects": ("Không tìm thấy đối tượng nào bạn được xem.", "No seller visible to you matches."),
    "dossier": ("Hồ sơ đối tượng", "Seller dossier"),
    "kind": ("Loại", "Kind"),
    "names": ("Tên đã dùng", "Names used"),
    "identifiers": ("Định danh", "Identifiers"),
    "seen_by": ("Ghi nhận bởi", "Recorded by"),
    "first_seen": ("Lần đầu", "First seen"),
    "last_seen": ("Gần nhất", "Last seen"),
    "platforms": ("Nền tảng", "Platforms"),
    "cases": ("Vụ việc", "Cases"),
    "by_agency": ("Theo cơ quan", "By agency"),
    "by_platform": ("Theo nền tảng", "By platform"),
    "who_else": ("Cơ quan nào khác đang nắm đối tượng này?", "Who else knows this seller?"),
    "who_else_help": (
        "Kiểm tra trùng khớp (hit/no-hit): chỉ cho biết cơ quan nào có hồ sơ, không tiết lộ nội dung.",
        "Hit / no-hit: tells which agencies hold a record, never its content.",
    ),
    "check": ("Kiểm tra", "Check"),
    "hit": ("Có trùng khớp", "Hit"),
    "no_hit": ("Không có cơ quan nào nắm định danh này.", "No agency holds this identifier."),
    "visible_to_you": ("bạn được xem", "visible to you"),
    "contact_agency": (
        "không chia sẻ với bạn — liên hệ cơ quan này trước khi xử lý",
        "not shared with you — contact this agency before acting",
    ),
    "report_title": ("Báo cáo định kỳ BCĐ 389", "BCĐ 389 periodic report"),
    "period": ("Kỳ báo cáo", "Period"),
    "period_help": (
        "Năm (2025), quý (2025-Q4) hoặc tháng (2025-10)",
        "Year (2025), quarter (2025-Q4) or month (2025-10)",
    ),
    "show": ("Xem", "Show"),
    "download_xlsx": ("Tải bảng tính Excel", "Download Excel workbook"),
    "lead_force": ("Lực lượng chủ trì", "Lead force"),
    "subtotal": ("Cộng", "Subtotal"),
    "total": ("Tổng cộng", "Total"),
    "audit_title": ("Nhật ký truy cập", "Audit log"),
    "audit_chain_ok": ("Chuỗi băm nguyên vẹn", "Hash chain intact"),
    "audit_chain_broken": ("Chuỗi băm bị phá vỡ!", "Hash chain broken!"),
    "when": ("Thời điểm", "When"),
    "who": ("Người dùng", "Who"),
    "endpoint": ("Địa chỉ", "Endpoint"),
    "parameters": ("Tham số", "Parameters"),
    "rows": ("Số dòng", "Rows"),
    "bad_filter": ("Bộ lọc không hợp lệ", "Invalid filter"),
    "unknown": ("Chưa xác định", "Not established"),
    "role_analyst": ("chuyên viên phân tích", "analyst"),
    "role_agency_officer": ("cán bộ nghiệp vụ", "agency officer"),
    "role_ops": ("vận hành", "operations"),
    "role_admin": ("quản trị", "administrator"),
    "role_public": ("công chúng", "public"),
}
WORDS.update(NETWORK_WORDS)
WORDS.update(UPLOAD_WORDS)
WORDS.update(TIP_WORDS)


def language(request: Request) -> str:
    """?lang= wins, then the cookie, then Vietnamese."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "vi"
    return chosen if chosen in ("vi", "en") else "vi"


def translator(lang: str) -> Callable[[str], str]:
    index = 1 if lang == "en" else 0

    def t(key: str) -> str:
        words = WORDS.get(key)
        return words[index] if words else key

    return t
