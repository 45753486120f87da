"""`casehub dlq list | show | replay`: what was rejected, why, and a second chance after a fix."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from schemas.errors import CasehubError
from services.bootstrap import build_codec, open_store
from services.cli.bounds import LIST_MAX, ROW_ID_MAX
from services.cli.configuration import settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors

dlq_app = typer.Typer(
    help="Dead letters: records the materializer rejected, with their reasons.", no_args_is_help=True
)


@dlq_app.command("list")
@one_line_errors
def list_letters(
    all_letters: Annotated[
        bool, typer.Option("--all", help="Include letters already resolved by a replay.")
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Words in the error class or message, e.g. 'schema id'.")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Rejected at or after (YYYY-MM-DD[THH:MM:SS], UTC).")
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="Rejected before (UTC).")] = None,
    topic: Annotated[str | None, typer.Option(help="Only letters from this topic.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=LIST_MAX, help="Show at most this many.")] = 100,
) -> None:
    """Dead letters in arrival order: where they came from and why they were rejected."""
    from services.store.queries.dead_letters import DeadLetterQuery, read_dead_letters

    engine, _ = open_store(settings())
    query = DeadLetterQuery(
        reason, _utc(since), _utc(until), topic, pending_only=not all_letters, limit=limit
    )
    with engine.connect() as connection:
        letters, count = read_dead_letters(connection, query)
    table = Table("id", "topic", "partition", "offset", "rejected at", "error", "reason", "replays", "status")
    for letter in letters:
        resolved = letter["resolved_event_id"]
        table.add_row(
            str(letter["id"]),
            letter["topic"],
            str(letter["partition"]),
            str(letter["offset"]),
            f"{letter['created_at']:%Y-%m-%d %H:%M:%S}",
            letter["error_class"],
            letter["error_message"][:80],
            str(letter["replay_attempts"]),
            f"resolved → {resolved}" if resolved else "pending",
        )
    console.print(table)
    shown = f" (showing {len(letters)})" if len(letters) < count else ""
    console.print(f"{count} dead letter(s){'' if all_letters else ' pending'}{shown}.")


def _utc(moment: datetime | None) -> datetime | None:
    """Command-line times are UTC, as the store keeps them."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@dlq_app.command("show")
@one_line_errors
def show_letter(
    letter_id: Annotated[
        int, typer.Argument(min=1, max=ROW_ID_MAX, help="Dead letter id from `casehub dlq list`.")
    ],
) -> None:
    """One dead letter in full: context, reason, and the first bytes of the message."""
    _, store = open_store(settings())
    found = store.dead_letters(pending_only=False, ids=[letter_id])
    if not found:
        raise CasehubError(f"no dead letter with id {letter_id}")
    stored = found[0]
    letter = stored.letter
    value = letter.value or b""
    console.print(
        f"id            : {stored.letter_id}\n"
        f"source        : {letter.topic} partition {letter.partition} offset {letter.offset}\n"
        f"consumer group: {letter.consumer_group}\n"
        f"rejected at   : {letter.created_at.isoformat()}\n"
        f"error         : {letter.error_class}\n"
        f"reason        : {letter.error_message}\n"
        f"replays       : {stored.replay_attempts}"
        f"{' (resolved as event ' + stored.resolved_event_id + ')' if stored.resolved_event_id else ''}\n"
        f"key           : {letter.key!r}\n"
        f"value         : {len(value)} bytes, starts {value[:48].hex(' ')}",
        highlight=False,
        soft_wrap=True,
    )


@dlq_app.command("replay")
@one_line_errors
def replay(
    ids: Annotated[
        list[int] | None,
        typer.Argument(min=1, max=ROW_ID_MAX, help="Dead letter ids (default: every pending one)."),
    ] = None,
    publish: Annotated[bool, typer.Option(help="Publish alerts the replayed events raise.")] = True,
) -> None:
    """Re-validate pending dead letters with today's code and reference data; fixed ones become events."""
    from consumers.dead_letter_replay import replay_dead_letters
    from consumers.decoding import RecordDecoder
    from services.early_warning import follow_replayed

    s = settings()
    engine, store = open_store(s)
    if ids:
        known = {stored.letter_id: stored for stored in store.dead_letters(pending_only=False, ids=ids)}
        if missing := sorted(set(ids) - set(known)):
            raise CasehubError(f"no dead letter with id {', '.join(map(str, missing))}; nothing replayed")
    decoder = RecordDecoder(
        codec=build_codec(s, store.engine), group=s.consumer_group, topic_agency=s.agency_of_topic
    )
    report = replay_dead_letters(store, decoder, ids=ids or None)
    console.print(
        f"Replayed {report.replayed} dead letter(s): {len(report.resolved)} resolved into events, "
        f"{len(report.still_failing)} still failing."
    )
    for outcome in report.still_failing:
        console.print(
            f"  {outcome.letter_id}: {outcome.error_class}: {outcome.error_message}", highlight=False
        )
    if report.events:  # what a live event reaches beyond the store: entity links, then the alert rules
        linked, swept = follow_replayed(s, engine, report.events, publish=publish)
        console.print(
            f"Entities: {linked.merges} merges, {linked.splits} splits; alerts: {swept.raised} raised, "
            f"{swept.published} published.",
            highlight=False,
        )
