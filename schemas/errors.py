"""Errors of the contract layer, each a one-line reason a user can act on."""


class CasehubError(Exception):
    """Root of every error casehub raises on purpose."""


class SerializationError(CasehubError):
    """An event could not be encoded into its Avro wire form."""


class DecodeError(CasehubError):
    """Bytes on the wire could not be turned back into an event."""


class UnknownSchemaError(DecodeError):
    """The wire header names a schema id the catalog or registry does not know."""


class ContractViolation(CasehubError):
    """A well-formed event breaks a rule of the contract (bad value, unknown code)."""


class ServiceUnavailable(CasehubError):
    """A service the hub depends on is down: wait and retry, never blame the message."""


class BrokerUnavailable(ServiceUnavailable):
    """The Kafka bootstrap address did not answer in time."""


class StoreUnavailable(ServiceUnavailable):
    """The shared database could not be reached or written."""


class StoreRejected(CasehubError):
    """The database refused a write for what was in it (a value out of range, a broken constraint, a
    store limit): not an outage, so retrying the same records cannot help; isolate and dead-letter them."""


class EventsRejected(StoreRejected):
    """The store refused these events by id, each with its reason (e.g. an event id already stored with
    other content); the rest of the batch can be written without them."""

    def __init__(self, reasons: dict[str, str]) -> None:
        self.reasons = dict(reasons)
        first = next(iter(self.reasons.items()), ("?", "refused"))
        super().__init__(f"{len(self.reasons)} event(s) refused, e.g. {first[0]}: {first[1]}")


class InvalidSchemaError(CasehubError):
    """A schema text is not valid Avro (bad JSON, unknown type, missing name, ...)."""


class RegistryUnavailable(ServiceUnavailable):
    """The schema registry did not answer; retry later rather than treat the message as bad."""


class SchemaRejected(CasehubError):
    """A schema registry refused a schema (incompatible or invalid), with the registry's reason."""
