"""The audit's pieces alone: which routes a row is written for, what a handler notes, how the query string
is recorded (every value, in order, whatever the characters)."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from services.api.audited_requests import (
    NEVER_AUDITED,
    REFUSALS_ONLY,
    AuditPolicy,
    policy_of,
    query_parameters,
)
from services.api.request_audit import RequestAudit, audit_of


def test_routes_are_audited_unless_named_with_a_reason() -> None:
    assert policy_of("GET", "/api/cases") is AuditPolicy.EVERY_REQUEST
    assert policy_of("POST", "/login") is AuditPolicy.EVERY_REQUEST
    assert policy_of("GET", "/login") is AuditPolicy.REFUSALS_ONLY
    assert policy_of("GET", "/registry/schemas/ids/{schema_id}") is AuditPolicy.REFUSALS_ONLY
    assert policy_of("POST", "/registry/subjects/{subject}/versions") is AuditPolicy.EVERY_REQUEST
    assert policy_of("GET", "/healthz") is AuditPolicy.NEVER
    assert policy_of("HEAD", "/healthz") is AuditPolicy.NEVER
    assert policy_of("HEAD", "/api/cases") is AuditPolicy.EVERY_REQUEST
    assert policy_of("POST", "/healthz") is AuditPolicy.EVERY_REQUEST  # the method is part of the exemption
    assert all(len(reason) > 20 for reason in (*NEVER_AUDITED.values(), *REFUSALS_ONLY.values()))


def test_a_refusal_overrides_the_response_status_and_a_read_keeps_an_earlier_resource() -> None:
    facts = RequestAudit()
    facts.read(rows=0, resource="VN-1")
    facts.read(rows=4)
    assert (facts.rows, facts.resource, facts.outcome) == (4, "VN-1", None)
    facts.refused(409, resource="VN-2")
    assert (facts.outcome, facts.resource) == (409, "VN-2")


def request_with(pairs: list[tuple[str, str]]) -> Request:
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": urlencode(pairs).encode()}
    return Request(scope)


def test_the_same_request_has_one_set_of_audit_facts() -> None:
    request = request_with([])
    assert audit_of(request) is audit_of(request)


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)  # NUL and controls included


@given(st.lists(st.tuples(names, values), max_size=12))
def test_every_query_value_is_recorded_in_order(pairs: list[tuple[str, str]]) -> None:
    recorded = query_parameters(request_with(pairs))
    assert set(recorded) == {name for name, _ in pairs}
    for name in recorded:
        sent = [value for key, value in pairs if key == name]
        assert recorded[name] == (sent[0] if len(sent) == 1 else sent)
