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
from mock_calcom.model.resources.teams import Membership, Role, Team
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


# -- membership writes (TeamsMembershipsController @987514ee, all @Roles("TEAM_ADMIN")) ----------

WRITE = ["TEAM_MEMBERSHIP_READ", "TEAM_MEMBERSHIP_WRITE"]
_ENUM = "must be one of the following values: MEMBER, ADMIN, OWNER"


def _owned_with_member(fake: MockCalcom, owner: User, member: User) -> tuple[Team, Membership]:
    """A team ``owner`` owns, and ``member``'s (plain) membership of it."""
    team = _team(fake, (owner, Role.OWNER), (member, Role.MEMBER))
    with fake.model.lock:
        membership = fake.model.resources.teams.membership(team.id, member.id)
    assert membership is not None
    return team, membership


async def _rows(http: httpx.AsyncClient, team: Team, token: str) -> list[tuple[int, str, bool]]:
    listed = await http.get(f"/v2/teams/{team.id}/memberships", headers=_auth(token))
    return [(m["userId"], m["role"], m["accepted"]) for m in listed.json()["data"]]


async def test_an_admin_adds_a_member_who_then_sees_the_team(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.ADMIN))
    token = mint(alice, WRITE)
    created = await http.post(f"/v2/teams/{team.id}/memberships", headers=_auth(token),
                              json={"userId": bob.id, "extra": "stripped"})
    assert created.status_code == 201
    data = created.json()["data"]
    # role defaults to MEMBER, accepted and disableImpersonation to false (the input's initialisers)
    assert (data["userId"], data["teamId"], data["role"], data["accepted"], data["disableImpersonation"]) == (
        bob.id, team.id, "MEMBER", False, False)
    assert data["user"]["email"] == bob.email
    assert await _rows(http, team, token) == [(alice.id, "ADMIN", True), (bob.id, "MEMBER", False)]
    theirs = await http.get("/v2/teams", headers=_auth(mint(bob, ["TEAM_PROFILE_READ"])))
    assert [t["id"] for t in theirs.json()["data"]] == [team.id]


async def test_an_admin_reads_updates_and_removes_a_membership(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team, membership = _owned_with_member(fake, alice, bob)
    token = mint(alice, WRITE)
    path = f"/v2/teams/{team.id}/memberships/{membership.id}"
    one = await http.get(path, headers=_auth(token))
    assert (one.status_code, one.json()["data"]["userId"]) == (200, bob.id)
    updated = await http.patch(path, headers=_auth(token),
                               json={"role": "ADMIN", "disableImpersonation": True, "teamId": 999})
    assert updated.status_code == 200
    assert (updated.json()["data"]["role"], updated.json()["data"]["disableImpersonation"],
            updated.json()["data"]["teamId"]) == ("ADMIN", True, team.id)
    assert await _rows(http, team, token) == [(alice.id, "OWNER", True), (bob.id, "ADMIN", True)]
    deleted = await http.delete(path, headers=_auth(token))
    assert deleted.status_code == 200
    assert (deleted.json()["data"]["id"], deleted.json()["data"]["role"]) == (membership.id, "ADMIN")
    assert await _rows(http, team, token) == [(alice.id, "OWNER", True)]
    gone = await http.get(path, headers=_auth(token))
    assert gone.status_code == 404
    assert envelope_error(gone)["message"] == "Organization's Team membership not found"
    again = await http.delete(path, headers=_auth(token))
    assert envelope_error(again)["message"] == (
        f"Membership with id {membership.id} not found in team {team.id}")


async def test_membership_writes_need_an_admin_and_change_nothing_when_refused(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.MEMBER), (bob, Role.OWNER))
    owner = mint(bob, WRITE)
    before = await _rows(http, team, owner)
    with fake.model.lock:
        own = fake.model.resources.teams.membership(team.id, alice.id)
    assert own is not None
    h = _auth(mint(alice, WRITE))
    m = f"/v2/teams/{team.id}/memberships"
    calls: list[tuple[str, str, object]] = [
        ("POST", m, {"userId": alice.id}), ("GET", f"{m}/{own.id}", None),
        ("PATCH", f"{m}/{own.id}", {"role": "OWNER"}), ("DELETE", f"{m}/{own.id}", None)]
    for method, path, body in calls:
        response = await http.request(method, path, headers=h, json=body)
        assert response.status_code == 403, (method, path)
        assert envelope_error(response)["message"] == (
            f"RolesGuard - user with id={alice.id} does not have the minimum required role=TEAM_ADMIN "
            f"within team with id={team.id}.")
    outsider = await http.delete(f"/v2/teams/{team.id + 50}/memberships/{own.id}", headers=h)
    assert envelope_error(outsider)["message"] == (
        f"RolesGuard - User is not a member of the team with id={team.id + 50}.")
    assert await _rows(http, team, owner) == before


@pytest.mark.parametrize(("body", "prop", "constraint"), [
    ({}, "userId", "userId must be an integer number"),
    ({"userId": "2"}, "userId", "userId must be an integer number"),
    ({"userId": 2, "role": "BOSS"}, "role", f"role {_ENUM}"),
    ({"userId": 2, "role": None}, "role", f"role {_ENUM}"),
    ({"userId": 2, "accepted": "yes"}, "accepted", "accepted must be a boolean value"),
])
async def test_a_bad_membership_body_is_a_400_with_details_and_adds_no_one(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory,
        body: dict[str, object], prop: str, constraint: str) -> None:
    team = _team(fake, (alice, Role.OWNER))
    token = mint(alice, WRITE)
    response = await http.post(f"/v2/teams/{team.id}/memberships", headers=_auth(token), json=body)
    assert response.status_code == 400
    errors = envelope_error(response)["details"]["errors"]
    assert [(e["property"], list(e["constraints"].values())) for e in errors] == [(prop, [constraint])]
    assert await _rows(http, team, token) == [(alice.id, "OWNER", True)]


