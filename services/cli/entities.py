"""`casehub entities consume | list | explain | stop | unstop | unmerge | undo-unmerge | relink | score`:
seller entities."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from consumers.entity.scoring import pair_scores
from schemas.errors import CasehubError
from services.bootstrap import open_store
from services.cli.bounds import EVENTS_MAX, LIST_MAX, SECONDS_MAX, SEED_MAX, SEED_MIN
from services.cli.configuration import service_settings, settings
from services.cli.consoles import console, err
from services.cli.error_lines import one_line_errors

if TYPE_CHECKING:
    from consumers.entity.keys import MatchKey, Sighting
    from consumers.entity.linker import EntityLinker, LinkReport
    from services.store.sql_entity_store import SqlEntityTransaction

entities_app = typer.Typer(
    help="Seller entities: subjects linked by a shared phone, tax code, shop, e-mail, id or bank account.",
    no_args_is_help=True,
)
Reason = Annotated[str, typer.Option(help="Why (kept in the history).")]
By = Annotated[str, typer.Option(help="Who decides (kept in the history).")]
KeyKind = Annotated[str, typer.Argument(help="phone, tax_code, shop, email, national_id, bank_account")]
KeyValue = Annotated[str, typer.Argument(help="The value as written; it is normalised.")]
OnlyKind = Annotated[str | None, typer.Option(help="Only this kind of key (with --value).")]
OnlyValue = Annotated[str | None, typer.Option(help="Only this value (with --kind).")]


@entities_app.command("consume")
@one_line_errors
def consume(
    until_idle: Annotated[
        float | None, typer.Option(min=0, max=SECONDS_MAX, help="Exit after this many idle seconds.")
    ] = None,
    publish: Annotated[bool, typer.Option(help="Publish alerts to the alerts topic.")] = True,
) -> None:
    """Run the entity consumer (group casehub-entities) and, on a thread beside it, the alert job every
    alert interval (a last sweep when the consumer stops)."""
    from services.early_warning import build_alert_job, build_entity_follower

    s = service_settings()
    engine, _ = open_store(s)
    job = build_alert_job(s, engine, publish=publish, final_run=True)
    follower = build_entity_follower(s, engine)
    stop_job = threading.Event()
    failures: list[Exception] = []

    def sweep_until_stopped() -> None:
        try:
            job.run(stop_job)
        except Exception as exc:  # reported below in one line, after the consumer's summary
            failures.append(exc)

    sweeping = threading.Thread(target=sweep_until_stopped, name=job.name, daemon=True)
    sweeping.start()
    try:
        stats = follower.run(threading.Event(), idle_exit_s=until_idle)
    except KeyboardInterrupt:
        stats = follower.stats
    finally:
        follower.close()
        stop_job.set()
        sweeping.join()
        job.close()
    console.print(
        f"Linked {stats.sightings} subject sightings from {stats.records} records "
        f"in {stats.batches} batches; {stats.merges} merges, {stats.splits} splits."
    )
    if failures:
        raise CasehubError(f"the alert job stopped: {type(failures[0]).__name__}: {failures[0]}")


@entities_app.command("list")
@one_line_errors
def list_entities(
    min_size: Annotated[
        int, typer.Option(min=1, max=LIST_MAX, help="Only entities with at least this many subjects.")
    ] = 2,
    limit: Annotated[int, typer.Option(min=1, max=LIST_MAX)] = 50,
) -> None:
    """The largest entities: id and number of subjects."""
    from sqlalchemy import func, select

    from services.store import entity_store as db

    engine, _ = open_store(settings())
    size = func.count().label("subjects")
    query = (
        select(db.MEMBERS.c.entity_id, size)
        .group_by(db.MEMBERS.c.entity_id)
        .having(func.count() >= min_size)
        .order_by(size.desc(), db.MEMBERS.c.entity_id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    table = Table("entity", "subjects")
    for row in rows[:limit]:
        table.add_row(row.entity_id, str(row.subjects))
    console.print(table)
    console.print(f"{len(rows)} entities with {min_size} or more subjects.")


@entities_app.command("explain")
@one_line_errors
def explain_entity(
    entity_or_subject: Annotated[str, typer.Argument(help="An entity id or a subject id.")],
) -> None:
    """Members, keys and whether each links, the links with their events, history, suggestions."""
    from consumers.entity.explain import explain
    from consumers.entity.linker import EntityLinker
    from services.store.sql_entity_store import SqlEntityTransaction

    s = settings()
    engine, _ = open_store(s)
    with engine.connect() as connection:
        found = explain(
            SqlEntityTransaction(connection), EntityLinker(cap=s.entity_link_cap), entity_or_subject
        )
    if found is None:
        raise typer.BadParameter(f"no entity or subject {entity_or_subject}")
    console.print(
        f"[bold]{found.entity_id}[/bold]: {len(found.members)} subject(s): {', '.join(found.members)}"
    )
    keys = Table("kind", "value", "members carrying it", "subjects in store", "status")
    for k in found.keys:
        keys.add_row(k.kind, k.value, ", ".join(k.subjects), str(k.carriers), k.status)
    console.print(keys)
    for link in found.links:
        console.print(
            f"  {link.subject_id} ─{link.kind} {link.value}─ {link.other_subject_id}"
            f"  (event {link.event_id})",
            highlight=False,
        )
    for row in found.history:
        console.print(
            f"  {row['at']:%Y-%m-%d %H:%M} {row['action']:6} "
            f"{row['subject_id']} ~ {row['other_subject_id']}: {row['reason']}",
            highlight=False,
        )
    for kind, value, other, entity in found.suggestions:
        console.print(
            f"  suggestion (not linked): {other} in {entity} shares {kind} '{value}'", highlight=False
        )


@entities_app.command("stop")
@one_line_errors
def stop(
    kind: KeyKind,
    value: KeyValue,
    reason: Reason,
    by: By = "cli",
) -> None:
    """Stop-list an identifier: it links nobody from now on, and the links it made are undone."""
    key = _linking_key(kind, value)
    _report(f"stop-listed {key}", _corrected(lambda linker, tx: linker.stop(tx, key, reason, by)))


@entities_app.command("unmerge")
@one_line_errors
def unmerge(
    subject_id: Annotated[str, typer.Argument(help="The subject to detach.")],
    reason: Reason,
    kind: OnlyKind = None,
    value: OnlyValue = None,
    by: By = "cli",
) -> None:
    """Detach a subject: its keys (all, or the one given) no longer link it; others sharing them stay."""
    keys = _optional_keys(kind, value)
    report = _corrected(lambda linker, tx: linker.block(tx, subject_id, keys, reason, by))
    _report(f"detached {subject_id}", report)


@entities_app.command("unstop")
@one_line_errors
def unstop(
    kind: KeyKind,
    value: KeyValue,
    reason: Reason,
    by: By = "cli",
) -> None:
    """Take an identifier off the run-time stop-list (a mistaken stop): it links again at once."""
    key = _linking_key(kind, value)
    report = _corrected(lambda linker, tx: linker.unstop(tx, key, reason, by))
    _report(f"took {key} off the stop-list", report)


@entities_app.command("undo-unmerge")
@one_line_errors
def undo_unmerge(
    subject_id: Annotated[str, typer.Argument(help="The subject detached by `unmerge`.")],
    reason: Reason,
    kind: OnlyKind = None,
    value: OnlyValue = None,
    by: By = "cli",
) -> None:
    """Undo an unmerge: the subject's blocked keys (all, or the one given) link it again."""
    keys = _optional_keys(kind, value)
    report = _corrected(lambda linker, tx: linker.unblock(tx, subject_id, keys, reason, by))
    _report(f"re-attached {subject_id}", report)


