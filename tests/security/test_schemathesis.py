"""The OpenAPI contract under fuzzing: schemathesis generates valid and invalid requests for
every operation, as a dispatcher, a handler and a member; none may end in a server error,
and every answer must match the documented status codes, media types and schemas.

Bounded: a fixed number of examples per operation and role (GRID_FUZZ_EXAMPLES, default 12)
and no shrinking deadline, so the module runs in a minute or two.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.config import Settings
from backend.main import create_app
from tests.security.world import World, build_world

EXAMPLES = int(os.environ.get("GRID_FUZZ_EXAMPLES", "12"))
# The document the fuzzer reads: the app's own, as /openapi.json serves it.
SPEC = create_app(Settings(database_url="sqlite://", inprocess_worker=False)).openapi()
schema = schemathesis.openapi.from_dict(SPEC)


def not_a_server_error(ctx, response, case) -> None:
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    with build_world(tmp_path_factory.mktemp("fuzz")) as built:
        yield built


@pytest.mark.parametrize("role", ["dispatcher", "handler", "member"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_answers_match_the_schema(case, role: str, world: World) -> None:
    response = case.call(app=world.app, headers=world.headers[role])
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
