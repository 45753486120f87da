"""Early warning in a real headless Chromium (Debian's package, driven by Playwright): the alerts inbox,
a seller's network, a subscription that produces an e-mail (a real SMTP server, aiosmtpd), and a referral
answered in the UI that travels through the real broker and the materializer into the store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from deploy.kafka_broker import free_port
from services.api.app import create_app
from services.bootstrap import create_topics
from services.early_warning import build_alert_outbox
from services.notify.notifier import Notifier
from services.settings import Settings
from services.store.sql_store import EVENTS, SqlCaseStore
from tests.e2e.served_hub import served, shot, signed_in
from tests.integration.analyst.test_notifications import Mailbox
from tests.integration.helpers import isolated_settings, materialize_until_idle
from tests.network_world import NOW, NetworkWorld, build_network_world

pytestmark = pytest.mark.integration


@dataclass
class Hub:
    url: str
    world: NetworkWorld
    settings: Settings
    mailbox: Mailbox


@pytest.fixture(scope="module")
def hub(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    url = f"sqlite:///{tmp_path_factory.mktemp('warning') / 'casehub.db'}"
    mailbox, smtp_port = Mailbox(), free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    for world in build_network_world(url):
        build_alert_outbox(Settings(), world.engine, publish=False).sweep(NOW)
        settings = isolated_settings(kafka_bootstrap, url).model_copy(
            update={
                "entity_link_cap": 2,
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "notify_backfill_days": 120,
            }
        )
        create_topics(settings)
        app = create_app(world.engine, settings, clock=lambda: NOW)
        try:
            with served(app) as hub_url:
                yield Hub(hub_url, world, settings, mailbox)
        finally:
            if getattr(app.state, "referral_publisher", None) is not None:
                app.state.referral_publisher.close()
            smtp.stop()


def _signed_in(browser: Any, hub: Hub, who: str) -> Any:
    return signed_in(browser, hub.url, hub.world.tokens[who], lang="en")


def test_the_alerts_inbox_and_the_sellers_network(hub: Hub, browser: Any) -> None:
    page = _signed_in(browser, hub, "qltt")
    page.goto(f"{hub.url}/alerts?rule=OVERLAP")
    row = page.locator("tr.alert-row").first
    alert_id = row.get_attribute("data-alert")
    assert row.get_attribute("data-state") == "new" and int(page.locator("#count-new").inner_text()) >= 1
    shot(page, "ew-01-inbox")
    row.locator('form[action$="/acknowledge"] button').click()
    page.wait_for_selector(f'tr[data-alert="{alert_id}"][data-state="acknowledged"]')
    assert int(page.locator("#count-acknowledged").inner_text()) == 1

    page.locator(f'tr[data-alert="{alert_id}"] a.seller-link').click()
    page.wait_for_selector("#network-graph svg")
    assert page.locator("#network-graph circle.subject").count() == 2
    assert page.locator("#network-graph line.link").count() == 1
    assert page.locator("#network-keys td.key-status", has_text="stop-listed").count() >= 1
    assert "P1" not in page.content()
    shot(page, "ew-02-network")
    page.locator('#network-graph a[href="/subjects/T1"]').click()
    page.wait_for_selector("#identifiers")
    assert "/subjects/T1" in page.url


def test_a_subscription_made_in_the_browser_produces_an_email(hub: Hub, browser: Any) -> None:
    page = _signed_in(browser, hub, "qltt2")
    page.goto(f"{hub.url}/notifications")
    page.select_option('#subscribe select[name="kind"]', "seller")
    page.fill('#subscribe input[name="value"]', "T1")
    page.fill('#subscribe input[name="email"]', "dongnghiep@qltt.gov.vn")
    page.click("#subscribe button[type=submit]")
    page.wait_for_selector("tr.subscription")
    before = len(hub.mailbox.received)
    report = Notifier(hub.world.engine, hub.settings).sweep(NOW)
    assert report.emailed >= 1 and report.failed == 0
    page.reload()
    assert int(page.locator("#unread-count").inner_text()) == report.notified
    assert page.locator("tr.notification.unread").count() == report.notified
    shot(page, "ew-03-notifications")
    sent = hub.mailbox.received[before:]
    assert len(sent) == report.emailed and all(m.rcpt_tos == ["dongnghiep@qltt.gov.vn"] for m in sent)


def test_a_referral_answered_in_the_browser_lands_in_the_store(hub: Hub, browser: Any) -> None:
    page = _signed_in(browser, hub, "police")
    page.goto(f"{hub.url}/referrals?lang=en")
    row = page.locator("tr.referral-row").first
    referral_id = row.get_attribute("data-referral")
    assert row.locator(".overdue").count() == 1
    shot(page, "ew-04-referral")
    row.locator(f"#accept-{referral_id} button").click()
    page.wait_for_selector("#referral-done")
    event_id = page.locator("#referral-done code").inner_text()
    engine = hub.world.engine
    stats = materialize_until_idle(hub.settings, SqlCaseStore(engine))
    assert stats.events == 1 and stats.dead_letters == 0
    with engine.connect() as connection:
        stored = connection.execute(select(EVENTS).where(EVENTS.c.event_id == event_id)).one()
    assert (stored.event_type, stored.agency, stored.case_id) == (
        "ReactionRecorded",
        "police",
        "VN-2025-QLTT-00101",
    )
    assert stored.payload["refers_to_event_id"] == referral_id
    page.reload()
    assert page.locator(f'tr[data-referral="{referral_id}"] .answer', has_text="ACKNOWLEDGED").count() == 1
    assert page.locator(f'tr[data-referral="{referral_id}"] .overdue').count() == 0