@entities_app.command("relink")
@one_line_errors
def relink() -> None:
    """Recompute every entity from the recorded keys (a check of the increments: normally nothing moves)."""
    _report("relinked", _corrected(lambda linker, tx: linker.relink_all(tx, "relink requested")))


@entities_app.command("score")
@one_line_errors
def score(
    events: Annotated[int, typer.Option(min=1, max=EVENTS_MAX, help="Simulated events.")] = 20_000,
    seed: Annotated[int, typer.Option(min=SEED_MIN, max=SEED_MAX)] = 389,
    cap: Annotated[
        int | None, typer.Option(min=2, max=LIST_MAX, help="Link cap (default: settings).")
    ] = None,
) -> None:
    """Precision and recall of linking on the simulator's ground truth (pairs of subjects), by key kind."""
    from consumers.entity.keys import sighting_of
    from producers.simulator import Simulation
    from schemas.payloads import SubjectIdentified

    s = settings()
    simulation = Simulation(seed)
    sightings = [
        sighting_of(e.payload.subject_id, str(e.event_id), e.occurred_at, e.payload.model_dump(mode="json"))
        for e in simulation.events(events)
        if isinstance(e.payload, SubjectIdentified)
    ]
    truth = simulation.ground_truth()["subject_to_seller"]
    table = Table("keys used", "subjects", "linked pairs", "true pairs", "precision", "recall")
    kinds = ("phone", "tax_code", "national_id", "bank_account", "email", "shop")
    for label, allowed in (("all strong keys", kinds), ("all but shop", kinds[:-1])):
        entity_of = _link_in_scratch_store([_only(x, allowed) for x in sightings], cap or s.entity_link_cap)
        result = pair_scores(entity_of, truth)
        table.add_row(label, str(len(entity_of)), str(result.linked_pairs), str(result.true_pairs),
                      f"{result.precision:.3f}", f"{result.recall:.3f}")  # fmt: skip
    console.print(table)


