"""``/v2/teams`` (TeamsController, teams.controller.ts @6e9b728d) and the team memberships a
real third-party client reads first (FACTS §11.10). Version-neutral, ``ApiAuthGuard``;
``@OAuthPermissions`` TEAM_PROFILE_READ on the reads (e2e oauth-permissions.guard.e2e-spec.ts
@300c08fc: 403 ``Required: TEAM_PROFILE_READ`` without it), TEAM_MEMBERSHIP_READ on memberships.
Not in the published Cal.diy document (``surface.EXTRA``).

The fake has no teams: every user belongs to none, so the list is empty and a team's routes
stop at ``RolesGuard`` (roles.guard.ts @03670679): 403 ``RolesGuard - User is not a member of
the team with id=<id>.``
"""

from __future__ import annotations

from typing import NoReturn

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.validation import numeric_id
from mock_calcom.errors import ForbiddenError


def list_teams(call: Call) -> Response:
    """``getUserTeams``: a user of the fake belongs to no team."""
    return success([])


def team(call: Call) -> NoReturn:
    """RolesGuard(TEAM_MEMBER); then ParseIntPipe (an id that is no number is a 400 here, where
    Cal.com's guard would query with NaN)."""
    team_id = numeric_id(call.path_params["teamId"])
    raise ForbiddenError(f"RolesGuard - User is not a member of the team with id={team_id}.")


_A = versions.ANY
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/teams", "TeamsController_getTeams", list_teams, _A, API_AUTH),
)
NO_SUCCESS_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/teams/{teamId}", "TeamsController_getTeam", team, _A, API_AUTH),
    Endpoint("GET", "/v2/teams/{teamId}/memberships", "TeamsMembershipsController_getTeamMemberships",
             team, _A, API_AUTH),
)
