"""A person's path through the web UI in a real headless Chromium (Debian's package, driven by Playwright):
sign in as a demo user → dashboard → search without diacritics → case timeline → seller dossier → hit/no-hit.
Screenshots land in test-artifacts/ for a human to look at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consumers.projections import apply_events, stored_event
from producers.demo_data import demo_events
from services.access.demo import seed_demo_principals
from services.api.app import create_app
from services.store.engine import make_engine, migrate
from services.store.sql_store import SqlCaseStore
from tests.e2e.served_hub import served, shot

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API and web UI over the demo data (no Kafka needed: events go through the same projections)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'casehub.db'}")
    migrate(engine)
    with SqlCaseStore(engine).transaction() as tx:
        apply_events(tx, [stored_event(e, "demo", 0, i) for i, e in enumerate(demo_events(40))])
    seed_demo_principals(engine)
    try:
        with served(create_app(engine, demo_logins=True)) as url:
            yield url
    finally:
        engine.dispose()


def test_search_case_and_seller_in_a_real_browser(hub_url: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{hub_url}/")
    assert "/login" in page.url
    shot(page, "01-login")
    page.click('button[data-principal="demo-qltt-analyst"]')
    page.wait_for_selector("#kpi-cases")
    assert page.locator("h1").inner_text() == "Tổng quan"
    assert int(page.locator("#kpi-cases").inner_text().replace(".", "")) > 0
    assert page.locator("svg.chart").count() >= 6
    shot(page, "02-dashboard")

    page.click("nav >> text=Vụ việc")
    page.fill('#case-search input[name="q"]', "my pham gia")
    page.click('#case-search button[type="submit"]')
    page.wait_for_selector("#result-count")
    assert "kết quả" in page.locator("#result-count").inner_text()
    titles = page.locator("table.cases tbody tr td:nth-child(2)").all_inner_texts()
    assert titles and all("mỹ phẩm giả" in title for title in titles)
    shot(page, "03-search")

    page.locator("a.case-link").first.click()
    page.wait_for_selector("ol.timeline")
    assert page.locator("ol.timeline li").count() >= 3
    assert page.locator("h2", has_text="Diễn biến liên ngành").count() == 1
    shot(page, "04-case")

    page.locator("a.subject-link").first.click()
    page.wait_for_selector("#identifiers")
    assert page.locator("h1").inner_text().startswith("Hồ sơ đối tượng")
    assert int(page.locator("#dossier-cases").inner_text()) >= 1
    shot(page, "05-seller")

    page.locator("#identifiers a", has_text="Kiểm tra").first.click()
    page.wait_for_selector("#hit-result")
    assert page.locator("#hit-result").inner_text() == "Có trùng khớp"
    shot(page, "06-hit")

    page.click("#lang-switch")
    page.wait_for_selector("#hit-result")
    assert page.locator("h1").inner_text() == "Who else knows this seller?"
    page.goto(f"{hub_url}/reports?period=2026")
    page.wait_for_selector("#report-table")
    shot(page, "07-report-en")
    page.close()
