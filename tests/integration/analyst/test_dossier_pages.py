"""A dossier pages its cases (a seller may have tens of thousands) and keeps its totals over all of them:
every page is the matching slice of the whole list, for every viewer, through the API and the web page,
with one statement per page and with the ids split across statements."""

from __future__ import annotations

from typing import Any

import pytest

from services.views import dossier_totals
from services.web.pages import subjects as subject_pages
from tests.analyst_world import World
from tests.web_sign_in import signed_in_client

pytestmark = pytest.mark.integration
VIEWERS = ("qltt", "police", "customs", "tax", "hanoi", "admin")
TOTALS = ("case_count", "total_fines_vnd", "total_goods_value_vnd", "by_agency", "by_platform", "subject")


def dossier(world: World, who: str, **params: Any) -> dict[str, Any] | None:
    response = world.client().get("/api/subjects/S1", headers=world.headers(who), params=params)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("chunk", [dossier_totals.ID_CHUNK, 1])
def test_every_page_is_the_slice_of_the_whole_dossier_and_totals_cover_every_case(
    world: World, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dossier_totals, "ID_CHUNK", chunk)  # 1 (SQLite): each id its own statement, merged
    compared = 0
    for who in VIEWERS:
        whole = dossier(world, who, limit=200)
        if whole is None:
            assert dossier(world, who, limit=1) is None, who
            continue
        ids = [case["case_id"] for case in whole["cases"]]
        assert whole["case_count"] == len(ids) == whole["subject"]["case_count"], who
        assert ids == [c["case_id"] for c in sorted(whole["cases"], key=_newest_first)], who
        for limit in range(1, len(ids) + 2):
            for offset in range(len(ids) + 2):
                page = dossier(world, who, limit=limit, offset=offset)
                assert page is not None, (who, limit, offset)
                assert page["cases"] == whole["cases"][offset : offset + limit], (who, limit, offset)
                assert {k: page[k] for k in TOTALS} == {k: whole[k] for k in TOTALS}, (who, limit, offset)
                compared += 1
    assert compared > 20  # some viewers see S1 on several cases: the pages were really compared


def test_police_see_the_restricted_case_in_the_pages_others_never_do(world: World) -> None:
    police = dossier(world, "police", limit=1, offset=0)
    qltt = dossier(world, "qltt", limit=1, offset=0)
    assert police is not None and qltt is not None
    assert police["case_count"] == qltt["case_count"] + 1  # case B is police-only
    hidden = {c["case_id"] for c in (dossier(world, "police", limit=200) or {})["cases"]} - {
        c["case_id"] for c in (dossier(world, "qltt", limit=200) or {})["cases"]
    }
    assert len(hidden) == 1
    for offset in range(qltt["case_count"] + 1):
        page = dossier(world, "qltt", limit=1, offset=offset) or {}
        assert not hidden & {c["case_id"] for c in page["cases"]}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "x"}])
def test_a_page_outside_the_bounds_is_a_422(world: World, params: dict[str, Any]) -> None:
    answer = world.client().get("/api/subjects/S1", headers=world.headers("qltt"), params=params)
    assert answer.status_code == 422, answer.text


def test_the_web_dossier_shows_the_count_of_every_case_and_links_the_next_page(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subject_pages, "PAGE_SIZE", 1)
    browser = signed_in_client(world.client(), world.tokens["police"])
    whole = dossier(world, "police", limit=200) or {}
    first = browser.get("/subjects/S1")
    assert first.status_code == 200
    assert f'id="dossier-cases">{whole["case_count"]}<' in first.text
    assert "/subjects/S1?page=2" in first.text and "?page=0" not in first.text
    last = browser.get("/subjects/S1", params={"page": str(whole["case_count"])})
    assert last.status_code == 200 and "?page=" + str(whole["case_count"] + 1) not in last.text
    for careless in ("²", "9" * 5000, "-1", "0", "1e3", "١", " 2", "2\x00"):  # each is the first page
        answer = browser.get("/subjects/S1", params={"page": careless})
        assert answer.status_code == 200 and "/subjects/S1?page=2" in answer.text, careless


def _newest_first(case: dict[str, Any]) -> tuple[str, str]:
    # ISO timestamps in UTC sort as text; newest first, ties by case id
    return (_inverted(case["last_event_at"]), case["case_id"])


def _inverted(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)
