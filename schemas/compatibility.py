"""Avro schema compatibility by the specification's resolution rules (fastavro resolves data, not schemas).

`can_read(reader, writer)` answers: can data written with `writer` be read with `reader`? Each
problem names the field path, e.g. `payload.PenaltyDecided.fine_vnd`. `check_compatibility` applies
a Confluent compatibility level to a candidate schema and the versions registered before it.
Schemas are the JSON form (`json.loads` of an .avsc); logical types follow their underlying type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_NAMED = frozenset({"record", "error", "enum", "fixed"})
_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}


class CompatibilityLevel(StrEnum):
    """Confluent's compatibility levels: which way data must be readable, and against which versions."""

    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def backward(self) -> bool:
        """The new schema must read data written with the earlier ones (consumers upgrade first)."""
        return self.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        """The earlier schemas must read data written with the new one (producers upgrade first)."""
        return self.startswith(("FORWARD", "FULL"))

    @property
    def transitive(self) -> bool:
        return self.endswith("_TRANSITIVE")


@dataclass(frozen=True)
class Incompatibility:
    """One reason data written with one schema cannot be read with another."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.reason}"


@dataclass(frozen=True)
class CompatibilityResult:
    messages: tuple[str, ...] = ()

    @property
    def is_compatible(self) -> bool:
        return not self.messages


def can_read(reader: Any, writer: Any) -> list[Incompatibility]:
    """Every reason `reader` cannot resolve data written with `writer`; empty when it can."""
    resolution = _Resolution(_NamedTypes(reader), _NamedTypes(writer))
    return resolution.resolve_node(resolution.reader.root, resolution.writer.root, "")


def check_compatibility(
    level: CompatibilityLevel, candidate: Any, previous: Sequence[tuple[int, Any]]
) -> CompatibilityResult:
    """Check `candidate` against earlier (version, schema) pairs, oldest first, under `level`."""
    if level is CompatibilityLevel.NONE:
        return CompatibilityResult()
    against = previous if level.transitive else previous[-1:]
    messages: list[str] = []
    for version, schema in against:
        if level.backward:
            messages += [
                f"{issue} (new schema reading version {version})" for issue in can_read(candidate, schema)
            ]
        if level.forward:
            messages += [
                f"{issue} (version {version} reading the new schema)" for issue in can_read(schema, candidate)
            ]
    return CompatibilityResult(tuple(messages))


class _NamedTypes:
    """A schema with named types replaced by their full names and indexed, so references can be followed."""

    def __init__(self, schema: Any) -> None:
        self.named: dict[str, dict[str, Any]] = {}
        self.root = self._walk(schema, "")

    def resolve(self, node: Any) -> Any:
        """The definition behind a named-type reference; anything else unchanged."""
        if isinstance(node, str) and node not in PRIMITIVES:
            return self.named[node]
        return node

    def _walk(self, node: Any, namespace: str) -> Any:
        if isinstance(node, list):
            return [self._walk(branch, namespace) for branch in node]
        if isinstance(node, str):
            return node if node in PRIMITIVES else _full_name(node, namespace)
        kind = node["type"]
        if kind in _NAMED:
            return self._define(node, namespace)
        if kind == "array":
            return {"type": "array", "items": self._walk(node["items"], namespace)}
        if kind == "map":
            return {"type": "map", "values": self._walk(node["values"], namespace)}
        return self._walk(kind, namespace)  # a primitive with attributes, e.g. a logical type

    def _define(self, node: dict[str, Any], namespace: str) -> str:
        name = _full_name(node["name"], node.get("namespace") or namespace)
        inner = name.rpartition(".")[0]
        kind = "record" if node["type"] == "error" else node["type"]
        aliases = {_full_name(alias, inner) for alias in node.get("aliases", [])}
        definition = {**node, "type": kind, "name": name, "aliases": aliases}
        self.named[name] = definition
        if kind == "record":
            definition["fields"] = [{**f, "type": self._walk(f["type"], inner)} for f in node["fields"]]
        return name


class _Resolution:
    """Walks a reader and a writer schema side by side, as a decoder resolving data would."""

    def __init__(self, reader: _NamedTypes, writer: _NamedTypes) -> None:
        self.reader = reader
        self.writer = writer
        self.in_progress: set[tuple[str, str]] = set()

    def resolve_node(self, r: Any, w: Any, path: str) -> list[Incompatibility]:
        if isinstance(w, list):
            return [
                issue for branch in w for issue in self.resolve_node(r, branch, self._branch(path, branch))
            ]
        if isinstance(r, list):
            chosen = next((branch for branch in r if self.mismatch(branch, w) is None), None)
            if chosen is None:
                union = ", ".join(self.describe(self.reader, b) for b in r)
                return [
                    Incompatibility(
                        path,
                        f"reader union [{union}] has no branch for writer {self.describe(self.writer, w)}",
                    )
                ]
            return self.resolve_node(chosen, w, path)
        reason = self.mismatch(r, w)
        if reason is not None:
            return [Incompatibility(path, reason)]
        return self.resolve_matched(self.reader.resolve(r), self.writer.resolve(w), path)

    def mismatch(self, r: Any, w: Any) -> str | None:
        """Why a (non-union) reader type cannot take a writer type at all; None when it can."""
        if isinstance(r, list) or isinstance(w, list):
            return None
        r_def, w_def = self.reader.resolve(r), self.writer.resolve(w)
        r_kind, w_kind = _kind(r_def), _kind(w_def)
        described = (
            f"reader {self.describe(self.reader, r)} cannot read writer {self.describe(self.writer, w)}"
        )
        if r_kind != w_kind:
            return None if r_kind in _PROMOTIONS.get(w_kind, ()) else described
        if r_kind not in _NAMED:
            return None
        if not _names_match(r_def, w_def):
            return f"{described}: names differ"
        if r_kind == "fixed" and r_def["size"] != w_def["size"]:
            return f"{described}: fixed size {r_def['size']} in reader, {w_def['size']} in writer"
        return None

    def resolve_matched(self, r: Any, w: Any, path: str) -> list[Incompatibility]:
        kind = _kind(r)
        if kind == "record":
            return self.resolve_record(r, w, path)
        if kind == "enum":
            unknown = [symbol for symbol in w["symbols"] if symbol not in r["symbols"]]
            if unknown and "default" not in r:
                enum = _short(r["name"])
                return [
                    Incompatibility(
                        path, f"writer symbols {unknown} unknown to reader enum {enum} (no default)"
                    )
                ]
        if kind == "array" and _kind(w) == "array":
            return self.resolve_node(r["items"], w["items"], f"{path}[]")
        if kind == "map" and _kind(w) == "map":
            return self.resolve_node(r["values"], w["values"], f"{path}{{}}")
        return []

    def resolve_record(self, r: dict[str, Any], w: dict[str, Any], path: str) -> list[Incompatibility]:
        pair = (r["name"], w["name"])
        if pair in self.in_progress:  # a recursive type: assume what is being proven
            return []
        self.in_progress.add(pair)
        writer_fields = {f["name"]: f for f in w["fields"]}
        issues: list[Incompatibility] = []
        for field in r["fields"]:
            names = [field["name"], *field.get("aliases", [])]
            found = next((writer_fields[n] for n in names if n in writer_fields), None)
            where = _join(path, field["name"])
            if found is not None:
                issues += self.resolve_node(field["type"], found["type"], where)
            elif "default" not in field:
                issues.append(Incompatibility(where, "reader field has no default and writer lacks it"))
        self.in_progress.discard(pair)
        return issues

    def _branch(self, path: str, branch: Any) -> str:
        """Path of a writer union branch: named branches add their short name (payload.PenaltyDecided)."""
        if isinstance(branch, str) and branch not in PRIMITIVES:
            return _join(path, _short(branch))
        return path

    @staticmethod
    def describe(types: _NamedTypes, node: Any) -> str:
        if isinstance(node, list):
            return "union [" + ", ".join(_Resolution.describe(types, b) for b in node) + "]"
        definition = types.resolve(node)
        kind = _kind(definition)
        if kind in _NAMED:
            return f"{kind} {_short(definition['name'])}"
        if kind == "array":
            return f"array<{_Resolution.describe(types, definition['items'])}>"
        if kind == "map":
            return f"map<{_Resolution.describe(types, definition['values'])}>"
        return str(kind)


def _kind(definition: Any) -> str:
    return definition if isinstance(definition, str) else str(definition["type"])


def _names_match(r: dict[str, Any], w: dict[str, Any]) -> bool:
    """Unqualified names agree, or the reader lists the writer's name among its aliases."""
    return _short(r["name"]) == _short(w["name"]) or w["name"] in r["aliases"]


def _full_name(name: str, namespace: str) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


def _short(name: str) -> str:
    return name.rpartition(".")[2]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
