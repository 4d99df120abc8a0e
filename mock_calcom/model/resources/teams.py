"""Teams and their memberships (Prisma ``Team`` and ``Membership``), read by ``/v2/teams``.

The fake's users belong to no team unless a test seeds one (``resources.teams.create`` and
``add_member``, under the model's lock). Membership writes (``/v2/teams/{id}/memberships``) go
through ``add_member``, ``update_membership`` and ``remove_membership``; ``DELETE /v2/teams/{id}``
through ``delete``. Team create and update are not served.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from mock_calcom.errors import MockCalcomError
from mock_calcom.model.resources.ids import IdSequence


class Role(enum.StrEnum):
    """``MembershipRole``; the order is TEAM_ROLES' (roles/constants.ts): owner above admin above
    member."""

    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"

    def at_least(self, minimum: Role) -> bool:
        order = list(Role)
        return order.index(self) <= order.index(minimum)


@dataclass
class Team:
    id: int
    name: str
    slug: str | None
    bio: str | None = None
    is_private: bool = False
    hide_branding: bool = False
    time_zone: str = "Europe/London"
    week_start: str = "Sunday"
    metadata: dict[str, object] = field(default_factory=dict)


@dataclass
class Membership:
    id: int
    team_id: int
    user_id: int
    role: Role
    accepted: bool
    disable_impersonation: bool = False


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class TeamStore:
    def __init__(self, team_ids: IdSequence, membership_ids: IdSequence) -> None:
        self._team_ids = team_ids
        self._membership_ids = membership_ids
        self._teams: dict[int, Team] = {}
        self._memberships: dict[int, Membership] = {}

    def create(self, name: str, slug: str | None = None, *, bio: str | None = None,
               is_private: bool = False) -> Team:
        """A team with no members yet (the team create's default slug is its name slugified)."""
        if not name:
            raise MockCalcomError("a team needs a name")
        team = Team(self._team_ids.next(), name, slug if slug is not None else _slugify(name), bio=bio,
                    is_private=is_private)
        self._teams[team.id] = team
        return team

    def add_member(self, team: Team, user_id: int, role: Role | str = Role.MEMBER, *,
                   accepted: bool = True, disable_impersonation: bool = False) -> Membership:
        if team.id not in self._teams:
            raise MockCalcomError(f"no team with id {team.id}")
        if self.membership(team.id, user_id) is not None:
            raise MockCalcomError(f"user {user_id} is already a member of team {team.id}")
        membership = Membership(self._membership_ids.next(), team.id, user_id, Role(role), accepted,
                                disable_impersonation)
        self._memberships[membership.id] = membership
        return membership

    def get(self, team_id: int) -> Team | None:
        return self._teams.get(team_id)

    def membership(self, team_id: int, user_id: int) -> Membership | None:
        return next((m for m in self._memberships.values()
                     if m.team_id == team_id and m.user_id == user_id), None)

    def of_user(self, user_id: int) -> list[Team]:
        """The teams ``user_id`` has a membership of, accepted or not (getTeamsUserIsMemberOf)."""
        ids = [m.team_id for m in self._memberships.values() if m.user_id == user_id]
        return [self._teams[i] for i in sorted(set(ids)) if i in self._teams]

    def share_a_team(self, user_id: int, other_id: int) -> bool:
        """Whether two users have memberships of one team (``haveMembershipsInCommon``)."""
        mine = {m.team_id for m in self._memberships.values() if m.user_id == user_id}
        return any(m.team_id in mine for m in self._memberships.values() if m.user_id == other_id)

    def membership_by_id(self, team_id: int, membership_id: int) -> Membership | None:
        """The membership with this id *of this team* (``where: {id, teamId}``)."""
        found = self._memberships.get(membership_id)
        return found if found is not None and found.team_id == team_id else None

    def update_membership(self, membership: Membership, *, role: Role | str | None = None,
                          accepted: bool | None = None,
                          disable_impersonation: bool | None = None) -> Membership:
        """Sets the given fields; ``None`` leaves one as it is."""
        if membership.id not in self._memberships:
            raise MockCalcomError(f"no membership with id {membership.id}")
        if role is not None:
            membership.role = Role(role)
        if accepted is not None:
            membership.accepted = accepted
        if disable_impersonation is not None:
            membership.disable_impersonation = disable_impersonation
        return membership

    def remove_membership(self, membership: Membership) -> None:
        if self._memberships.pop(membership.id, None) is None:
            raise MockCalcomError(f"no membership with id {membership.id}")

    def delete(self, team: Team) -> None:
        """The team and, as the schema's ``onDelete: Cascade`` does, its memberships."""
        if self._teams.pop(team.id, None) is None:
            raise MockCalcomError(f"no team with id {team.id}")
        for membership in self.members(team.id):
            del self._memberships[membership.id]

    def members(self, team_id: int) -> list[Membership]:
        return [m for m in self._memberships.values() if m.team_id == team_id]
