"""`casehub dlq list | show | replay`: what was rejected, why, and a second chance after a fix."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from consumers.dead_letter_replay import replay_dead_letters
from consumers.decoding import RecordDecoder
from services.bootstrap import build_codec, open_store
from services.cli.common import console, one_line_errors, settings

dlq_app = typer.Typer(
    help="Dead letters: records the materializer rejected, with their reasons.", no_args_is_help=True
)


@dlq_app.command("list")
@one_line_errors
def list_letters(
    all_letters: Annotated[
        bool, typer.Option("--all", help="Include letters already resolved by a replay.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 100,
) -> None:
    """Dead letters in arrival order: where they came from and why they were rejected."""
    _, store = open_store(settings())
    letters = store.dead_letters(pending_only=not all_letters)
    table = Table("id", "topic", "partition", "offset", "error", "reason", "replays", "status")
    for stored in letters[:limit]:
        letter = stored.letter
        status = f"resolved → {stored.resolved_event_id}" if stored.resolved_event_id else "pending"
        table.add_row(
            str(stored.letter_id),
            letter.topic,
            str(letter.partition),
            str(letter.offset),
            letter.error_class,
            letter.error_message[:80],
            str(stored.replay_attempts),
            status,
        )
    console.print(table)
    console.print(f"{len(letters)} dead letter(s){'' if all_letters else ' pending'}.")


@dlq_app.command("show")
@one_line_errors
def show_letter(
    letter_id: Annotated[int, typer.Argument(help="Dead letter id from `casehub dlq list`.")],
) -> None:
    """One dead letter in full: context, reason, and the first bytes of the message."""
    _, store = open_store(settings())
    found = store.dead_letters(pending_only=False, ids=[letter_id])
    if not found:
        raise typer.BadParameter(f"no dead letter with id {letter_id}")
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
        list[int] | None, typer.Argument(help="Dead letter ids (default: every pending one).")
    ] = None,
) -> None:
    """Re-validate pending dead letters with today's code and reference data; fixed ones become events."""
    s = settings()
    _, store = open_store(s)
    decoder = RecordDecoder(codec=build_codec(s), group=s.consumer_group, topic_agency=s.agency_of_topic)
    report = replay_dead_letters(store, decoder, ids=ids or None)
    console.print(
        f"Replayed {report.replayed} dead letter(s): {len(report.resolved)} resolved into events, "
        f"{len(report.still_failing)} still failing."
    )
    for outcome in report.still_failing:
        console.print(
            f"  {outcome.letter_id}: {outcome.error_class}: {outcome.error_message}", highlight=False
        )
