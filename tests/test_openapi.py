"""The fake's own OpenAPI document stays true to the routing table it is built from."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route

from mock_calcom import MockCalcom, Settings
from mock_calcom.openapi import OPENAPI_PATH, OPERATIONS, build_document, undocumented
from mock_calcom.transports import AsyncCalcomTransport


def _served(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route, walked here independently of the module."""
    for route in routes:
        if isinstance(route, Mount):
            yield from _served(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            path = re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", prefix + route.path)
            for method in (route.methods or {"GET"}) - {"HEAD"}:
                yield method, path


@pytest.fixture(scope="module")
def fake() -> MockCalcom:
    return MockCalcom(Settings(seed=3))


@pytest.fixture(scope="module")
def document(fake: MockCalcom) -> dict[str, Any]:
    return build_document(list(fake.app.routes))


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_served_route_is_described(fake: MockCalcom) -> None:
    missing = sorted(set(_served(list(fake.app.routes))) - set(OPERATIONS))
    assert not missing, (
        "routes without a description in mock_calcom/openapi.py OPERATIONS (add an Op for "
        "each): " + ", ".join(f"{m} {p}" for m, p in missing))
    assert undocumented(list(fake.app.routes)) == []


def test_the_document_lists_exactly_the_served_routes(fake: MockCalcom,
                                                      document: dict[str, Any]) -> None:
    listed = {(method.upper(), path) for path, item in document["paths"].items()
              for method in item}
    assert listed == set(_served(list(fake.app.routes)))


def test_no_description_outlives_its_route(fake: MockCalcom) -> None:
    stale = sorted(set(OPERATIONS) - set(_served(list(fake.app.routes))))
    assert not stale, "OPERATIONS describes routes the app no longer serves: " + ", ".join(
        f"{m} {p}" for m, p in stale)


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_a_new_route_without_a_description_is_listed_and_flagged(fake: MockCalcom) -> None:
    extra = Route("/v2/brand-new/{thing_id:int}", PlainTextResponse, methods=["PUT"])
    routes = [*fake.app.routes, extra]
    assert undocumented(routes) == [("PUT", "/v2/brand-new/{thing_id}")]
    operation = build_document(routes)["paths"]["/v2/brand-new/{thing_id}"]["put"]
    assert operation["x-undocumented"] is True
    assert operation["parameters"][0]["schema"] == {"type": "integer"}
    validate(build_document(routes))


async def test_the_document_is_served_by_the_fake(fake: MockCalcom,
                                                  document: dict[str, Any]) -> None:
    async with httpx.AsyncClient(transport=AsyncCalcomTransport(fake.app),
                                 base_url="https://api.cal.com") as http:
        response = await http.get(OPENAPI_PATH)
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(document))


def test_the_document_is_served_over_a_socket(fake: MockCalcom,
                                              document: dict[str, Any]) -> None:
    server = pytest.importorskip("mock_calcom.server")
    with server.LiveServer(fake) as live, httpx.Client(base_url=live.url) as http:
        response = http.get(OPENAPI_PATH)
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(document))


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


async def test_answers_match_their_documented_schemas(document: dict[str, Any]) -> None:
    """A few answers checked against the document, so the schemas cannot drift quietly."""
    fake = MockCalcom(Settings(seed=3))
    token = "not-a-real-token"
    fake.set_rate_limit(token, 1)
    async with httpx.AsyncClient(transport=AsyncCalcomTransport(fake.app),
                                 base_url="https://api.cal.com") as http:
        fault = (await http.post("/_mock/faults", json={"path": "/nowhere", "status": 503,
                                                         "times": 2})).json()
        auth = {"Authorization": f"Bearer {token}"}
        await http.get("/v2/me", headers=auth)
        throttled = (await http.get("/v2/me", headers=auth)).json()
        error = (await http.post("/_mock/faults", json={"status": 1})).json()
    jsonschema.validate(fault, _schema(document, "Fault"))
    jsonschema.validate(throttled, _schema(document, "ApiError"))
    assert throttled["error"]["code"] == "ThrottlerException"
    jsonschema.validate(error, _schema(document, "ControlError"))


def test_cal_com_operation_ids_match_cal_com_s_own_document(document: dict[str, Any]) -> None:
    """Where an API v2 operation carries Cal.com's operationId, Cal.com's document has that
    operation at the same method and path (set CALCOM_OPENAPI to Cal.com's spec)."""
    spec_path = os.environ.get("CALCOM_OPENAPI")
    if not spec_path:
        pytest.skip("CALCOM_OPENAPI is not set: no Cal.com spec to compare operationIds with")
    upstream = json.loads(Path(spec_path).read_text())
    # Cal.com's document repeats an operationId where one handler serves two paths
    # (``/events/{eventUid}`` and the deprecated ``/event/{eventUid}``).
    theirs: dict[str, set[tuple[str, str]]] = {}
    for path, item in upstream["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict):
                theirs.setdefault(str(op.get("operationId")), set()).add(_same_route((method.upper(), path)))
    ours = {op["operationId"]: (method.upper(), path)
            for path, item in document["paths"].items() for method, op in item.items()
            if "Controller_" in op["operationId"]}
    assert ours, "no operation carries a Cal.com operationId"
    wrong = {oid: (at, theirs.get(oid)) for oid, at in ours.items()
             if oid in theirs and _same_route(at) not in theirs[oid]}
    assert not wrong


def _same_route(at: tuple[str, str]) -> tuple[str, str]:
    """Path parameter names differ between documents ({uid} vs {bookingUid}); compare shapes."""
    method, path = at
    return method, re.sub(r"\{[^}]+\}", "{}", path)
