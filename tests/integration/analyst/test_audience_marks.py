"""A viewer's fresh audience rows are those without a stale `restricted_cases` mark
(services.views.visible_cases.audience_views): that holds only if every audience row has a mark, which
the writer puts in the same transaction. Checked on the analyst world (restricted, listed and embargoed
cases) on both backends; the visibility tests beside it check what each viewer then sees."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.analyst_world import World

pytestmark = pytest.mark.integration


def test_every_audience_row_has_its_restricted_mark(world: World) -> None:
    with world.engine.connect() as connection:
        views = connection.execute(text("SELECT count(*) FROM case_audience_views")).scalar_one()
        unmarked = connection.execute(
            text(
                "SELECT count(*) FROM case_audience_views v "
                "WHERE NOT EXISTS (SELECT 1 FROM restricted_cases r WHERE r.case_id = v.case_id)"
            )
        ).scalar_one()
    assert views > 0  # the world has restricted cases: the check is not over an empty table
    assert unmarked == 0
