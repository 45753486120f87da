"""The Alert record: the .avsc and the pydantic models agree, the codec round-trips, ids are deterministic."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from types import UnionType
from typing import Any, Union, get_args, get_origin

import pytest

from schemas import alerts, events
from schemas.alert_codec import AlertCodec
from schemas.alerts import Alert, AlertEvidence, AlertRule, EvidenceIdentifier, alert_id
from schemas.catalog import bundled_catalog
from schemas.codec import CaseEventCodec
from schemas.errors import DecodeError
from schemas.events import Distribution, DistributionLevel
from tests.factories import opened
from tests.unit.test_codec import _named_types

AVSC = json.loads(resources.files("schemas").joinpath("avro/alert.v1.avsc").read_text(encoding="utf-8"))


TYPES = _named_types(AVSC, {})


def model_of(name: str) -> Any:
    return getattr(alerts, name, None) or getattr(events, name)


def nullable(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation)


@pytest.mark.parametrize("name", sorted(n for n, t in TYPES.items() if t["type"] == "record"))
def test_each_alert_record_has_a_model_with_the_same_fields_nullability_and_defaults(name: str) -> None:
    record, model = TYPES[name], model_of(name)
    assert [f["name"] for f in record["fields"]] == list(model.model_fields)
    for field in record["fields"]:
        info = model.model_fields[field["name"]]
        is_nullable = isinstance(field["type"], list) and "null" in field["type"]
        assert is_nullable == nullable(info.annotation), f"{name}.{field['name']}"
        assert ("default" in field) == (not info.is_required()), f"{name}.{field['name']}"


@pytest.mark.parametrize("name", sorted(n for n, t in TYPES.items() if t["type"] == "enum"))
def test_each_alert_enum_has_the_same_symbols(name: str) -> None:
    assert TYPES[name]["symbols"] == [member.value for member in model_of(name)]


def sample() -> Alert:
    return Alert(
        alert_id=alert_id(AlertRule.OVERLAP, "E-1|police,qltt|to:qltt"),
        rule=AlertRule.OVERLAP,
        key="E-1|police,qltt|to:qltt",
        summary="Chồng chéo",
        entity_id="E-1",
        case_ids=("C1",),
        agencies=("qltt",),
        evidence=AlertEvidence(
            event_ids=("e1",),
            identifiers=(EvidenceIdentifier(kind="phone", value="+84912345678"),),
            counts={"agencies": 2},
            hidden_holders=("police",),
        ),
        triggered_at=datetime(2025, 3, 3, tzinfo=UTC),
        raised_at=datetime(2025, 3, 4, tzinfo=UTC),
        distribution=Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("qltt",)),
    )


def test_the_codec_round_trips_an_alert_under_the_catalog_id() -> None:
    codec = AlertCodec()
    data = codec.encode(sample())
    assert (
        data[0] == 0
        and int.from_bytes(data[1:5], "big") == bundled_catalog().latest(alerts.ALERT_RECORD).schema_id == 3
    )
    assert codec.decode(data) == sample()


def test_a_case_event_is_not_decoded_as_an_alert() -> None:
    with pytest.raises(DecodeError, match="not an alert"):
        AlertCodec().decode(CaseEventCodec().encode(opened("C1")))


def test_alert_ids_depend_on_rule_and_key_only() -> None:
    assert (
        alert_id(AlertRule.SPIKE, "k") == alert_id(AlertRule.SPIKE, "k") != alert_id(AlertRule.OVERLAP, "k")
    )
