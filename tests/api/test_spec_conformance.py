"""Every served API v2 operation answers with a body that fits Cal.com's OpenAPI document.

The document comes from ``$CALCOM_OPENAPI`` (``.ci/run`` points it at the copy beside the
clone); the test is skipped, saying so, when the variable is unset.
"""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.api.endpoint import Endpoint
from mock_calcom.api.routes import ENDPOINTS
from mock_calcom.api.scopes import NOT_AVAILABLE
from mock_calcom.api.surface import EXTRA
from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory
from tests.api.openapi_schema import ENV, OpenApiDocument
from tests.api.scenarios import SCENARIOS, Ctx


def test_every_served_operation_has_a_conformance_scenario() -> None:
    assert {e.operation_id for e in ENDPOINTS} == set(SCENARIOS)


#: The legacy controllers are left out of the published document (tests/api/test_legacy_*.py
#: check their shapes against Cal.com's source DTOs instead), as are the EXTRA routes of
#: api/surface.py (teams: tests/api/test_teams.py).
CURRENT = [e for e in ENDPOINTS if not e.legacy and (e.method, e.path) not in EXTRA]


@pytest.mark.parametrize("endpoint", CURRENT, ids=lambda e: e.operation_id)
async def test_response_body_matches_the_openapi_schema_of_its_operation(
        endpoint: Endpoint, fake: MockCalcom, http: httpx.AsyncClient, alice: User, mint: TokenFactory,
        spec: OpenApiDocument | None) -> None:
    if spec is None:
        pytest.skip(f"{ENV} is not set: no Cal.com OpenAPI document to check responses against")
    status, scenario = SCENARIOS[endpoint.operation_id]
    assert spec.has(endpoint.method, endpoint.path, status), "the document has no such response"
    # Endpoints closed to scoped tokens are called with a legacy (scope-less) one.
    scopes = () if endpoint.scopes is NOT_AVAILABLE else USER_SCOPES
    response = await scenario(Ctx(fake, http, alice, mint(alice, scopes)))
    assert response.status_code == status, response.text
    assert spec.errors(endpoint.method, endpoint.path, status, response.json()) == []


def test_the_document_check_refuses_a_body_that_breaks_the_schema(spec: OpenApiDocument | None) -> None:
    if spec is None:
        pytest.skip(f"{ENV} is not set: no Cal.com OpenAPI document to check responses against")
    me = {"id": 1, "username": "a", "email": "a@x.io", "name": None, "avatarUrl": None, "bio": None,
          "timeFormat": 24, "defaultScheduleId": None, "weekStart": "Monday", "timeZone": "UTC",
          "organizationId": None}
    assert spec.errors("GET", "/v2/me", 200, {"status": "success", "data": me}) == []
    assert spec.errors("GET", "/v2/me", 200, {"status": "fine", "data": me})
    assert spec.errors("GET", "/v2/me", 200, {"status": "success", "data": {**me, "id": "1"}})
    assert spec.errors("GET", "/v2/me", 200, {"status": "success", "data": {"id": 1}})
