"""The case-event contract: Avro schemas, the pydantic models mirroring them, the codec and wire format.

Importable by any agency on its own: depends on nothing else of casehub.
"""
