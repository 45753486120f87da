"""Subscriptions → notifications on SQLite and PostgreSQL, e-mailed through a REAL local SMTP server
(aiosmtpd, started here): matches only from what the subscriber may see, one notification per fact,
each e-mail sent once, failures recorded and given up after N attempts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient
from sqlalchemy import select

from consumers.alerts.building import new_alert
from deploy.broker import free_port
from schemas.alerts import AlertRule
from services.api.app import create_app
from services.early_warning import build_alert_outbox
from services.notify.notifier import NOTIFICATIONS, Notifier
from services.notify.subscriptions import list_subscriptions
from services.settings import Settings
from services.store.alert_store import add_alerts, alert_row
from tests.databases import module_database
from tests.network_world import NOW, NetworkWorld, build_network_world
from tests.web_sign_in import form_token_on, signed_in_client

pytestmark = pytest.mark.integration
QLTT_MAIL = "canbo@qltt.gov.vn"
POLICE_MAIL = "canbo@police.gov.vn"


class Mailbox:
    """An aiosmtpd handler keeping what the server received."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 Message accepted"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    server = Controller(mailbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield mailbox, port
    finally:
        server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkWorld]:
    with module_database(request, tmp_path_factory, "m") as url:
        for world in build_network_world(url):
            build_alert_outbox(Settings(), world.engine, publish=False).sweep(NOW)
            yield world


def api(world: NetworkWorld, who: str, method: str, path: str, **kwargs: Any) -> Any:
    client = TestClient(create_app(world.engine, clock=lambda: NOW))
    return client.request(method, path, headers={"Authorization": f"Bearer {world.tokens[who]}"}, **kwargs)


def settings(port: int, **more: Any) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_sender="casehub@hub.test",
        notify_backfill_days=120,
        **more,
    )


