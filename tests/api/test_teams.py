"""Teams (FACTS §11.10; not in the published document): a user belongs to the teams a test
seeds in the model (none by default); team routes pass RolesGuard first.

Sources: teams.controller.ts @6e9b728d, teams-memberships.controller.ts @987514ee, roles.guard.ts
@03670679, TeamOutputDto (packages/platform/types/teams/outputs/team.output.ts @5b6d63e6),
TeamMembershipOutput (team-membership.output.ts @03670679).
"""

from __future__ import annotations

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.errors import MockCalcomError
from mock_calcom.model.resources.teams import Role, Team
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, envelope_error

TEAM_FIELDS = {"id", "name", "slug", "logoUrl", "calVideoLogo", "appLogo", "appIconLogo", "bio",
               "hideBranding", "isOrganization", "isPrivate", "hideBookATeamMember", "theme", "brandColor",
               "darkBrandColor", "bannerUrl", "timeFormat", "timeZone", "weekStart"}
READ = ["TEAM_PROFILE_READ", "TEAM_MEMBERSHIP_READ"]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _team(fake: MockCalcom, *members: tuple[User, Role]) -> Team:
    with fake.model.lock:
        team = fake.model.resources.teams.create("Sales Crew")
        for user, role in members:
            fake.model.resources.teams.add_member(team, user.id, role)
    return team


async def test_a_user_belongs_to_no_team_unless_one_is_seeded(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/teams", headers=_auth(mint(alice, ["TEAM_PROFILE_READ"])))
    assert response.json() == {"status": "success", "data": []}


async def test_a_seeded_team_is_listed_for_its_members_only(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.MEMBER))
    mine = (await http.get("/v2/teams", headers=_auth(mint(alice, READ)))).json()["data"]
    assert [t["id"] for t in mine] == [team.id]
    assert set(mine[0]) == TEAM_FIELDS
    shown = (mine[0]["name"], mine[0]["slug"], mine[0]["isOrganization"])
    assert shown == ("Sales Crew", "sales-crew", False)
    theirs = await http.get("/v2/teams", headers=_auth(mint(bob, READ)))
    assert theirs.json()["data"] == []


async def test_a_member_reads_the_team(http: httpx.AsyncClient, fake: MockCalcom, alice: User,
                                       mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.MEMBER))
    response = await http.get(f"/v2/teams/{team.id}", headers=_auth(mint(alice, READ)))
    assert response.status_code == 200
    assert response.json()["data"]["id"] == team.id


async def test_a_team_is_closed_to_a_non_member(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (bob, Role.OWNER))
    h = _auth(mint(alice, READ))
    for team_id in (7, team.id):
        for path in (f"/v2/teams/{team_id}", f"/v2/teams/{team_id}/memberships"):
            response = await http.get(path, headers=h)
            assert response.status_code == 403, path
            assert envelope_error(response)["message"] == (
                f"RolesGuard - User is not a member of the team with id={team_id}.")


async def test_memberships_need_an_admin_of_the_team(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.MEMBER), (bob, Role.ADMIN))
    refused = await http.get(f"/v2/teams/{team.id}/memberships", headers=_auth(mint(alice, READ)))
    assert refused.status_code == 403
    assert envelope_error(refused)["message"] == (
        f"RolesGuard - user with id={alice.id} does not have the minimum required role=TEAM_ADMIN "
        f"within team with id={team.id}.")
    listed = await http.get(f"/v2/teams/{team.id}/memberships", headers=_auth(mint(bob, READ)))
    assert listed.status_code == 200
    rows = listed.json()["data"]
    assert [(m["userId"], m["role"], m["accepted"]) for m in rows] == [
        (alice.id, "MEMBER", True), (bob.id, "ADMIN", True)]
    assert rows[0]["user"]["email"] == alice.email
    assert set(rows[0]) == {"id", "userId", "teamId", "accepted", "role", "disableImpersonation", "user"}


async def test_memberships_page_with_skip_and_take(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.OWNER), (bob, Role.MEMBER))
    h = _auth(mint(alice, READ))
    page = await http.get(f"/v2/teams/{team.id}/memberships?skip=1&take=1", headers=h)
    assert [m["userId"] for m in page.json()["data"]] == [bob.id]
    bad = await http.get(f"/v2/teams/{team.id}/memberships?take=0", headers=h)
    assert bad.status_code == 400
    bad_id = await http.get("/v2/teams/abc", headers=h)
    assert bad_id.status_code == 400


async def test_team_reads_need_team_scopes(http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    response = await http.get("/v2/teams", headers=_auth(mint(alice, ["PROFILE_READ"])))
    assert response.status_code == 403
    assert envelope_error(response)["message"] == (
        "insufficient_scope: token does not have the required scopes. Required: TEAM_PROFILE_READ. "
        "Token has: PROFILE_READ")
    org = await http.get("/v2/teams", headers=_auth(mint(alice, ["ORG_PROFILE_READ"])))
    assert org.status_code == 200


async def test_seeding_refuses_a_second_membership_of_one_user(fake: MockCalcom, alice: User) -> None:
    team = _team(fake, (alice, Role.MEMBER))
    with pytest.raises(MockCalcomError):
        fake.model.resources.teams.add_member(team, alice.id, Role.ADMIN)
