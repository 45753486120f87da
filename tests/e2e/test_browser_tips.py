"""Public tips in a real headless Chromium (Debian's package, driven by Playwright): a citizen sends a tip
without an account (a first send too soon after the form was served is refused and the form comes back),
it travels through the real broker and the materializer into the store; a BCĐ 389 analyst signs in,
assigns it to QLTT on the triage page, and QLTT's CaseOpened reaches the store the same way. Another
agency's analyst is refused the triage page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from consumers.clock import utcnow
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import create_topics, open_store
from services.settings import Settings
from services.store.sql_store import EVENTS, SqlCaseStore
from tests.databases import upgraded
from tests.e2e.served_hub import served, shot, signed_in
from tests.integration.helpers import isolated_settings, materialize_until_idle

pytestmark = pytest.mark.integration
CONTACT = "ban.doc@example.vn"


@dataclass
class Hub:
    url: str
    settings: Settings
    engine: Engine
    store: SqlCaseStore
    tokens: dict[str, str]
    later: list[timedelta]
    """How far the hub's clock runs ahead of real time (the test moves it instead of sleeping)."""


@pytest.fixture(scope="module")
def hub(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    home: Path = tmp_path_factory.mktemp("tips")
    settings = isolated_settings(kafka_bootstrap, f"sqlite:///{home / 'casehub.db'}").model_copy(
        update={"home": home, "tip_form_min_s": 240.0}
    )
    create_topics(settings)
    upgraded(settings.store_url)  # as `casehub db upgrade` does before the hub opens it
    engine, store = open_store(settings)
    tokens = {}
    for who, agency in (("bcd389", "bcd389"), ("qltt", "qltt")):
        principal = Principal(f"b-{who}", f"Chuyên viên {who}", agency, Role.ANALYST)
        save_principal(engine, principal)
        tokens[who] = issue_token(engine, principal.principal_id)
    later = [timedelta(0)]
    app = create_app(engine, settings, clock=lambda: utcnow() + later[0])
    try:
        with served(app) as url:
            yield Hub(url, settings, engine, store, tokens, later)
    finally:
        app.state.tip_desk.close()
        engine.dispose()


def _signed_in(browser: Any, hub: Hub, who: str) -> Any:
    return signed_in(browser, hub.url, hub.tokens[who])


def _fill(page: Any) -> None:
    page.select_option('select[name="category"]', "counterfeit")
    page.select_option('select[name="platform"]', "shopee")
    page.fill('input[name="shop_url"]', "shopee.vn/myphamxachtay_gia_re")
    page.select_option('select[name="province_code"]', "01")
    page.fill(
        'textarea[name="description"]',
        "Gian hàng bán mỹ phẩm 'xách tay' giả nhãn hiệu Dior, quảng cáo hàng chính hãng, giá rẻ bất thường.",
    )
    page.fill('input[name="contact"]', CONTACT)


def test_a_tip_sent_in_the_browser_is_assigned_by_bcd389_and_reaches_the_store(
    hub: Hub, browser: Any
) -> None:
    public = browser.new_context(viewport={"width": 1200, "height": 1100}).new_page()
    public.goto(f"{hub.url}/tin-bao")
    assert public.locator("h1").inner_text() == "Gửi tin báo vi phạm"
    _fill(public)
    public.click("#tip-send")  # sooner than tip_form_min_s after the form was served: a bot
    assert "quá nhanh" in public.locator("#tip-error").inner_text()
    assert public.locator('textarea[name="description"]').input_value().startswith("Gian hàng")
    assert public.locator('input[name="contact"]').input_value() == ""  # never sent back
    public.fill('input[name="contact"]', CONTACT)
    hub.later[0] = timedelta(seconds=241)  # as if the person took four minutes (within the 5-minute skew)
    public.click("#tip-send")
    public.wait_for_selector("#tip-reference")
    reference = public.locator("#tip-reference").inner_text()
    shot(public, "tips-01-sent")
    assert reference.startswith("TIP-")

    stats = materialize_until_idle(hub.settings, hub.store)
    assert (stats.events, stats.dead_letters) == (1, 0)

    other = _signed_in(browser, hub, "qltt")
    other.goto(f"{hub.url}/tips")
    assert other.locator("table#tips").count() == 0 and "Tin báo" not in other.locator("nav").inner_text()

    page = _signed_in(browser, hub, "bcd389")
    page.click("nav >> text=Tin báo")
    row = page.locator(f'tr.tip-row[data-case="{reference}"]')
    assert "myphamxachtay_gia_re" in row.inner_text() and row.locator(".tip-state").inner_text() == "Mới"
    tip_event_id = row.get_attribute("data-tip")
    shot(page, "tips-02-triage")
    form = row.locator(f"#assign-{tip_event_id}")
    form.locator('select[name="agency"]').select_option("qltt")
    form.locator('input[name="goods"]').fill("mỹ phẩm Dior")
    form.locator('button[type="submit"]').click()
    page.wait_for_selector("#tip-done")
    opened_id = page.locator("#tip-done code").inner_text()
    row = page.locator(f'tr.tip-row[data-case="{reference}"]')
    assert row.locator(".tip-state").inner_text() == "Đã giao" and row.locator(".assigned-to").count() == 1
    shot(page, "tips-03-assigned")

    stats = materialize_until_idle(hub.settings, hub.store)
    assert (stats.events, stats.dead_letters) == (1, 0)
    with hub.engine.connect() as connection:
        stored = connection.execute(select(EVENTS).where(EVENTS.c.event_id == opened_id)).one()
        tip = connection.execute(select(EVENTS).where(EVENTS.c.event_id == tip_event_id)).one()
    assert (stored.event_type, stored.agency, stored.case_id) == ("CaseOpened", "qltt", reference)
    assert (stored.payload["province_code"], stored.payload["goods"]) == ("01", "mỹ phẩm Dior")
    assert tip.payload["reporter_ref"].startswith("tip1:") and CONTACT not in str(tip.payload)
