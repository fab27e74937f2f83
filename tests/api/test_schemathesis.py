"""Schemathesis against ``/openapi.json``: generated requests never get a 5xx nor an off-schema answer.

Every operation of the schema gets requests generated from it, valid ones (positive) and ones that
break it (negative: wrong types, missing fields, values out of range), a bounded number of each,
seeded (Hypothesis ``derandomize``: the same examples on every run). Each answer must pass the
response checks: no server error, a status code the schema lists, the declared content type and
headers, a body valid against the declared schema (the error body for 4xx and 5xx too), and a 4xx
for every request that breaks the schema. Requests the schema allows may still be refused (an
unknown filter value is a 422 listing the valid ones), so positive-data acceptance is not checked.

The schema is read when the module is imported, from an app that has no index yet (the schema needs
none); the fixture then hands that app the session's index of the seed corpus (hashing encoder).
Schemathesis's own pytest plugin (``from_fixture``) is not used: it writes pytest's private
``Node._nodeid``, which pytest 9 dropped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from api.state import IndexHolder
from rag.config import make_settings

MAX_EXAMPLES = 60  # per operation and mode: well under a minute for the whole schema on 2 cores
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

_placeholder = make_settings(index_dir=Path("/nonexistent/index"))
APP = create_app(_placeholder, holder=IndexHolder(_placeholder, check_interval=-1), reload_interval=-1)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}
# Negative cases need an input the schema constrains: a body or query parameters. Path parameters are
# free strings (an unknown id is a 404, tested in test_bad_input.py) and /healthz takes nothing.
CASES = [(label, GenerationMode.POSITIVE) for label in OPERATIONS] + [
    (label, GenerationMode.NEGATIVE)
    for label, operation in OPERATIONS.items()
    if len(operation.body) or len(operation.query)
]


@pytest.fixture(scope="module", autouse=True)
def serve_the_hash_index(hash_index_settings, api_holder):  # type: ignore[no-untyped-def]
    APP.state.settings = hash_index_settings
    APP.state.holder = api_holder


def test_the_schema_lists_every_public_operation():
    assert set(OPERATIONS) >= {
        "GET /healthz",
        "POST /search",
        "GET /search",
        "POST /ask",
        "POST /precedents",
        "GET /documents",
        "GET /documents/{doc}/outline",
        "GET /passages/{passage_id}",
    }


@pytest.mark.slow
@pytest.mark.parametrize(("label", "mode"), CASES, ids=[f"{label} {mode.value}" for label, mode in CASES])
def test_every_operation_answers_within_its_schema(label: str, mode: GenerationMode) -> None:
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    check()
