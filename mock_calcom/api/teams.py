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
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.validation import numeric_id, query_dict
from mock_calcom.api.webhooks import PAGE
from mock_calcom.errors import ForbiddenError
from mock_calcom.model.resources.teams import Membership, Role, Team


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
            "disableImpersonation": False, "user": member}


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


_A = versions.ANY
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/teams", "TeamsController_getTeams", list_teams, _A, API_AUTH),
    Endpoint("GET", "/v2/teams/{teamId}", "TeamsController_getTeam", get_team, _A, API_AUTH),
    Endpoint("GET", "/v2/teams/{teamId}/memberships", "TeamsMembershipsController_getTeamMemberships",
             list_memberships, _A, API_AUTH),
)
#: Every team route now answers a member with state (kept for the routes table).
NO_SUCCESS_ENDPOINTS: tuple[Endpoint, ...] = ()