def test_subscriptions_turn_matching_facts_into_one_notification_and_one_email_each(
    world: NetworkWorld, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    before = len(mailbox.received)
    for body in (
        {"kind": "seller", "value": "Q1", "email": QLTT_MAIL},
        {"kind": "province", "value": "01"},
        {"kind": "identifier", "value": "0912.345.678", "email": QLTT_MAIL},
    ):
        made = api(world, "qltt", "POST", "/api/subscriptions", json=body)
        assert made.status_code == 200, made.text
    assert (
        api(world, "qltt", "POST", "/api/subscriptions", json={"kind": "province", "value": "01"}).status_code
        == 200
    )
    assert len(api(world, "qltt", "GET", "/api/subscriptions").json()) == 3  # the same interest twice is one

    first = Notifier(world.engine, settings(port)).sweep(NOW)
    assert first.notified > 0 and first.failed == 0
    mine = api(world, "qltt", "GET", "/api/notifications").json()
    facts = {(n["fact_kind"], n["fact_id"]) for n in mine["data"]}
    assert ("case", "VN-2025-QLTT-00101") in facts and ("case", "VN-2025-TAX-00102") in facts
    assert any(kind == "alert" for kind, _ in facts)
    assert not any("POLICE" in fact_id for _, fact_id in facts), facts  # police-only: not theirs to see
    assert mine["unread"] == len(mine["data"]) == first.notified
    emailed = [n for n in mine["data"] if n["emailed_at"]]
    assert len(mailbox.received) - before == first.emailed == len(emailed) > 0
    message = mailbox.received[-1]
    assert message.rcpt_tos == [QLTT_MAIL] and message.mail_from == "casehub@hub.test"
    parsed = message_from_bytes(message.original_content or b"", policy=policy.default)
    assert isinstance(parsed, EmailMessage) and "Xem: /" in parsed.get_content()  # decoded (base64 if needed)

    again = Notifier(world.engine, settings(port)).sweep(NOW)
    assert (again.notified, again.emailed) == (0, 0) and len(mailbox.received) - before == first.emailed

    one = mine["data"][0]["notification_id"]
    assert api(world, "qltt2", "POST", f"/api/notifications/{one}/read").json() == {"marked": 0}  # not theirs
    assert api(world, "qltt", "POST", f"/api/notifications/{one}/read").json() == {"marked": 1}
    assert api(world, "qltt", "GET", "/api/notifications?unread=true").json()["unread"] == mine["unread"] - 1
    assert api(world, "qltt", "POST", "/api/notifications/all/read").json()["marked"] == mine["unread"] - 1
    assert api(world, "qltt", "POST", "/api/notifications/%00/read").status_code == 404


def test_an_unreachable_smtp_server_is_retried_then_given_up_and_recorded(world: NetworkWorld) -> None:
    made = api(
        world,
        "qltt2",
        "POST",
        "/api/subscriptions",
        json={"kind": "category", "value": "counterfeit", "email": "dongnghiep@qltt.gov.vn"},
    )
    assert made.status_code == 200, made.text
    down = settings(free_port(), notify_max_attempts=2, smtp_timeout_s=2)
    failures = [Notifier(world.engine, down).sweep(NOW) for _ in range(3)]
    assert [r.emailed for r in failures] == [0, 0, 0]
    assert failures[0].failed > 0 and failures[1].failed == failures[0].failed and failures[2].failed == 0
    with world.engine.connect() as connection:
        rows = connection.execute(
            select(NOTIFICATIONS).where(NOTIFICATIONS.c.principal_id == "n-qltt-2")
        ).all()
    assert rows and all(r.email_attempts == 2 and r.emailed_at is None and r.email_error for r in rows)
    assert all("ConnectionRefusedError" in r.email_error for r in rows)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "everything", "value": "x"},
        {"kind": "province", "value": "Hà Nội"},
        {"kind": "seller", "value": "../etc"},
        {"kind": "identifier", "value": "09\x0012345"},
        {"kind": "identifier", "value": "x" * 513},
        {"kind": "province", "value": "01", "email": "a@b.vn\r\nBcc: all@evil.example"},
        {"kind": "province", "value": "01", "email": "Tên <a@b.vn>"},
    ],
)
def test_bad_subscriptions_are_refused_with_the_reason(world: NetworkWorld, body: dict[str, str]) -> None:
    answer = api(world, "qltt", "POST", "/api/subscriptions", json=body)
    assert answer.status_code == 422 and "Traceback" not in answer.text, answer.text


def test_the_notifications_page_subscribes_unsubscribes_and_marks_read(world: NetworkWorld) -> None:
    client = TestClient(create_app(world.engine, clock=lambda: NOW))
    signed_in_client(client, world.tokens["ipvn"])
    page = client.get("/notifications?lang=en")
    assert page.status_code == 200 and 'id="unread-count">0<' in page.text
    token = form_token_on(page)
    added = client.post(
        "/notifications/subscribe", data={"kind": "platform", "value": "shopee", "csrf": token}
    )
    assert added.status_code == 200 and 'class="subscription"' in added.text and "shopee" in added.text
    refused = client.post(
        "/notifications/subscribe", data={"kind": "province", "value": "<script>", "csrf": token}
    )
    assert 'id="notify-error"' in refused.text and "<script>" not in refused.text
    Notifier(world.engine, Settings(notify_backfill_days=120)).sweep(NOW)  # no SMTP host: in-app only
    listed = client.get("/notifications")
    unread = int(listed.text.split('id="unread-count">')[1].split("<")[0])
    assert unread > 0 and listed.text.count('class="notification unread"') == unread
    after = client.post("/notifications/read/all", data={"csrf": token})
    assert 'id="unread-count">0<' in after.text
    sub_id = api(world, "ipvn", "GET", "/api/subscriptions").json()[0]["subscription_id"]
    gone = client.post(f"/notifications/unsubscribe/{sub_id}", data={"csrf": token})
    assert 'class="subscription"' not in gone.text


