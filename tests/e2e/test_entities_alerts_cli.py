"""`casehub entities …` and `casehub alerts …` as a user types them, against the session's real broker."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.broker_access.provisioning import grant_table
from tests.e2e.test_cli import casehub_env, run
from tests.integration.helpers import isolated_settings

pytestmark = pytest.mark.integration


@pytest.mark.timeout(900)  # some 25 CLI processes, each a fresh interpreter: minutes on a loaded machine
def test_demo_data_is_linked_alerted_explained_and_corrected_through_the_cli(
    kafka_bootstrap: str, sqlite_url: str, tmp_path: Path
) -> None:
    base = isolated_settings(kafka_bootstrap, sqlite_url)
    settings = base.model_copy(update={"entity_group": f"{base.consumer_group}-entities"})
    grant_table(settings)  # the entity group of this copy gets its ACL too
    env = {
        **casehub_env(settings, tmp_path),
        "CASEHUB_ALERTS_TOPIC_PREFIX": settings.alerts_topic_prefix,
        "CASEHUB_ENTITY_GROUP": settings.entity_group,
    }
    for command in (["topics", "create"], ["publish", "--demo"], ["consume", "--until-idle", "3"]):
        done = run(command, env)
        assert done.returncode == 0, done.stderr
    linked = run(["entities", "consume", "--until-idle", "3"], env)
    assert linked.returncode == 0, linked.stderr
    assert "Linked 33 subject sightings from 251 records" in linked.stdout

    listed = run(["alerts", "list"], env)
    assert listed.returncode == 0, listed.stderr
    assert (
        "13 alert(s)." in listed.stdout and "OVERLAP" in listed.stdout and "REPEAT_OFFENDER" in listed.stdout
    )
    later = run(["alerts", "evaluate", "--no-publish", "--now", "2030-01-01T08:00:00+07:00"], env)
    assert later.returncode == 0, later.stderr
    assert "13 alert(s) hold; 0 new" in later.stdout

    explained = run(["entities", "explain", "SUBJ-SONXINH"], env)
    assert explained.returncode == 0, explained.stderr
    assert "+84912000111" in explained.stdout and "shopee:sonxinh.official" in explained.stdout
    stopped = run(["entities", "stop", "phone", "0912 000 111", "--reason", "a shop assistant's phone"], env)
    assert stopped.returncode == 0, stopped.stderr
    assert "stop-listed phone +84912000111" in stopped.stderr
    detached = run(["entities", "unmerge", "SUBJ-SONXINH", "--reason", "check"], env)
    assert detached.returncode == 0 and "detached SUBJ-SONXINH" in detached.stderr
    reattached = run(["entities", "undo-unmerge", "SUBJ-SONXINH", "--reason", "checked: same seller"], env)
    assert reattached.returncode == 0 and "re-attached SUBJ-SONXINH" in reattached.stderr, reattached.stderr
    unstopped = run(["entities", "unstop", "phone", "+84 912 000 111", "--reason", "stopped by mistake"], env)
    assert unstopped.returncode == 0, unstopped.stderr
    assert "took phone +84912000111 off the stop-list" in unstopped.stderr
    relinked = run(["entities", "explain", "SUBJ-SONXINH"], env)
    assert relinked.returncode == 0, relinked.stderr
    assert "unstop" in relinked.stdout and "stopped by mistake" in relinked.stdout  # in the history
    assert "unblock" in relinked.stdout and "checked: same seller" in relinked.stdout

    for refused, why in (
        (["entities", "unstop", "phone", "0912 000 111", "--reason", "again"], "not on the run-time"),
        (["entities", "unstop", "email", "noemail@gmail.com", "--reason", "x"], "bundled stop-list"),
        (["entities", "undo-unmerge", "SUBJ-SONXINH", "--reason", "again"], "no such blocked key"),
        (["entities", "unstop", "phone", "abc", "--reason", "x"], "could link anything"),
        (["entities", "unmerge", "SUBJ-SONXINH", "--reason", "x", "--kind", "phone"], "or neither"),
        (["entities", "undo-unmerge", "SUBJ-SONXINH", "--reason", "x", "--value", "1"], "or neither"),
        (
            ["entities", "unmerge", "SUBJ-SONXINH", "--reason", "x", "--kind", "phone", "--value", "abc"],
            "not a phone",
        ),
    ):
        done = run(refused, env)
        assert done.returncode == 2 and why in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_score_reports_precision_and_recall_on_the_simulator() -> None:
    scored = run(["entities", "score", "--events", "3000"], {}, timeout=180)
    assert scored.returncode == 0, scored.stderr
    assert "precision" in scored.stdout and "all but shop" in scored.stdout
