"""Per-agency column mappings, read from the TOML files in mappings/ (documented in docs/importers.md)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from producers.importers.text import header_key
from schemas.errors import CasehubError
from schemas.vocabulary import DistributionLevel, InspectionKind

KINDS = frozenset(
    {
        "text",
        "date",
        "money",
        "phone",
        "tax_code",
        "province",
        "category",
        "platform",
        "url",
        "yes_no",
        "quantity",
    }
)


class MappingError(CasehubError):
    """A mapping file is wrong, or a report lacks a column its agency's mapping requires."""


@dataclass(frozen=True)
class Field:
    """A canonical field of a case report: its Vietnamese label, how a cell is read, its header spellings."""

    name: str
    label: str
    kind: str
    headers: tuple[str, ...]


@dataclass(frozen=True)
class AgencyMapping:
    """How one agency's report reads: fields, natural key, required fields and what each row tells."""

    agency: str
    reporting_unit: str
    fields: dict[str, Field]
    key: tuple[str, ...]
    required: tuple[str, ...]
    defaults: dict[str, str]
    inspection: InspectionKind | None
    closes_cases: bool
    distribution: DistributionLevel
    handling: str | None
    by_header: dict[str, Field]

    def field_of_header(self, header: str) -> Field | None:
        """The field a report header stands for, whatever its diacritics, case or bracketed notes."""
        return self.by_header.get(header_key(header))


def _read(name: str) -> dict[str, Any]:
    try:
        text = resources.files(__package__).joinpath("mappings", f"{name}.toml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(f"no column mapping for agency {name!r} (see docs/importers.md)") from None
    return tomllib.loads(text)


@cache
def vocabulary() -> dict[str, Any]:
    """Cell words → contract codes (categories, platforms, URL hosts, yes/no)."""
    return _read("vocabulary")


@cache
def agency_mapping(agency: str) -> AgencyMapping:
    """The mapping of an agency: common fields plus the agency's own header spellings and defaults."""
    if agency in ("common", "vocabulary") or not agency.isalnum():
        raise MappingError(f"no column mapping for agency {agency!r}")
    own = _read(agency)
    extra = own.get("headers", {})
    fields = {
        name: Field(name, spec["label"], spec["kind"], (*extra.get(name, ()), *spec["headers"]))
        for name, spec in _read("common")["fields"].items()
    }
    named = (*extra, *own.get("key", ()), *own.get("required", ()), *own.get("defaults", {}))
    unknown = [name for name in named if name not in fields]
    if unknown or any(f.kind not in KINDS for f in fields.values()):
        raise MappingError(f"mapping {agency}.toml names unknown fields or kinds: {unknown}")
    inspection = own.get("inspection")
    return AgencyMapping(
        agency=own["agency"],
        reporting_unit=own["reporting_unit"],
        fields=fields,
        key=tuple(own["key"]),
        required=tuple(own.get("required", ())),
        defaults=dict(own.get("defaults", {})),
        inspection=InspectionKind(inspection) if inspection else None,
        closes_cases=bool(own.get("closes_cases", False)),
        distribution=DistributionLevel(own.get("distribution", "ALL_AGENCIES")),
        handling=own.get("handling"),
        by_header={header_key(h): f for f in fields.values() for h in (*f.headers, f.label, f.name)},
    )


def mapped_agencies() -> list[str]:
    """The agencies with a mapping file."""
    folder = resources.files(__package__).joinpath("mappings")
    names = (entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))
    return sorted(n for n in names if n not in ("common", "vocabulary"))
