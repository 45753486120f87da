"""RegistryCatalog: bundled ids locally, other ids fetched once over HTTP, every failure a typed error."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from schemas.catalog import bundled_catalog
from schemas.codec import CaseEventCodec
from schemas.errors import DecodeError, UnknownSchemaError
from schemas.outages import RegistryUnavailable
from schemas.registry_client import RegistryCatalog
from schemas.wire import frame
from tests.factories import opened
from tests.schema_evolution import avro_body, bundled_latest_schema, noted_datum, with_optional_note

EVOLVED = with_optional_note(bundled_latest_schema())


def serving(handler: Callable[[httpx.Request], httpx.Response], calls: list[str]) -> RegistryCatalog:
    def record(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return handler(request)

    return RegistryCatalog("http://registry.test", transport=httpx.MockTransport(record))


def evolved_schema(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/schemas/ids/1000":
        return httpx.Response(200, json={"schema": json.dumps(EVOLVED)})
    return httpx.Response(404, json={"error_code": 40403, "message": "Schema not found"})


def test_bundled_ids_are_served_without_asking_the_registry() -> None:
    calls: list[str] = []
    catalog = serving(evolved_schema, calls)
    for version in bundled_catalog().versions():
        assert catalog.by_id(version.schema_id).text == version.text
    assert catalog.latest() == bundled_catalog().latest()
    assert calls == []


def test_a_registered_id_is_fetched_once_and_cached() -> None:
    calls: list[str] = []
    catalog = serving(evolved_schema, calls)
    first = catalog.by_id(1000)
    assert catalog.by_id(1000) is first
    assert (first.schema_id, first.record) == (1000, "vn.casehub.CaseEvent")
    assert calls == ["/schemas/ids/1000"]


def test_the_codec_decodes_an_event_written_with_a_newer_registered_schema() -> None:
    calls: list[str] = []
    codec = CaseEventCodec(serving(evolved_schema, calls))
    event = opened()
    data = frame(1000, avro_body(EVOLVED, noted_datum(event, "from another producer")))
    assert codec.decode(data) == event


def test_an_id_the_registry_does_not_know_is_an_unknown_schema() -> None:
    catalog = serving(evolved_schema, [])
    with pytest.raises(UnknownSchemaError, match="4242"):
        catalog.by_id(4242)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(500, json={"error_code": 50001, "message": "store down"}), RegistryUnavailable),
        (httpx.Response(200, text="<html>proxy</html>"), DecodeError),
        (httpx.Response(200, json={"schema": '{"type": "Nope"}'}), DecodeError),
    ],
)
def test_a_failing_or_garbled_registry_answer_is_a_typed_error(
    response: httpx.Response, error: type[Exception]
) -> None:
    catalog = serving(lambda _request: response, [])
    with pytest.raises(error):
        catalog.by_id(1000)


def test_an_unreachable_registry_is_unavailable_not_a_bad_message() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(RegistryUnavailable, match="did not answer"):
        serving(refuse, []).by_id(1000)
    assert not issubclass(RegistryUnavailable, DecodeError)
