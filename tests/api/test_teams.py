"""Teams: a user of the fake belongs to none (FACTS §11.10; not in the published document)."""

from __future__ import annotations

import httpx

from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_user_belongs_to_no_team(http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/teams", headers=_auth(mint(alice, ["TEAM_PROFILE_READ"])))
    assert response.json() == {"status": "success", "data": []}


async def test_a_team_is_closed_to_a_non_member(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    h = _auth(mint(alice, ["TEAM_PROFILE_READ", "TEAM_MEMBERSHIP_READ"]))
    for path in ("/v2/teams/7", "/v2/teams/7/memberships"):
        response = await http.get(path, headers=h)
        assert response.status_code == 403, path
        assert envelope_error(response)["message"] == (
            "RolesGuard - User is not a member of the team with id=7.")


async def test_team_reads_need_team_scopes(http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/teams", headers=_auth(mint(alice, ["PROFILE_READ"])))
    assert response.status_code == 403
    assert envelope_error(response)["message"] == (
        "insufficient_scope: token does not have the required scopes. Required: TEAM_PROFILE_READ. "
        "Token has: PROFILE_READ")
    org = await http.get("/v2/teams", headers=_auth(mint(alice, ["ORG_PROFILE_READ"])))
    assert org.status_code == 200
