"""Per-agency column mappings, read from the TOML files in mappings/ (documented in docs/importers.md)."""

from __future__ import annotations

import csv
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
        "shop",
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
        """The field a report header stands for, whatever its diacritics, case or bracketed notes; a header
        no spelling matches exactly is the field of the longest spelling of two words or more it starts
        with ("Đường dẫn bài đăng trên sàn" → listing_url), since units lengthen headers freely."""
        key = header_key(header)
        exact = self.by_header.get(key)
        if exact is not None:
            return exact
        return next(
            (field for spelling, field in self._by_length() if key.startswith(spelling + " ")),
            None,
        )

    def _by_length(self) -> list[tuple[str, Field]]:
        return _prefixes(self.agency)


@dataclass(frozen=True)
class Synonym:
    """A header spelling of header_synonyms.csv, with the agencies it is for (empty = all) and its source."""

    field: str
    header: str
    agencies: tuple[str, ...]
    source: str


@cache
def header_synonyms() -> tuple[Synonym, ...]:
    """The collected header spellings (mappings/header_synonyms.csv), each with where it comes from."""
    table = resources.files(__package__).joinpath("mappings", "header_synonyms.csv")
    rows = csv.DictReader(table.read_text(encoding="utf-8").splitlines())
    return tuple(
        Synonym(row["field"], row["header"], tuple(filter(None, row["agencies"].split(";"))), row["source"])
        for row in rows
    )


@cache
def _prefixes(agency: str) -> list[tuple[str, Field]]:
    """Spellings of two words or more, longest first: what a lengthened header may start with."""
    mapping = agency_mapping(agency)
    long = {key: f for key, f in mapping.by_header.items() if len(key.split()) >= 2}
    return sorted(long.items(), key=lambda item: (-len(item[0]), item[0]))


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
    collected: dict[str, list[str]] = {}
    for synonym in header_synonyms():
        if not synonym.agencies or agency in synonym.agencies:
            collected.setdefault(synonym.field, []).append(synonym.header)
    fields = {
        name: Field(
            name,
            spec["label"],
            spec["kind"],
            (*extra.get(name, ()), *spec["headers"], *collected.pop(name, ())),
        )
        for name, spec in _read("common")["fields"].items()
    }
    named = (*extra, *own.get("key", ()), *own.get("required", ()), *own.get("defaults", {}))
    unknown = [name for name in (*named, *collected) if name not in fields]
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
        by_header=_by_header(fields, extra),
    )


def _by_header(fields: dict[str, Field], own: dict[str, list[str]]) -> dict[str, Field]:
    """Header key → field; the agency's own spellings win over the common ones and the collected synonyms."""
    found = {header_key(h): f for f in fields.values() for h in (*f.headers, f.label, f.name)}
    found.update({header_key(h): fields[name] for name, spellings in own.items() for h in spellings})
    return found


def mapped_agencies() -> list[str]:
    """The agencies with a mapping file."""
    folder = resources.files(__package__).joinpath("mappings")
    names = (entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))
    return sorted(n for n in names if n not in ("common", "vocabulary"))
