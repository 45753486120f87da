"""On assignment the consumer seeks to the store's offsets; while the store is down it waits, paused."""

from __future__ import annotations

from kafka.structs import TopicPartition

from consumers.kafka_io import SeekToStoredOffsets
from consumers.store_errors import StoreUnavailable

A, B = TopicPartition("casehub.cases.qltt", 0), TopicPartition("casehub.cases.qltt", 1)


class RecordingConsumer:
    """Just the KafkaConsumer calls the listener makes."""

    def __init__(self) -> None:
        self.assigned: set[TopicPartition] = set()
        self.paused: set[TopicPartition] = set()
        self.positions: dict[TopicPartition, int | str] = {}

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    def pause(self, *partitions: TopicPartition) -> None:
        self.paused |= set(partitions)

    def resume(self, *partitions: TopicPartition) -> None:
        self.paused -= set(partitions)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    def seek_to_beginning(self, *partitions: TopicPartition) -> None:
        self.positions.update({tp: "beginning" for tp in partitions})


def test_partitions_wait_paused_until_the_store_answers_then_start_at_its_offsets() -> None:
    consumer = RecordingConsumer()
    answers: list[object] = [StoreUnavailable("database is down"), {("casehub.cases.qltt", 0): 42}]

    def stored_offsets() -> dict[tuple[str, int], int]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    listener = SeekToStoredOffsets(consumer, stored_offsets)  # type: ignore[arg-type]
    consumer.assigned = {A, B}
    listener.on_partitions_assigned({A, B})
    assert consumer.paused == {A, B} and consumer.positions == {}
    assert listener.seek_pending() is True
    assert consumer.positions == {A: 42, B: "beginning"}
    assert consumer.paused == set()


def test_a_partition_revoked_while_pending_is_not_positioned() -> None:
    consumer = RecordingConsumer()
    down = [True]

    def stored_offsets() -> dict[tuple[str, int], int]:
        if down[0]:
            raise StoreUnavailable("database is down")
        return {}

    listener = SeekToStoredOffsets(consumer, stored_offsets)  # type: ignore[arg-type]
    consumer.assigned = {A, B}
    listener.on_partitions_assigned({A, B})
    listener.on_partitions_revoked({B})
    consumer.assigned = {A}
    down[0] = False
    assert listener.seek_pending() is True
    assert consumer.positions == {A: "beginning"}