def _only(sighting: Sighting, kinds: tuple[str, ...]) -> Sighting:
    from consumers.entity.keys import Sighting

    keys = tuple((k, raw) for k, raw in sighting.keys if k.kind in kinds or not k.strong)
    return Sighting(sighting.subject_id, sighting.event_id, sighting.occurred_at, keys)


def _link_in_scratch_store(sightings: list[Sighting], cap: int) -> dict[str, str]:
    from consumers.entity.linker import EntityLinker
    from services.store import entity_store as db
    from services.store.engine import make_engine, migrate
    from services.store.sql_entity_store import SqlEntityTransaction

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'score.db'}")
        migrate(engine)
        linker = EntityLinker(cap=cap)
        for start in range(0, len(sightings), 500):
            with engine.begin() as connection:
                linker.link(SqlEntityTransaction(connection), sightings[start : start + 500])
        with engine.connect() as connection:
            found = db.all_members(connection)
        engine.dispose()
    return found


def _linking_key(kind: str, value: str) -> MatchKey:
    """The key a stop-list entry names; a value that normalises to nothing could never link anyone."""
    from consumers.entity.stoplist import stop_key

    key = stop_key(kind, value)
    if key is None:
        raise typer.BadParameter(f"{value!r} is not a {kind} that could link anything")
    return key


def _optional_keys(kind: str | None, value: str | None) -> list[MatchKey] | None:
    """The one key --kind/--value name, or None for "all of the subject's keys"; the two come together
    (a kind without a value, or a value without a kind, names nothing and is refused)."""
    from consumers.entity.stoplist import stop_key

    if (kind is None) != (value is None):
        raise typer.BadParameter("give both --kind and --value, or neither")
    if kind is None or value is None:
        return None
    key = stop_key(kind, value)
    if key is None:
        raise typer.BadParameter(f"{value!r} is not a {kind}")
    return [key]


def _corrected(change: Callable[[EntityLinker, SqlEntityTransaction], LinkReport]) -> LinkReport:
    """One correction by the configured linker, in one transaction of the configured store; the linker's
    refusals (ValueError: nothing to undo, a key on the bundled stop-list) are the command's bad
    parameter, in one line."""
    from consumers.entity.linker import EntityLinker
    from services.store.sql_entity_store import SqlEntityTransaction

    s = settings()
    engine, _ = open_store(s)
    try:
        with engine.begin() as connection:
            return change(EntityLinker(cap=s.entity_link_cap), SqlEntityTransaction(connection))
    except ValueError as refused:
        raise typer.BadParameter(str(refused)) from None


def _report(what: str, report: LinkReport) -> None:
    err.print(
        f"{what}: {report.moved_subjects} subject(s) moved, "
        f"{report.merges} merge(s), {report.splits} split(s).",
        highlight=False,
    )
