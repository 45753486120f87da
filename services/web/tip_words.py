"""The tip pages' words (Vietnamese, English), merged into the UI's dictionary by services/web/i18n."""

from __future__ import annotations

TIP_WORDS: dict[str, tuple[str, str]] = {
    "tip_title": ("Gửi tin báo vi phạm", "Report a violation"),
    "tip_intro": (
        "Người dân và doanh nghiệp có thể báo cho Ban Chỉ đạo 389 quốc gia về hàng giả, hàng lậu, gian lận "
        "thương mại trên mạng mà không cần tài khoản. Tin báo được chuyển đến cơ quan có thẩm quyền xem xét.",
        "Citizens and businesses can tell National Steering Committee 389 about counterfeit, smuggled "
        "goods or trade fraud online, without an account. Each tip is passed to the competent agency.",
    ),
    "tip_category": ("Loại vi phạm nghi ngờ", "Suspected violation"),
    "tip_platform": ("Nền tảng", "Platform"),
    "tip_shop_url": ("Đường dẫn gian hàng / bài đăng", "Link of the shop or listing"),
    "tip_province": ("Tỉnh / thành phố", "Province"),
    "tip_description": ("Nội dung tin báo", "What you saw"),
    "tip_contact": ("Số điện thoại hoặc e-mail liên hệ (không bắt buộc)", "Phone or e-mail (optional)"),
    "tip_contact_note": (
        "Thông tin liên hệ không được lưu dưới dạng đọc được: hệ thống chỉ giữ một mã băm có khóa để nhận ra "
        "các tin báo của cùng một người.",
        "Your contact is never stored readably: only a keyed hash is kept, to tell tips of one person apart.",
    ),
    "tip_send": ("Gửi tin báo", "Send the tip"),
    "tip_thanks": ("Đã nhận tin báo — cảm ơn bạn", "Tip received — thank you"),
    "tip_reference": ("Mã tin báo của bạn:", "Your tip's reference:"),
    "tip_another": ("Gửi tin báo khác", "Send another tip"),
    "tips_triage": ("Tin báo cần xử lý", "Tips to triage"),
    "nav_tips": ("Tin báo", "Tips"),
    "tips_triage_note": (
        "Giao tin báo cho một cơ quan (cơ quan đó mở vụ việc trên chính mã tin báo) "
        "hoặc loại tin báo kèm lý do. Người báo tin chỉ được biết qua mã băm.",
        "Assign a tip to an agency (it opens a case on the tip's own id) or dismiss it with a reason. "
        "Reporters are known only by a keyed hash.",
    ),
    "tip_received": ("Tiếp nhận", "Received"),
    "tip_state": ("Trạng thái", "State"),
    "tip_state_new": ("Mới", "New"),
    "tip_state_assigned": ("Đã giao", "Assigned"),
    "tip_state_dismissed": ("Đã loại", "Dismissed"),
    "tip_all": ("Tất cả", "All"),
    "tip_has_contact": ("có liên hệ", "with contact"),
    "tip_assign": ("Giao xử lý", "Assign"),
    "tip_dismiss": ("Loại tin báo", "Dismiss"),
    "tip_reason": ("Lý do loại", "Reason"),
    "tip_goods": ("Hàng hóa (nếu biết)", "Goods (if known)"),
    "tip_decided": ("Đã gửi quyết định:", "Decision published:"),
    "tip_none": ("Không có tin báo nào.", "No tips."),
}
