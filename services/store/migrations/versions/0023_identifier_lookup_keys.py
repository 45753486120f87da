"""seller identifiers found by their keys: `match_key` and `loose_key`, each in a b-tree, replace a scan

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

Why: finding a seller by what a user typed (the seller search, and every identifier subscription at each
notifier sweep) asked for identifiers whose lower-cased value equals the text, OR whose digits contain
the phone's last seven in order, OR ... — conditions on expressions no index holds, so PostgreSQL read
every row of `subject_identifiers`: 21 ms at 30,860 rows (the simulator's 100,000 events), growing with
the table (about 60 times that at 10^6 cases). The only index, (kind, value), served none of them, and
cost every identifier written one more b-tree insert.

Now the row keeps both sides of the test the search applies (services.store.queries.identifiers.matches):
its matching key as the linker reads it ('phone:+84912345678', 'shop:shopee:sonxinh.official') and its
loose spelling ('tax_code:0101625009'), computed by the writer with the linker's own normalisers
(schemas/normalisation/identifier_keys.py); the search looks the typed text's keys up in both indexes.

Rows stored before are given their keys here, with the same functions (a migration that imports the
application's normalisers, unlike the others: a key spelled differently from what the search computes
would never be found). The (kind, value) index is dropped: no query reads it.
Downgrade drops the keys and restores that index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from schemas.normalisation.identifier_keys import stored_keys

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_BATCH = 5_000


def upgrade() -> None:
    key_type = sa.String().with_variant(sa.String(collation="C"), "postgresql")  # as id_text(None)
    with op.batch_alter_table("subject_identifiers") as table:
        table.add_column(sa.Column("match_key", key_type, nullable=True))
        table.add_column(sa.Column("loose_key", key_type, nullable=True))
        table.drop_index("ix_subject_identifiers_value")
    _fill_keys()
    with op.batch_alter_table("subject_identifiers") as table:
        table.create_index("ix_subject_identifiers_match_key", ["match_key"], unique=False)
        table.create_index("ix_subject_identifiers_loose_key", ["loose_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subject_identifiers") as table:
        table.drop_index("ix_subject_identifiers_loose_key")
        table.drop_index("ix_subject_identifiers_match_key")
        table.drop_column("loose_key")
        table.drop_column("match_key")
        table.create_index("ix_subject_identifiers_value", ["kind", "value"], unique=False)


def _fill_keys() -> None:
    """Every stored identifier's keys, in batches of rows read in key order."""
    connection = op.get_bind()
    read = sa.text(
        "SELECT subject_id, kind, value FROM subject_identifiers "
        "WHERE (subject_id, kind, value) > (:subject_id, :kind, :value) "
        "ORDER BY subject_id, kind, value LIMIT :batch"
    )
    write = sa.text(
        "UPDATE subject_identifiers SET match_key = :match_key, loose_key = :loose_key "
        "WHERE subject_id = :subject_id AND kind = :kind AND value = :value"
    )
    after = {"subject_id": "", "kind": "", "value": ""}
    while rows := connection.execute(read, {**after, "batch": _BATCH}).all():
        keys = [
            {"subject_id": subject_id, "kind": kind, "value": value, "match_key": match, "loose_key": loose}
            for subject_id, kind, value in rows
            for match, loose in [stored_keys(kind, value)]
        ]
        connection.execute(write, keys)
        after = {"subject_id": rows[-1][0], "kind": rows[-1][1], "value": rows[-1][2]}
