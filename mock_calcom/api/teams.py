"""``/v2/teams`` (TeamsController, teams.controller.ts @6e9b728d) and the team memberships a
real third-party client reads first (FACTS §11.10). Every version (``API_VERSIONS_VALUES``),
``ApiAuthGuard``; ``@OAuthPermissions`` TEAM_PROFILE_READ on the reads (e2e
oauth-permissions.guard.e2e-spec.ts @300c08fc: 403 ``Required: TEAM_PROFILE_READ`` without it),
TEAM_MEMBERSHIP_READ on memberships. Not in the published Cal.diy document (``surface.EXTRA``).

A user of the fake belongs to the teams a test seeded (``fake.model.resources.teams``); by
default none, so the list is empty. A team's own routes pass ``RolesGuard`` (roles.guard.ts
@03670679) first: no membership is 403 ``RolesGuard - User is not a member of the team with
id=<id>.``, too low a role (memberships need ``TEAM_ADMIN``,
teams-memberships.controller.ts @987514ee) is 403 ``RolesGuard - user with id=<u> does not have
the minimum required role=<role> within team with id=<id>.``

Membership writes (TeamsMembershipsController @987514ee, every route ``@Roles("TEAM_ADMIN")``):
create (201), read one, update, delete, over the same ``TeamStore``. Scopes per the OAuth docs
(TEAM_MEMBERSHIP_READ for the read, TEAM_MEMBERSHIP_WRITE for the writes; see ``scopes.py``).
``DELETE /v2/teams/{id}`` (``@Roles("TEAM_OWNER")``, TEAM_PROFILE_WRITE) removes the team and
its memberships. Team create and update (TeamsController) are not served.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.validation import IS_BOOLEAN, IS_INT, Prop, Schema, numeric_id, one_of, query_dict
from mock_calcom.api.webhooks import PAGE
from mock_calcom.errors import ConflictError, ForbiddenError, NotFoundError
from mock_calcom.model.resources.teams import Membership, Role, Team

#: ``MembershipRole`` in schema.prisma's order, as ``@IsEnum`` lists it in its message.
_ROLES = ("MEMBER", "ADMIN", "OWNER")

#: CreateTeamMembershipInput (create-team-membership.input.ts @987514ee): ``role`` is not
#: ``@IsOptional`` but has the initialiser MEMBER, so a missing role is MEMBER and an explicit
#: ``null`` fails ``@IsEnum``; ``accepted`` and ``disableImpersonation`` default to false.
CREATE_MEMBERSHIP = Schema((
    Prop("userId", (IS_INT,)),
    Prop("accepted", (IS_BOOLEAN,), optional=True),
    Prop("role", (one_of(_ROLES),)),
    Prop("disableImpersonation", (IS_BOOLEAN,), optional=True),
))
#: UpdateTeamMembershipInput (update-team-membership.input.ts @081b7449): all optional.
UPDATE_MEMBERSHIP = Schema((
    Prop("accepted", (IS_BOOLEAN,), optional=True),
    Prop("role", (one_of(_ROLES),), optional=True),
    Prop("disableImpersonation", (IS_BOOLEAN,), optional=True),
))
#: teams-memberships.service.ts @03670679: getTeamMembership's 404 (its text says
#: "Organization's" for a plain team too); deleteTeamMembership has its own.
MEMBERSHIP_NOT_FOUND = "Organization's Team membership not found"


def team_out(team: Team) -> dict[str, Any]:
    """``TeamOutputDto`` (packages/platform/types/teams/outputs/team.output.ts @5b6d63e6) of a
    Prisma ``Team`` row under ``excludeAll``: unset columns are ``null``, ``parentId`` is left
    out for a team outside an organization, ``metadata`` when empty."""
    out: dict[str, Any] = {
        "id": team.id, "name": team.name, "slug": team.slug, "logoUrl": None, "calVideoLogo": None,
        "appLogo": None, "appIconLogo": None, "bio": team.bio, "hideBranding": team.hide_branding,
        "isOrganization": False, "isPrivate": team.is_private, "hideBookATeamMember": False,
    }
    if team.metadata:
        out["metadata"] = dict(team.metadata)
    out.update({"theme": None, "brandColor": None, "darkBrandColor": None, "bannerUrl": None,
                "timeFormat": None, "timeZone": team.time_zone, "weekStart": team.week_start})
    return out


def membership_out(call: Call, membership: Membership) -> dict[str, Any]:
    """``TeamMembershipOutput`` (team-membership.output.ts @03670679)."""
    user = call.model.users.get(membership.user_id)
    member: dict[str, Any] = {"avatarUrl": None, "username": None, "name": None, "email": None, "bio": None}
    if user is not None:
        member = {"avatarUrl": user.avatar_url, "username": user.username, "name": user.name,
                  "email": user.email, "bio": user.bio}
    return {"id": membership.id, "userId": membership.user_id, "teamId": membership.team_id,
            "accepted": membership.accepted, "role": membership.role.value,
            "disableImpersonation": membership.disable_impersonation, "user": member}


def _roles_guard(call: Call, minimum: Role) -> Team:
    """RolesGuard with ``@Roles("TEAM_<minimum>")``, then ParseIntPipe (an id that is no number
    is a 400 here, where Cal.com's guard would query with NaN)."""
    team_id = numeric_id(call.path_params["teamId"])
    membership = call.model.resources.teams.membership(team_id, call.user.id)
    if membership is None:
        raise ForbiddenError(f"RolesGuard - User is not a member of the team with id={team_id}.")
    if not membership.role.at_least(minimum):
        raise ForbiddenError(f"RolesGuard - user with id={call.user.id} does not have the minimum required "
                             f"role=TEAM_{minimum.value} within team with id={team_id}.")
    team = call.model.resources.teams.get(team_id)
    assert team is not None  # a membership names an existing team
    return team


def list_teams(call: Call) -> Response:
    """``getUserTeams``: every team the user has a membership of."""
    return success([team_out(t) for t in call.model.resources.teams.of_user(call.user.id)])


def get_team(call: Call) -> Response:
    return success(team_out(_roles_guard(call, Role.MEMBER)))


def list_memberships(call: Call) -> Response:
    team = _roles_guard(call, Role.ADMIN)
    page = PAGE.validate(query_dict(call.query))
    skip, take = int(page.get("skip", 0)), int(page.get("take", 250))
    members = call.model.resources.teams.members(team.id)[skip:skip + take]
    return success([membership_out(call, m) for m in members])


def _membership(call: Call, team: Team) -> Membership:
    """``ParseIntPipe`` on ``membershipId`` (after the guards), then ``findTeamMembership``
    (``where: {id, teamId}``: another team's membership id is not found here)."""
    found = call.model.resources.teams.membership_by_id(team.id, numeric_id(call.path_params["membershipId"]))
    if found is None:
        raise NotFoundError(MEMBERSHIP_NOT_FOUND)
    return found


def create_membership(call: Call) -> Response:
    """``POST``: 201 with the new ``TeamMembershipOutput``. The fake adds no team event types
    for an accepted member (``updateNewTeamMemberEventTypes``): it has none.

    Cal.com writes with ``prisma.membership.create``: an unknown ``userId`` (foreign key) or a
    user already in the team (``@@unique([userId, teamId])``) is a Prisma error there, whose
    wire answer is UNCONFIRMED; the fake refuses both with a 4xx and writes nothing (404 /
    409, the stricter reading of "no such row" and "duplicate")."""
    team = _roles_guard(call, Role.ADMIN)
    body = call.body
    # class-transformer builds the input with its initialisers, then assigns what was sent.
    values = CREATE_MEMBERSHIP.validate({"role": "MEMBER", **body} if isinstance(body, dict) else body)
    teams = call.model.resources.teams
    user_id = int(values["userId"])
    if call.model.users.get(user_id) is None:
        raise NotFoundError(f"User with id={user_id} not found")
    if teams.membership(team.id, user_id) is not None:
        raise ConflictError(f"User with id={user_id} is already a member of the team with id={team.id}")
    membership = teams.add_member(team, user_id, values.get("role", "MEMBER"),
                                  accepted=bool(values.get("accepted", False)),
                                  disable_impersonation=bool(values.get("disableImpersonation", False)))
    return success(membership_out(call, membership), status_code=201)


def get_membership(call: Call) -> Response:
    team = _roles_guard(call, Role.ADMIN)
    return success(membership_out(call, _membership(call, team)))


def update_membership(call: Call) -> Response:
    """``PATCH``: the fields sent (unknown ones stripped), 200 with the updated membership. An
    unknown membership is 404 (Cal.com's ``prisma.membership.update`` fails on no row; the
    fake answers with getTeamMembership's 404, the same refusal the read gives)."""
    team = _roles_guard(call, Role.ADMIN)
    membership = _membership(call, team)
    values = UPDATE_MEMBERSHIP.validate(call.body)
    call.model.resources.teams.update_membership(
        membership, role=values.get("role"), accepted=values.get("accepted"),
        disable_impersonation=values.get("disableImpersonation"))
    return success(membership_out(call, membership))


def delete_membership(call: Call) -> Response:
    """``DELETE``: 200 with the membership as it was (teams-memberships.service.ts @03670679:
    its own 404 text for an unknown id)."""
    team = _roles_guard(call, Role.ADMIN)
    membership_id = numeric_id(call.path_params["membershipId"])
    teams = call.model.resources.teams
    membership = teams.membership_by_id(team.id, membership_id)
    if membership is None:
        raise NotFoundError(f"Membership with id {membership_id} not found in team {team.id}")
    out = membership_out(call, membership)
    teams.remove_membership(membership)
    return success(out)


def delete_team(call: Call) -> Response:
    """``deleteTeam`` (teams.controller.ts @6e9b728d): owners only; ``teamsRepository.delete``
    (a Prisma delete whose cascade takes the memberships along) and 200 with the team as it was.
    Its own ``@Throttle`` (1 per second, ``teams_delete``) is not modelled."""
    team = _roles_guard(call, Role.OWNER)
    out = team_out(team)
    call.model.resources.teams.delete(team)
    return success(out)


_A = versions.ANY
_M = "/v2/teams/{teamId}/memberships"
_MC = "TeamsMembershipsController_"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/teams", "TeamsController_getTeams", list_teams, _A, API_AUTH),
    Endpoint("GET", "/v2/teams/{teamId}", "TeamsController_getTeam", get_team, _A, API_AUTH),
    Endpoint("DELETE", "/v2/teams/{teamId}", "TeamsController_deleteTeam", delete_team, _A, API_AUTH),
    Endpoint("GET", "/v2/teams/{teamId}/memberships", "TeamsMembershipsController_getTeamMemberships",
             list_memberships, _A, API_AUTH),
    Endpoint("POST", _M, f"{_MC}createTeamMembership", create_membership, _A, API_AUTH, reads_body=True),
    Endpoint("GET", f"{_M}/{{membershipId}}", f"{_MC}getTeamMembership", get_membership, _A, API_AUTH),
    Endpoint("PATCH", f"{_M}/{{membershipId}}", f"{_MC}updateTeamMembership", update_membership, _A,
             API_AUTH, reads_body=True),
    Endpoint("DELETE", f"{_M}/{{membershipId}}", f"{_MC}deleteTeamMembership", delete_membership, _A,
             API_AUTH),
)
#: Every team route now answers a member with state (kept for the routes table).
NO_SUCCESS_ENDPOINTS: tuple[Endpoint, ...] = ()