async def test_a_bad_membership_update_is_a_400_and_changes_nothing(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team, membership = _owned_with_member(fake, alice, bob)
    token = mint(alice, WRITE)
    path = f"/v2/teams/{team.id}/memberships/{membership.id}"
    bodies: list[object] = [{"role": "ADMIN", "accepted": 1}, {"role": "owner"}, [], "x"]
    for body in bodies:
        response = await http.patch(path, headers=_auth(token), json=body)
        assert response.status_code == 400, body
    bad_id = await http.patch(f"/v2/teams/{team.id}/memberships/x", headers=_auth(token), json={})
    assert envelope_error(bad_id)["message"] == "Validation failed (numeric string is expected)"
    assert await _rows(http, team, token) == [(alice.id, "OWNER", True), (bob.id, "MEMBER", True)]


async def test_adding_an_unknown_user_or_a_member_twice_is_refused(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.OWNER), (bob, Role.MEMBER))
    token = mint(alice, WRITE)
    unknown = await http.post(f"/v2/teams/{team.id}/memberships", headers=_auth(token), json={"userId": 9999})
    assert unknown.status_code == 404
    twice = await http.post(f"/v2/teams/{team.id}/memberships", headers=_auth(token),
                            json={"userId": bob.id, "role": "OWNER"})
    assert twice.status_code == 409
    assert await _rows(http, team, token) == [(alice.id, "OWNER", True), (bob.id, "MEMBER", True)]


async def test_a_membership_of_another_team_is_not_found_through_this_one(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    mine = _team(fake, (alice, Role.OWNER))
    other = _team(fake, (bob, Role.OWNER))
    with fake.model.lock:
        theirs = fake.model.resources.teams.membership(other.id, bob.id)
    assert theirs is not None
    token = mint(alice, WRITE)
    for method in ("GET", "PATCH", "DELETE"):
        body = {"role": "MEMBER"} if method == "PATCH" else None
        response = await http.request(method, f"/v2/teams/{mine.id}/memberships/{theirs.id}",
                                      headers=_auth(token), json=body)
        assert response.status_code == 404, method
    assert await _rows(http, other, mint(bob, WRITE)) == [(bob.id, "OWNER", True)]


async def test_membership_writes_need_the_write_scope(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.OWNER))
    response = await http.post(f"/v2/teams/{team.id}/memberships", json={"userId": bob.id},
                               headers=_auth(mint(alice, ["TEAM_MEMBERSHIP_READ"])))
    assert response.status_code == 403
    assert envelope_error(response)["message"] == (
        "insufficient_scope: token does not have the required scopes. Required: TEAM_MEMBERSHIP_WRITE. "
        "Token has: TEAM_MEMBERSHIP_READ")
    org = await http.post(f"/v2/teams/{team.id}/memberships", json={"userId": bob.id},
                          headers=_auth(mint(alice, ["ORG_MEMBERSHIP_WRITE", "TEAM_MEMBERSHIP_READ"])))
    assert org.status_code == 201


# -- DELETE /v2/teams/{teamId} (teams.controller.ts @6e9b728d, @Roles("TEAM_OWNER")) ---------------

async def test_an_owner_deletes_the_team_and_its_memberships_go_with_it(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.OWNER), (bob, Role.MEMBER))
    token = mint(alice, ["TEAM_PROFILE_WRITE", "TEAM_PROFILE_READ"])
    deleted = await http.delete(f"/v2/teams/{team.id}", headers=_auth(token))
    assert deleted.status_code == 200
    assert (deleted.json()["data"]["id"], deleted.json()["data"]["name"]) == (team.id, "Sales Crew")
    for user in (alice, bob):
        listed = await http.get("/v2/teams", headers=_auth(mint(user, READ)))
        assert listed.json()["data"] == []
    with fake.model.lock:
        assert fake.model.resources.teams.members(team.id) == []
    again = await http.delete(f"/v2/teams/{team.id}", headers=_auth(token))
    assert envelope_error(again)["message"] == (
        f"RolesGuard - User is not a member of the team with id={team.id}.")


async def test_only_an_owner_deletes_a_team_and_a_refusal_keeps_it(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, bob: User, mint: TokenFactory) -> None:
    team = _team(fake, (alice, Role.ADMIN), (bob, Role.OWNER))
    refused = await http.delete(f"/v2/teams/{team.id}", headers=_auth(mint(alice, ["TEAM_PROFILE_WRITE"])))
    assert refused.status_code == 403
    assert envelope_error(refused)["message"] == (
        f"RolesGuard - user with id={alice.id} does not have the minimum required role=TEAM_OWNER "
        f"within team with id={team.id}.")
    no_scope = await http.delete(f"/v2/teams/{team.id}", headers=_auth(mint(bob, ["TEAM_PROFILE_READ"])))
    assert envelope_error(no_scope)["message"] == (
        "insufficient_scope: token does not have the required scopes. Required: TEAM_PROFILE_WRITE. "
        "Token has: TEAM_PROFILE_READ")
    bad_id = await http.delete("/v2/teams/x1", headers=_auth(mint(bob, ["TEAM_PROFILE_WRITE"])))
    assert bad_id.status_code == 400
    listed = await http.get("/v2/teams", headers=_auth(mint(bob, READ)))
    assert [t["id"] for t in listed.json()["data"]] == [team.id]
