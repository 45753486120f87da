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


class InvalidSchemaError(CasehubError):
    """A schema text is not valid Avro (bad JSON, unknown type, missing name, ...)."""


class RegistryUnavailable(ServiceUnavailable):
    """The schema registry did not answer; retry later rather than treat the message as bad."""


class SchemaRejected(CasehubError):
    """A schema registry refused a schema (incompatible or invalid), with the registry's reason."""
