"""The subject fold (consumers/subject_fold.py) as one PostgreSQL statement: the shared subject records
refolded where their observations are, and upserted in the same statement.

Why: the Python fold needs every observation row of each touched subject carried to the process, turned
into a dict and folded, then the records carried back through a staging table (~4 µs of materializer CPU
per event); here the database reads the rows it already holds and returns nothing. The Python fold stays
the definition (SQLite uses it, and tests/integration/test_subject_refold.py checks this statement
against it on generated observations): the latest non-empty name and the latest kind other than UNKNOWN
by (occurred_at, event_id), the sorted sets of platforms and agencies in the code-list spelling
(services/store/code_list.py: ',a,b,', '' for none; "C" collation is code-point order, as Python sorts),
the number of distinct cases, the first and last sighting. The codes come from reference-checked events
(platform and agency codes hold no ',' or control character), so the spelling needs no refusal here.

The observations are found by joining the list of ids, not by `subject_id = ANY(:ids)`: psycopg prepares
a statement run five times, and PostgreSQL's generic plan for `= ANY($1)` (an array of unknown length,
guessed at ten) chose a sequential scan of the whole table, testing each row against every id of the
batch one by one (an array parameter is not hashed as a literal array is): 45 ms a batch at 80,000
events and growing with the table, ~25 µs of PostgreSQL CPU per event, quadratic over a long run. Joined,
the ids are a relation: probed through the subject_id index or hashed, never compared one by one.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.store.batch_statements import driver

_LATEST = 'ORDER BY occurred_at DESC, event_id COLLATE "C" DESC'

REFOLD = f"""
    INSERT INTO subjects
        (subject_id, kind, display_name, platforms, agencies, case_count, first_seen_at, last_seen_at)
    SELECT
        subject_id,
        COALESCE(
            (array_agg(kind {_LATEST}) FILTER (WHERE kind <> '' AND kind <> 'UNKNOWN'))[1], 'UNKNOWN'
        ),
        (array_agg(display_name {_LATEST}) FILTER (WHERE display_name <> ''))[1],
        COALESCE(
            ',' || string_agg(DISTINCT platform::text COLLATE "C", ',' ORDER BY platform::text COLLATE "C")
                FILTER (WHERE platform <> '') || ',',
            ''
        ),
        ',' || string_agg(DISTINCT agency::text COLLATE "C", ',' ORDER BY agency::text COLLATE "C") || ',',
        count(DISTINCT case_id),
        min(occurred_at),
        max(occurred_at)
    FROM (SELECT DISTINCT unnest(CAST(%(ids)s AS text[]))) AS wanted (subject_id)
    JOIN subject_observations USING (subject_id)
    GROUP BY subject_id
    ON CONFLICT (subject_id) DO UPDATE SET
        kind = EXCLUDED.kind,
        display_name = EXCLUDED.display_name,
        platforms = EXCLUDED.platforms,
        agencies = EXCLUDED.agencies,
        case_count = EXCLUDED.case_count,
        first_seen_at = EXCLUDED.first_seen_at,
        last_seen_at = EXCLUDED.last_seen_at
    """
"""The refold as psycopg takes it: sent by the driver itself, as the batch's other fixed statements are
(services/store/batch_statements.py, `driver`): ~100 µs less of our CPU a batch than through SQLAlchemy."""


def refold_subjects(connection: Connection, subject_ids: list[str]) -> None:
    """Refold and store these subjects (those with no observation are left alone, as the Python fold
    leaves them)."""
    if subject_ids:
        driver(connection).execute(REFOLD, {"ids": subject_ids})
