"""Adding an event type takes its .avsc, its model, its entry and its test: shown with a TEST-ONLY type,
WarningIssued (tests/unit/added_event_type/), that no other file of the hub knows about.

The schema is a new version, BACKWARD compatible with the current one; once its entry is registered,
the case fold, the projections, the timeline's summary, the withholding of private fields and the
labels all handle it; without its entry, the completeness check names it and the fold refuses it.
"""

from __future__ import annotations

import copy
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from consumers import event_types
from consumers.case_fold import fold_case
from consumers.event_types import registry
from consumers.projections import apply_events, stored_event
from consumers.records import StoredEvent
from consumers.visibility import Viewer
from schemas.catalog import bundled_catalog
from schemas.codec import to_avro
from schemas.compatibility import CompatibilityLevel, check_compatibility
from schemas.errors import ContractViolation
from schemas.payloads import AnyPayload, LegalBasis
from services.reports.labels import label
from services.views.case_detail import timeline_entry
from services.web.event_summary import summary
from tests.factories import opened, penalty
from tests.fakes import MemoryCaseStore
from tests.unit.added_event_type.warning_issued import ENTRY, WarningIssued
from tests.unit.test_event_type_registry import missing_entries

CASE = "VN-2025-QLTT-00042"
HERE = Path(__file__).parent / "added_event_type"


def _current() -> dict[str, Any]:
    return dict(json.loads(bundled_catalog().latest().text))


def _next_version() -> dict[str, Any]:
    """The current envelope with WarningIssued added to its payload union: what case_event.v3 would be."""
    schema = copy.deepcopy(_current())
    union = next(f["type"] for f in schema["fields"] if f["name"] == "payload")
    union.append(json.loads((HERE / "warning_issued.avsc").read_text(encoding="utf-8")))
    return schema


def _warning(**fields: Any) -> WarningIssued:
    return WarningIssued(decision_number="QĐ-17/2026/QLTT", **fields)


def _stored_warning(payload: WarningIssued, agency: str = "qltt") -> StoredEvent:
    """A stored WarningIssued event (CaseEvent's union does not hold test-only types, the log row does)."""
    base = stored_event(opened(CASE, minutes=0), "casehub.cases.qltt", 0, 99)
    return replace(
        base,
        event_id="00000000-0000-4000-8000-000000000042",
        event_type="WarningIssued",
        agency=agency,
        occurred_at=base.occurred_at + timedelta(hours=1),
        payload=payload.model_dump(mode="json"),
    )


@pytest.fixture
def with_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """WarningIssued's entry registered, as its module in consumers/event_types/ would be."""
    monkeypatch.setattr(registry, "EVENT_TYPES", registry.EVENT_TYPES.with_entries(ENTRY))


def test_the_new_schema_version_is_backward_compatible_with_the_current_one() -> None:
    result = check_compatibility(CompatibilityLevel.BACKWARD, _next_version(), [(2, _current())])
    assert result.messages == ()


def test_events_written_with_the_current_schema_read_with_the_new_one() -> None:
    written = io.BytesIO()
    schemaless_writer(written, bundled_catalog().latest().parsed, to_avro(penalty(CASE, "qltt", 5_000_000)))
    written.seek(0)
    datum = schemaless_reader(written, bundled_catalog().latest().parsed, parse_schema(_next_version()))
    assert isinstance(datum, dict)
    assert datum["payload"]["fine_vnd"] == 5_000_000


def test_a_warning_written_with_the_new_schema_reads_back_into_its_model() -> None:
    sent = _warning(
        violator_name="Hộ kinh doanh Minh Anh",
        legal_basis=LegalBasis(instrument="98/2020/NĐ-CP", article="15"),
    )
    new = parse_schema(_next_version())
    datum = to_avro(penalty(CASE, "qltt", 1)) | {"event_type": "WarningIssued"}
    datum["payload"] = ("vn.casehub.WarningIssued", sent.model_dump(mode="json"))
    buffer = io.BytesIO()
    schemaless_writer(buffer, new, datum)
    buffer.seek(0)
    read = schemaless_reader(buffer, new, new)
    assert isinstance(read, dict)
    assert WarningIssued.model_validate(read["payload"]) == sent


def test_the_model_mirrors_its_avsc_record_field_for_field() -> None:
    record = json.loads((HERE / "warning_issued.avsc").read_text(encoding="utf-8"))
    optional = {f["name"] for f in record["fields"] if "default" in f}
    assert [f["name"] for f in record["fields"]] == list(WarningIssued.model_fields)
    assert optional == {name for name, f in WarningIssued.model_fields.items() if not f.is_required()}


def test_without_its_entry_the_type_is_named_missing_and_refused() -> None:
    contract = {*get_args(AnyPayload), WarningIssued}
    assert missing_entries(registry.EVENT_TYPES, contract) == ["WarningIssued has no entry"]
    with pytest.raises(ContractViolation, match="'WarningIssued'"):
        fold_case(CASE, [_stored_warning(_warning())])


@pytest.mark.usefixtures("with_warning")
def test_with_its_entry_the_registry_is_complete_again() -> None:
    assert missing_entries(registry.EVENT_TYPES, {*get_args(AnyPayload), WarningIssued}) == []


@pytest.mark.usefixtures("with_warning")
def test_the_case_fold_and_projections_take_the_warning_from_its_entry() -> None:
    store = MemoryCaseStore()
    with store.transaction() as tx:
        apply_events(tx, [stored_event(opened(CASE, minutes=0), "t", 0, 0), _stored_warning(_warning())])
    case = store.state.cases[CASE]
    assert (case.status, case.total_fines_vnd, case.event_count) == ("penalized", 0, 2)
    assert not any(store.state.rows.values()), "neither event has a projection table of its own"


@pytest.mark.usefixtures("with_warning")
def test_the_timeline_summarises_and_names_the_warning_in_both_languages() -> None:
    viewer = Viewer(agency="customs", now=datetime(2026, 12, 6, tzinfo=UTC))
    entry = timeline_entry(viewer, _stored_warning(_warning(violator_name="Hộ kinh doanh Minh Anh")))
    assert summary(entry, "vi") == [
        (("Số quyết định", "Decision no."), "QĐ-17/2026/QLTT"),
        (("Người vi phạm", "Violator"), "Hộ kinh doanh Minh Anh"),
    ]
    assert (label("event_type", "WarningIssued", "vi"), label("event_type", "WarningIssued", "en")) == (
        "Phạt cảnh cáo",
        "Warning issued",
    )


def test_the_event_types_package_is_where_its_entry_module_would_go() -> None:
    modules = {p.stem for p in Path(next(iter(event_types.__path__))).glob("*.py")} - {"__init__"}
    assert {"penalty_decided", "case_closed"} <= modules
    assert "warning_issued" not in modules, "the test-only type must stay out of the shipped registry"