def test_more_alerts_than_a_sweep_reads_are_all_notified_over_the_next_sweeps_once_oldest_first(
    world: NetworkWorld, smtp: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notifier read an agency's newest 5,000 alerts per principal and sweep: in a burst of more, the
    older part of a subscription's window was never notified (it only logged `notifier_alerts_not_read`).
    Now each subscription reads on from its high-water mark, a bounded page per sweep — and past a full
    page on from its read-ahead, so a burst younger than MARK_SETTLE does not wait for it to settle."""
    from services.notify import alert_marks

    mailbox, port = smtp
    seller = "BURST-SELLER-1"
    made = api(
        world,
        "police",
        "POST",
        "/api/subscriptions",
        json={"kind": "seller", "value": seller, "email": POLICE_MAIL},
    )
    assert made.status_code == 200, made.text
    burst_at = NOW - timedelta(minutes=50)
    burst = [
        new_alert(
            AlertRule.REPEAT_OFFENDER,
            f"burst-{i}",
            f"đợt {i:02d}",
            agencies=["police"],
            triggered_at=burst_at,
            raised_at=burst_at + timedelta(seconds=i // 2),  # pairs raised together: ties broken by id
            entity_id=seller,
        )
        for i in range(7)
    ]
    with world.engine.begin() as connection:
        add_alerts(connection, [alert_row(alert) for alert in burst])
    oldest_first = [a.summary for a in sorted(burst, key=lambda a: (a.raised_at, str(a.alert_id)))]
    monkeypatch.setattr(alert_marks, "ALERTS_PER_SWEEP", 3)
    before = len(mailbox.received)

    fresh = burst_at + timedelta(minutes=1)  # younger than MARK_SETTLE: the mark stays, the read-ahead moves
    assert swept(world, port, fresh) == oldest_first[:6]  # a full first page: a second one from its end
    again = fresh + timedelta(seconds=1)
    assert swept(world, port, again) == [oldest_first[6]]  # first page again (nothing twice), then on
    late = new_alert(  # committed late, raised inside the burst: behind the read-ahead, past the first page
        AlertRule.REPEAT_OFFENDER,
        "burst-late",
        "đợt muộn",
        agencies=["police"],
        triggered_at=burst_at,
        raised_at=burst_at + timedelta(seconds=1, milliseconds=500),
        entity_id=seller,
    )
    with world.engine.begin() as connection:
        add_alerts(connection, [alert_row(late)])
    assert swept(world, port, again + timedelta(seconds=1)) == []
    later = [NOW + timedelta(hours=1, seconds=k) for k in range(5)]
    # settled now: the mark moves past the first page, then reaches the late alert, read then
    assert [swept(world, port, at) for at in later] == [[], [late.summary], [], [], []]

    mails = [m for m in mailbox.received[before:] if m.rcpt_tos == [POLICE_MAIL]]
    subjects = [subject_of(m) for m in mails]
    expected = [*oldest_first, late.summary]
    assert subjects == [f"Cảnh báo REPEAT_OFFENDER: {summary}" for summary in expected]  # once each
    with world.engine.connect() as connection:
        (police,) = [s for s in list_subscriptions(connection, "n-police") if s.value == seller]
    assert police.alerts_read is not None and police.alerts_read[0] >= burst[6].raised_at  # past the burst
    assert police.alerts_ahead is None  # the burst read to its end: no read-ahead kept


def swept(world: NetworkWorld, port: int, at: datetime) -> list[str]:
    """One sweep at `at`: the summaries of the burst's alerts police was notified of, in e-mail order."""
    Notifier(world.engine, settings(port)).sweep(at)
    with world.engine.connect() as connection:
        rows = connection.execute(
            select(NOTIFICATIONS.c.title)
            .where(
                NOTIFICATIONS.c.principal_id == "n-police",
                NOTIFICATIONS.c.fact_kind == "alert",
                NOTIFICATIONS.c.created_at == at,
            )
            .order_by(NOTIFICATIONS.c.fact_at, NOTIFICATIONS.c.fact_id)
        ).scalars()
        return [title.split(": ", 1)[1] for title in rows if "đợt" in title]


def subject_of(message: Envelope) -> str:
    parsed = message_from_bytes(message.original_content or b"", policy=policy.default)
    return str(parsed["Subject"])
