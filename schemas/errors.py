"""Errors of the contract layer, each a one-line reason a user can act on: an event or a schema is wrong.

Outages (a broker, a registry down) are in schemas/outages.py, the store's refusals in
consumers/store_errors.py: they say a service failed, not that a message broke the contract.
"""


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


class InvalidSchemaError(CasehubError):
    """A schema text is not valid Avro (bad JSON, unknown type, missing name, ...)."""


class SchemaRejected(CasehubError):
    """A schema registry refused a schema (incompatible or invalid), with the registry's reason."""
