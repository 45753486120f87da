"""`casehub broker start|stop|status`, `casehub cluster start|stop|status`, `casehub topics create|grow`."""

from __future__ import annotations

from typing import Annotated

import typer

from deploy.broker.jars import ensure_jars
from services.bootstrap import create_topics
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.cli.configuration import settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors
from services.settings import AGENCY_CODES, TOPIC_PARTITIONS_MAX

broker_app = typer.Typer(help="The local Apache Kafka broker (single-node KRaft).", no_args_is_help=True)
topics_app = typer.Typer(help="Agency case topics and the dead-letter topic.", no_args_is_help=True)


@broker_app.command("start")
@one_line_errors
def broker_start() -> None:
    """Fetch the jars if needed, format storage once, start the broker and wait until it answers."""
    from services.broker_access.local_broker import broker_for
    from services.broker_access.provisioning import provision

    s = settings()
    ensure_jars()
    broker = broker_for(s)
    broker.start()
    console.print(f"Kafka broker running on {broker.bootstrap} (data in {broker.data_dir})")
    if s.kafka_security != "plaintext":
        provision(s.model_copy(update={"kafka_bootstrap": broker.bootstrap}))
        console.print(f"SASL_SSL with ACLs; credentials in {s.credentials_dir}")


@broker_app.command("stop")
@one_line_errors
def broker_stop() -> None:
    """Stop the local broker cleanly (SIGTERM, then SIGKILL after a timeout)."""
    from services.broker_access.local_broker import broker_for

    stopped = broker_for(settings()).stop()
    console.print("Kafka broker stopped." if stopped else "No local Kafka broker was running.")


@broker_app.command("status")
@one_line_errors
def broker_status() -> None:
    """Is the local broker running and does it answer? Exit code 3 when it is not running."""
    from services.broker_access.local_broker import broker_for

    status = broker_for(settings()).status()
    state = "running" if status.running else "stopped"
    console.print(f"{state}; pid={status.pid}; bootstrap={status.bootstrap}; reachable={status.reachable}")
    if not status.running:
        raise typer.Exit(3)


cluster_app = typer.Typer(
    help="A local replicated KRaft cluster (RF min(3, N), min ISR 2, no unclean election).",
    no_args_is_help=True,
)
Brokers = Annotated[int, typer.Option("--brokers", min=1, max=9, help="Number of brokers (3 for RF 3).")]


@cluster_app.command("start")
@one_line_errors
def cluster_start(brokers: Brokers = 3) -> None:
    """Start N brokers together (node i on port+2(i-1)), provision the users and ACLs, print the bootstrap."""
    from services.broker_access.local_broker import broker_for
    from services.broker_access.provisioning import provision

    s = settings()
    ensure_jars()
    cluster = broker_for(s, brokers=max(brokers, 2))
    cluster.start()
    if s.kafka_security != "plaintext":
        provision(s.model_copy(update={"kafka_bootstrap": cluster.bootstrap}))
    console.print(
        f"Kafka cluster of {brokers} running; CASEHUB_KAFKA_BOOTSTRAP={cluster.bootstrap} "
        f"CASEHUB_KAFKA_BROKERS={brokers}",
        highlight=False,
    )


@cluster_app.command("stop")
@one_line_errors
def cluster_stop(brokers: Brokers = 3) -> None:
    """Stop every broker of the local cluster."""
    from services.broker_access.local_broker import broker_for

    stopped = broker_for(settings(), brokers=max(brokers, 2)).stop()
    console.print("Kafka cluster stopped." if stopped else "No local Kafka cluster was running.")


@cluster_app.command("status")
@one_line_errors
def cluster_status(brokers: Brokers = 3) -> None:
    """Is every broker running and does the cluster answer? Exit code 3 when not all run."""
    from services.broker_access.local_broker import broker_for

    status = broker_for(settings(), brokers=max(brokers, 2)).status()
    state = "running" if status.running else "not all running"
    console.print(f"{state}; bootstrap={status.bootstrap}; reachable={status.reachable}", highlight=False)
    if not status.running:
        raise typer.Exit(3)


@topics_app.command("create")
@one_line_errors
def topics_create() -> None:
    """Create the agency case topics and the dead-letter topic where missing."""
    created = create_topics(settings())
    console.print(f"Created: {', '.join(created)}" if created else "All topics already exist.")


@topics_app.command("grow")
@one_line_errors
def topics_grow(
    partitions: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=TOPIC_PARTITIONS_MAX,
            help="Partitions per agency topic (default CASEHUB_TOPIC_PARTITIONS).",
        ),
    ] = None,
) -> None:
    """Add partitions to agency topics created with fewer (Kafka never shrinks a topic).

    Safe for the store: a case's later events may land in another partition than its earlier ones, and
    the materializer's fold does not depend on their order."""
    from services.kafka_admin import grow_topics

    s = settings()
    wanted = partitions or s.topic_partitions
    grown = grow_topics(
        s.kafka_bootstrap,
        [s.agency_topic(agency) for agency in AGENCY_CODES],
        wanted,
        s.connect_timeout_s,
        client_options(s, Role.ADMIN),
    )
    for topic, (before, after) in grown.items():
        console.print(f"{topic}: {before} → {after} partitions", highlight=False)
    if not grown:
        console.print(f"Every agency topic already has at least {wanted} partitions.", highlight=False)
