"""The contract's models as plain checks: a datum judged and built without running pydantic's validator.

Validating a decoded event with pydantic costs the consumer more than reading its Avro: a union of twelve
payload models, three timestamps, a dozen constrained strings, each through the generic machinery. The
checks here are compiled once from the models themselves (field annotations, `Field` constraints,
`AfterValidator` functions, `mode="after"` model validators), so there is no second copy of the rules:
a length, a bound, an enum symbol is read off the model, a pattern is matched by pydantic-core's own
regex (same engine, same answer), a check function or a model validator is the model's own function.

They only ever *accept*: a datum passing every check becomes the same model pydantic would build (built
with `object.__new__`, as `model_construct` does, but without its per-field bookkeeping) and the JSON
`model_dump(mode="json")` would give; on the first doubt, whatever its kind (a failed rule, a type it
does not expect, a model feature it does not know), it raises `Declined` and the caller asks pydantic,
whose verdict and reason are the only ones a sender ever sees. A model using a feature the compiler does
not know (a field validator, a serializer, a config option) is refused at compile time
(`UnsupportedModel`): then every datum goes to pydantic. tests/unit/test_avro_read_fast_path.py compares
the two on generated and mutated events, tests/unit/test_model_building.py the models it builds.
"""

from __future__ import annotations

import enum
import inspect
import math
import types
import typing
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import annotated_types
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import SchemaValidator, core_schema, to_jsonable_python

Check = Callable[[Any], tuple[Any, Any]]
"""A raw value → (the model's value, its JSON form); raises on any doubt."""

_CONFIG_KNOWN = {"frozen", "extra"}
REMEMBERED_CHARS = 128
"""Strings up to this long have their checked value remembered by field (codes, names, units, ids)."""
REMEMBERED_VALUES = 4_096
"""Values remembered per field before its table starts afresh (a few MB at most over all fields)."""


class Declined(Exception):
    """The fast check is not sure; pydantic judges the datum."""


class UnsupportedModel(TypeError):
    """The model uses something the compiler does not translate; pydantic validates every datum."""


def new_model(cls: type[BaseModel], values: dict[str, Any]) -> Any:
    """A model holding already validated values, as `model_construct` builds it (no validation).

    The generated checks inline the same four stores (`_model_lines`); this is their reference, which
    tests/unit/test_model_building.py compares them with."""
    model = object.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", set(values))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


def _slot_setter(name: str) -> Callable[[Any, Any], None]:
    """The `__set__` of BaseModel's own descriptor of `name` (its `__dict__` and three slots).

    Calling it is what `object.__setattr__(model, name, value)` ends in, without looking the attribute
    up through the class on every call: building a model this way costs about half (~0.5 µs less a
    model, ~4 models an event). The descriptors are BaseModel's, so every model class shares them."""
    for klass in BaseModel.__mro__:
        if name in vars(klass):
            setter: Callable[[Any, Any], None] = vars(klass)[name].__set__
            return setter
    raise UnsupportedModel(f"BaseModel has no descriptor {name}")


