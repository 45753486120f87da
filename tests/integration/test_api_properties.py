"""Property-based API test over the app's own OpenAPI (schemathesis + hypothesis): for every operation and
every demo role (and an anonymous caller and a schema steward), generated requests never get a 5xx and every
documented response conforms to the schema. Prints the figure: operations × roles, calls, server errors.

The bounded run (a few examples per operation and role) is in `make test`; the long one is marked slow.
SQLite for the bounded run; the ops endpoints ask the session's real broker for lag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from services.access.demo import DEMO_PRINCIPALS, demo_token, seed_demo_principals
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.settings import Settings
from tests.analyst_world import NOW, build_world
from tests.run_figures import record

pytestmark = pytest.mark.integration
STEWARD = Principal("t-steward", "Schema steward", None, Role.SCHEMA_STEWARD)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@dataclass
class Tally:
    operations: int = 0
    roles: int = 0
    calls: int = 0
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)
    without_invalid: set[str] = field(default_factory=set)  # operations with no parameter to make invalid

    def figure(self) -> str:
        return (
            f"schemathesis: {self.operations} operations × {self.roles} roles = "
            f"{self.operations * self.roles} pairs, {self.calls} calls, "
            f"{len(self.server_errors)} server errors, {len(self.nonconforming)} nonconforming responses "
            f"({len(self.without_invalid)} operations take no parameter to make invalid)"
        )


@pytest.fixture(scope="module")
def hub(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, dict]]:
    """The analyst world's app, with the demo principals (one per role), a steward and nobody."""
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('props')) / 'casehub.db'}"
    for world in build_world(url):
        seed_demo_principals(world.engine)
        save_principal(world.engine, STEWARD)
        callers: dict[str, dict[str, str]] = {"anonymous": {}}
        for principal in DEMO_PRINCIPALS:  # one demo principal per role
            callers.setdefault(principal.role.value, {"Authorization": f"Bearer {demo_token(principal)}"})
        callers[Role.SCHEMA_STEWARD.value] = {
            "Authorization": f"Bearer {issue_token(world.engine, 't-steward')}"
        }
        app = create_app(
            world.engine,
            Settings(kafka_bootstrap=kafka_bootstrap, connect_timeout_s=5),
            clock=lambda: NOW,
            demo_logins=True,  # demo mode: the demo principals are accepted
        )
        yield app, callers


def exercise(app: object, callers: dict[str, dict[str, str]], examples: int) -> Tally:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tally = Tally(operations=len(operations), roles=len(callers))
    for operation in operations:
        calls(operation, GenerationMode.POSITIVE, callers, tally, examples)()
        if not (len(operation.path_parameters) or len(operation.query) or len(operation.body)):
            tally.without_invalid.add(f"{operation.method.upper()} {operation.path}")
            continue
        try:  # and invalid requests: wrong types, out-of-bound values, missing required parts
            calls(operation, GenerationMode.NEGATIVE, callers, tally, examples)()
        except Unsatisfiable:  # a parameter no value of which is invalid (a free-form string)
            tally.without_invalid.add(f"{operation.method.upper()} {operation.path}")
    return tally


def calls(
    operation: APIOperation,
    mode: GenerationMode,
    callers: dict[str, dict[str, str]],
    tally: Tally,
    examples: int,
) -> Callable[[], None]:
    """Hypothesis' test of one operation: each generated request is sent as every role in turn (generating
    is most of the cost, so a request is drawn once, not once per role); records server errors and
    nonconforming answers."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        for role, headers in callers.items():
            tally.calls += 1
            try:
                response = case.call(headers=headers)
            except Exception as error:  # the test client re-raises what the app let escape: a server error
                tally.server_errors.append(f"{role} {case.method} {case.formatted_path}: {error!r}"[:300])
                continue
            where = f"{role} {case.method} {case.formatted_path} → {response.status_code}"
            if response.status_code >= 500:
                tally.server_errors.append(f"{where}: {response.text[:200]}")
                continue
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Failure, AssertionError, BaseExceptionGroup) as failure:
                tally.nonconforming.append(f"{where}: {str(failure)[:300]}")

    return call


@pytest.mark.timeout(900)  # every operation, each request sent as 6 roles: ~35 s idle
def test_no_operation_answers_any_role_with_a_server_error_or_an_undocumented_body(
    hub: tuple[object, dict[str, dict[str, str]]],
) -> None:
    app, callers = hub
    tally = exercise(app, callers, examples=4)
    record("schemathesis", tally.figure())  # the figure shows in `make test`'s summary
    assert tally.operations >= 30 and tally.roles == 6
    assert tally.server_errors == [], "\n".join(tally.server_errors[:20])
    assert tally.nonconforming == [], "\n".join(tally.nonconforming[:20])


@pytest.mark.slow
def test_the_long_run_finds_no_server_error_either(
    hub: tuple[object, dict[str, dict[str, str]]],
) -> None:
    app, callers = hub
    tally = exercise(app, callers, examples=60)
    record("schemathesis", tally.figure())
    assert tally.server_errors == [], "\n".join(tally.server_errors[:20])
    assert tally.nonconforming == [], "\n".join(tally.nonconforming[:20])
