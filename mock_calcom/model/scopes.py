"""Cal.com's OAuth scopes: ``RESOURCE_ACTION`` values, legacy clients, parsing."""

from __future__ import annotations

import re

#: The two pre-2026 scopes. A client holding only these (or none) is a legacy client
#: (``isLegacyClient``, OAuthService.ts @9d29dd7c) and its tokens bypass scope checks.
LEGACY_SCOPES: frozenset[str] = frozenset({"READ_BOOKING", "READ_PROFILE"})


def _pairs(*resources: str) -> set[str]:
    return {f"{r}_{a}" for r in resources for a in ("READ", "WRITE")}


#: ``enum AccessScope`` (schema.prisma @703c5416) plus the live superset used by Cal.com's
#: own client (calcom/companion, Aug 2026), which the fact sheet recommends treating as known.
KNOWN_SCOPES: frozenset[str] = frozenset(
    LEGACY_SCOPES
    | _pairs("EVENT_TYPE", "BOOKING", "SCHEDULE", "APPS", "PROFILE")
    | _pairs("TEAM_EVENT_TYPE", "TEAM_BOOKING", "TEAM_SCHEDULE", "TEAM_PROFILE", "TEAM_MEMBERSHIP")
    | _pairs("ORG_EVENT_TYPE", "ORG_BOOKING", "ORG_SCHEDULE", "ORG_PROFILE", "ORG_MEMBERSHIP")
    | _pairs("WEBHOOK", "VERIFIED_RESOURCES", "CREDITS")
    | {"INSIGHTS_READ", "TEAM_INSIGHTS_READ", "ORG_INSIGHTS_READ"}
    | _pairs("TEAM_APPS", "TEAM_ROUTING_FORM", "TEAM_WORKFLOW", "TEAM_VERIFIED_RESOURCES")
    | _pairs("ORG_ROUTING_FORM", "ORG_WEBHOOK", "ORG_ATTRIBUTES")
)

#: ``SCOPE_TO_PERMISSION`` (packages/features/oauth/constants.ts, typed
#: ``Record<NewAccessScope, number>``, so every non-legacy value of ``enum AccessScope``): the
#: scopes ``OAuthPermissionsGuard`` knows. A token holding none of them skips the scope check
#: (oauth-permissions.guard.ts @58bd767a: ``tokenPermissions.size === 0``), so scopes only in the
#: first-party client's superset (``WEBHOOK_READ`` ...) do not switch enforcement on.
MAPPED_SCOPES: frozenset[str] = frozenset(
    _pairs("EVENT_TYPE", "BOOKING", "SCHEDULE", "APPS", "PROFILE")
    | _pairs("TEAM_EVENT_TYPE", "TEAM_BOOKING", "TEAM_SCHEDULE", "TEAM_PROFILE", "TEAM_MEMBERSHIP")
    | _pairs("ORG_EVENT_TYPE", "ORG_BOOKING", "ORG_SCHEDULE", "ORG_PROFILE", "ORG_MEMBERSHIP")
)

#: The user-level scopes an integrator normally asks for.
USER_SCOPES: tuple[str, ...] = tuple(
    sorted(_pairs("EVENT_TYPE", "BOOKING", "SCHEDULE", "APPS", "PROFILE"))
)

_SEPARATORS = re.compile(r"[, ]+")


def parse_scope_param(value: str | None) -> list[str]:
    """Split a ``scope`` parameter the way Cal.com does: ``split(/[, ]+/).filter(Boolean)``
    (constants.ts @e29cf559), so both ``"A B"`` and ``"A,B"`` work. Order and duplicates are
    kept: ``"A A"`` grants a token whose ``scope`` claim lists ``A`` twice."""
    if not value:
        return []
    return [part for part in _SEPARATORS.split(value) if part]


def is_legacy_scope_set(scopes: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """True for no scopes or only legacy ones: such clients and tokens are not enforced."""
    return all(s in LEGACY_SCOPES for s in scopes)


def skips_scope_check(scopes: list[str] | tuple[str, ...]) -> bool:
    """Whether ``OAuthPermissionsGuard`` lets a token with ``scopes`` through unchecked: none
    of them is mapped to a permission (empty, legacy-only, or only unmapped scopes)."""
    return not any(s in MAPPED_SCOPES for s in scopes)


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [s for s in scopes if s not in KNOWN_SCOPES]


def is_scope_expansion(old: list[str], new: list[str]) -> bool:
    """Whether ``new`` broadens ``old``, which sends a client back to PENDING.

    A READ scope counts as new only if the matching WRITE scope was not already held
    (hasScopeExpansion.ts @da9f5270, PR #27707).
    """
    held = set(old)
    for scope in new:
        if scope in held:
            continue
        if scope.endswith("_READ") and scope[: -len("READ")] + "WRITE" in held:
            continue
        return True
    return False