class ModelChecks:
    """Compiled checks of models, by class; `model(cls)` is a Check building `cls` from a dict.

    Each model becomes one generated Python function, straight-line over its fields (the per-field
    closures of a first version cost more than pydantic itself). `field_overrides` replaces the check
    of one field: the only union of models the contract has is the event's payload, chosen by the
    envelope's `event_type`, so that one is compiled by the caller (schemas/avro_read_fast_path.py).
    A model in `no_json` gives None for the JSON of its plain fields (the envelope: the log row keeps
    its values, not their JSON); its model fields still give theirs. Validators in `pure` are functions
    of the value alone, so a string field whose rules use no others remembers the values that passed.
    """

    def __init__(
        self,
        before_validators: frozenset[tuple[type[BaseModel], str]] = frozenset(),
        no_json: frozenset[type[BaseModel]] = frozenset(),
        pure: frozenset[Callable[[Any], Any]] = frozenset(),
    ) -> None:
        self._names: dict[type[BaseModel], str] = {}
        self._patterns: dict[str, str] = {}
        self._before = before_validators
        self._no_json = no_json
        self._pure = pure
        self.field_overrides: dict[tuple[type[BaseModel], str], Check] = {}
        self._env: dict[str, Any] = {
            "_D": Declined,
            "_object_new": object.__new__,
            "_set_dict": _slot_setter("__dict__"),
            "_set_fields": _slot_setter("__pydantic_fields_set__"),
            "_set_extra": _slot_setter("__pydantic_extra__"),
            "_set_private": _slot_setter("__pydantic_private__"),
            "_jsonable": to_jsonable_python,
            "_isfinite": math.isfinite,
            "_str": str,
            "_datetime": datetime,
            "_UUID": uuid.UUID,
            "_list": list,
            "_tuple": tuple,
            "_dict": dict,
            "len": len,
        }
        self._counter = 0

    def model(self, cls: type[BaseModel]) -> Check:
        """The compiled check of `cls` (compiling it, and the models it holds, on first use)."""
        sources: list[str] = []
        name = self._model(cls, sources)
        if sources:
            exec(compile("\n\n".join(sources), f"<fast check of {cls.__name__}>", "exec"), self._env)
        check: Check = self._env[name]
        return check

    def _unique(self, prefix: str) -> str:
        self._counter += 1
        return f"_{prefix}{self._counter}"

    def _constant(self, value: Any, prefix: str = "c") -> str:
        name = self._unique(prefix)
        self._env[name] = value
        return name

    def _model(self, cls: type[BaseModel], sources: list[str]) -> str:
        if cls in self._names:
            return self._names[cls]
        after = self.after_validators(cls)
        function = self._names[cls] = self._unique(f"check_{cls.__name__}_")
        want_json = cls not in self._no_json
        lines = [
            f"def {function}(raw):",
            f"    if raw.__class__ is not _dict or len(raw) != {len(cls.model_fields)}:",
            "        raise _D('not this record')",
        ]
        typed: list[str] = []
        dumped: list[str] = []
        for field_name, info in cls.model_fields.items():
            t, j = self._unique("t"), self._unique("j")
            override = self.field_overrides.get((cls, field_name))
            if override is not None:
                lines.append(f"    {t}, {j} = {self._constant(override, 'field')}(raw[{field_name!r}])")
            else:
                source = f"raw[{field_name!r}]"
                metadata = _metadata(info)
                lines.extend(self._value(info.annotation, metadata, source, t, j, "    ", want_json, sources))
            typed.append(f"{field_name!r}: {t}")
            dumped.append(f"{field_name!r}: {j}")
        lines.extend(self.model_lines(cls, typed, after))
        lines.append(f"    return model, {{{', '.join(dumped)}}}")
        sources.append("\n".join(lines))
        return function

    def after_validators(self, cls: type[BaseModel]) -> list[str]:
        """The names of `cls`'s after validators in the generated code's namespace; UnsupportedModel
        when `cls` uses a config option, validator, serializer or field feature not compiled."""
        unknown_config = set(cls.model_config) - _CONFIG_KNOWN
        if unknown_config or cls.model_config.get("extra") != "forbid":
            raise UnsupportedModel(f"{cls.__name__}: config {sorted(cls.model_config)} not compiled")
        decorators = cls.__pydantic_decorators__
        if (
            decorators.field_validators
            or decorators.field_serializers
            or decorators.model_serializers
            or decorators.validators
            or decorators.root_validators
            or cls.model_computed_fields
        ):
            raise UnsupportedModel(f"{cls.__name__}: field validators or serializers are not compiled")
        after: list[str] = []
        for validator_name, decorator in decorators.model_validators.items():
            mode = decorator.info.mode
            if mode == "before" and (cls, validator_name) in self._before:
                continue  # the caller does its work (choosing the payload class)
            if mode != "after" or len(inspect.signature(decorator.func).parameters) != 1:
                raise UnsupportedModel(f"{cls.__name__}.{validator_name}: {mode} validator not compiled")
            after.append(self._constant(decorator.func, "after"))
        for field_name, info in cls.model_fields.items():
            if info.alias or info.validation_alias or info.discriminator:
                raise UnsupportedModel(f"{cls.__name__}.{field_name}: alias or discriminator not compiled")
        return after

    def model_lines(self, cls: type[BaseModel], typed: list[str], after: list[str]) -> list[str]:
        """Lines building `model` as `new_model` does, inlined, with one fields-set per class, then
        running its after validators (`typed`: the `'name': variable` pairs of its fields).

        Every field is always set (an Avro record has them all), so each model's fields-set is the set of
        all its fields. A frozen model can share one: pydantic only changes a fields-set through
        `__setattr__` (refused when frozen) or on a copy (`model_copy` copies it first)."""
        fields = set(cls.model_fields)
        fields_set = self._constant(fields, "fields")
        if not cls.model_config.get("frozen"):
            fields_set += ".copy()"
        lines = [
            f"    model = _object_new({self._constant(cls, 'model')})",
            f"    _set_dict(model, {{{', '.join(typed)}}})",
            f"    _set_fields(model, {fields_set})",
            "    _set_extra(model, None)",
            "    _set_private(model, None)",
        ]
        for validator in after:
            lines.append(f"    if {validator}(model) is not model:")
            lines.append("        raise _D('a model validator replaced the model')")
        return lines

    def _value(
        self,
        annotation: Any,
        metadata: list[Any],
        source: str,
        t: str,
        j: str,
        indent: str,
        want_json: bool,
        sources: list[str],
    ) -> list[str]:
        """Lines setting `t` to the model's value of `source` and `j` to its JSON (None if unwanted)."""
        if typing.get_origin(annotation) is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            return self._value(base, [*_expanded(extra), *metadata], source, t, j, indent, want_json, sources)
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            branches = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(branches) != 1 or len(typing.get_args(annotation)) != 2:
                raise UnsupportedModel(f"union {annotation} is not compiled")
            held = self._unique("o")
            return [
                f"{indent}{held} = {source}",
                f"{indent}if {held} is None:",
                f"{indent}    {t} = {j} = None",
                f"{indent}else:",
                *self._value(branches[0], metadata, held, t, j, indent + "    ", want_json, sources),
            ]
        if origin is tuple:
            args = typing.get_args(annotation)
            if len(args) != 2 or args[1] is not Ellipsis:
                raise UnsupportedModel(f"{annotation} is not compiled")
            held, typed, dumped = self._unique("a"), self._unique("tl"), self._unique("jl")
            item, ti, ji = self._unique("e"), self._unique("ti"), self._unique("ji")
            return [
                f"{indent}{held} = {source}",
                f"{indent}if {held}.__class__ is not _list:",
                f"{indent}    raise _D('not a list')",
                f"{indent}{typed} = []",
                f"{indent}{dumped} = []",
                f"{indent}for {item} in {held}:",
                *self._value(args[0], [], item, ti, ji, indent + "    ", want_json, sources),
                f"{indent}    {typed}.append({ti})",
                f"{indent}    {dumped}.append({ji})",
                f"{indent}{t} = _tuple({typed})",
                *self._rules(t, metadata, indent),
                f"{indent}{j} = {dumped if want_json else None}",
            ]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if metadata:
                raise UnsupportedModel(f"constraints on a model field {annotation.__name__}")
            return [f"{indent}{t}, {j} = {self._model(annotation, sources)}({source})"]
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            if metadata or not issubclass(annotation, str):
                raise UnsupportedModel(f"enum {annotation.__name__} with constraints or not a str enum")
            members = self._constant({member.value: member for member in annotation}, "members")
            return [
                f"{indent}{j} = {source}",
                f"{indent}if {j}.__class__ is not _str:",
                f"{indent}    raise _D('enum symbol not a string')",
                f"{indent}{t} = {members}[{j}]",  # KeyError: not a symbol (declined)
            ] + ([] if want_json else [f"{indent}{j} = None"])
        kinds = {str: "_str", int: "int", float: "float", datetime: "_datetime", uuid.UUID: "_UUID"}
        if annotation not in kinds:
            raise UnsupportedModel(f"{annotation} is not compiled")
        self._env.setdefault("int", int)
        self._env.setdefault("float", float)
        lines = [
            f"{indent}{t} = {source}",
            f"{indent}if {t}.__class__ is not {kinds[annotation]}:",
            f"{indent}    raise _D('not a {annotation.__name__}')",
        ]
        if annotation is datetime:
            lines += [f"{indent}if {t}.tzinfo is None:", f"{indent}    raise _D('naive datetime')"]
        return lines + self.typed_leaf(annotation, metadata, t, j, indent, want_json)

    def typed_leaf(
        self, annotation: Any, metadata: list[Any], t: str, j: str, indent: str, want_json: bool
    ) -> list[str]:
        """Lines applying the rules of a plain field to `t`, already of the annotation's type (an aware
        datetime for a datetime), and setting `j` to its JSON (None if unwanted)."""
        lines: list[str] = []
        if annotation is str and self._rememberable(metadata):
            lines += self._remembered_rules(t, metadata, indent)
        else:
            lines += self._rules(t, metadata, indent)
        if not want_json:
            lines.append(f"{indent}{j} = None")
        elif annotation is datetime:
            lines.append(f"{indent}{j} = _jsonable({t})")  # pydantic's own ISO form
        elif annotation is uuid.UUID:
            lines.append(f"{indent}{j} = _str({t})")
        else:
            lines.append(f"{indent}{j} = {t}")
        return lines

    def _rememberable(self, metadata: list[Any]) -> bool:
        """Whether a string's rules give the same answer for the same value every time: lengths and
        patterns do, and so do the validators the caller names as pure; an unknown validator might not."""
        validators = [c.func for c in metadata if isinstance(c, AfterValidator)]
        return bool(metadata) and all(v in self._pure for v in validators)

    def _remembered_rules(self, t: str, metadata: list[Any], indent: str) -> list[str]:
        """The rules of a string field, skipped for a value that passed them before (agency codes, units,
        producers, names repeat from event to event): its checked value is remembered. Only short values
        (at most REMEMBERED_CHARS) and at most REMEMBERED_VALUES of them per field, so the memory stays
        small; a value that fails is never remembered, so its error is raised every time."""
        memo, hit, raw = self._constant({}, "memo"), self._unique("hit"), self._unique("raw")
        return [
            f"{indent}{hit} = {memo}.get({t}) if len({t}) <= {REMEMBERED_CHARS} else None",
            f"{indent}if {hit} is None:",
            f"{indent}    {raw} = {t}",
            *self._rules(t, metadata, indent + "    "),
            f"{indent}    if len({raw}) <= {REMEMBERED_CHARS}:",
            f"{indent}        if len({memo}) >= {REMEMBERED_VALUES}:",
            f"{indent}            {memo}.clear()",
            f"{indent}        {memo}[{raw}] = {t}",
            f"{indent}else:",
            f"{indent}    {t} = {hit}",
        ]

    def _rules(self, t: str, metadata: list[Any], indent: str) -> list[str]:
        """Lines applying each constraint to `t` (an AfterValidator may replace it)."""
        lines: list[str] = []
        for constraint in metadata:
            lines.extend(f"{indent}{line}" for line in self._rule(t, constraint))
        return lines

    def _rule(self, t: str, constraint: Any) -> list[str]:
        comparisons = (
            (annotated_types.MinLen, "min_length", "len({t}) >= {c}"),
            (annotated_types.MaxLen, "max_length", "len({t}) <= {c}"),
            (annotated_types.Ge, "ge", "{t} >= {c}"),
            (annotated_types.Le, "le", "{t} <= {c}"),
            (annotated_types.Gt, "gt", "{t} > {c}"),
            (annotated_types.Lt, "lt", "{t} < {c}"),
        )
        for kind, attribute, test in comparisons:
            if isinstance(constraint, kind):
                bound = self._constant(getattr(constraint, attribute))
                return [f"if not ({test.format(t=t, c=bound)}):", f"    raise _D({attribute!r})"]
        if isinstance(constraint, AfterValidator):
            if len(inspect.signature(constraint.func).parameters) != 1:
                raise UnsupportedModel(f"validator {constraint.func} takes more than the value")
            return [f"{t} = {self._constant(constraint.func, 'validator')}({t})"]
        attributes = {k: v for k, v in vars(constraint).items() if v is not None}
        if set(attributes) == {"allow_inf_nan"}:
            return [] if attributes["allow_inf_nan"] else [f"if not _isfinite({t}):", "    raise _D('inf')"]
        if type(constraint).__name__ == "_PydanticGeneralMetadata" and set(attributes) == {"pattern"}:
            return [f"{self._pattern(attributes['pattern'])}({t})"]
        raise UnsupportedModel(f"constraint {constraint!r} is not compiled")

    def _pattern(self, pattern: str) -> str:
        """pydantic-core's own matcher of the pattern: its regex engine, so its exact answer."""
        if pattern not in self._patterns:
            matcher = SchemaValidator(core_schema.str_schema(pattern=pattern)).validate_python
            self._patterns[pattern] = self._constant(matcher, "pattern")
        return self._patterns[pattern]


def _metadata(info: FieldInfo) -> list[Any]:
    return _expanded(info.metadata)


def _expanded(metadata: list[Any]) -> list[Any]:
    """Annotated extras with any nested FieldInfo opened into its constraints."""
    out: list[Any] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            out.extend(_expanded(item.metadata))
        else:
            out.append(item)
    return out
