"""Outages: a service the hub or an agency depends on did not answer. Wait and retry; never blame the message.

Not contract errors (schemas/errors.py): they live in `schemas/` only because it is the one package both
sides import — an agency installs `schemas` with `producers` alone, and the publisher, the materializer and
the registry client all raise these, so callers can tell "wait" from "dead-letter" with one `except`.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from schemas.errors import CasehubError


class ServiceUnavailable(CasehubError):
    """A service the hub depends on is down: wait and retry, never blame the message."""


class BrokerUnavailable(ServiceUnavailable):
    """The Kafka bootstrap address did not answer in time."""


class RegistryUnavailable(ServiceUnavailable):
    """The schema registry did not answer; retry later rather than treat the message as bad."""


@contextmanager
def reaching_kafka(bootstrap: str, client_errors: type[Exception]) -> Iterator[None]:
    """Open a Kafka client inside: its library's connect error (`client_errors`, e.g. kafka-python's
    KafkaError: passed in, as `schemas` imports no client library) becomes the one line every client here
    says, BrokerUnavailable "cannot reach Kafka at <bootstrap>: <error type>"."""
    try:
        yield
    except client_errors as exc:
        raise BrokerUnavailable(f"cannot reach Kafka at {bootstrap}: {type(exc).__name__}") from exc
