"""OAuth clients: registration rules, secrets, approval lifecycle."""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from mock_calcom.errors import InvalidControlInput, UnknownObjectError
from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.scopes import is_legacy_scope_set, is_scope_expansion, unknown_scopes

#: MAX_REDIRECT_URIS in validateRedirectUris.ts @703c5416.
MAX_REDIRECT_URIS = 10
_E = TypeVar("_E", bound=enum.StrEnum)
_HTTP_HOSTS = {"localhost", "127.0.0.1", "::1"}  # urlsplit unwraps "[::1]"


class ClientStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ClientType(enum.StrEnum):
    CONFIDENTIAL = "CONFIDENTIAL"
    PUBLIC = "PUBLIC"


_DIGESTS_KEPT = 8


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ClientSecret:
    """A stored secret: only its sha256 is kept (``OAuthClientSecret.hashedSecret``)."""

    id: int
    hashed: str
    hint: str
    created_at: float


@dataclass
class OAuthClient:
    client_id: str
    name: str
    redirect_uris: list[str]
    scopes: list[str]
    client_type: ClientType
    status: ClientStatus
    owner_user_id: int | None
    is_trusted: bool
    created_at: float
    logo: str | None = None
    rejection_reason: str | None = None
    secrets: list[ClientSecret] = field(default_factory=list)
    #: Digests of the last few secrets presented (plain -> sha256): a client sends the
    #: same secret with every token request, and the digest costs more than the rest of
    #: the check. What matches is still decided against ``secrets`` at every call.
    _digests: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def is_legacy(self) -> bool:
        """No scopes, or only READ_BOOKING/READ_PROFILE: scope param optional, not enforced."""
        return is_legacy_scope_set(self.scopes)

    @property
    def is_public(self) -> bool:
        return self.client_type is ClientType.PUBLIC

    def verify_secret(self, plain: str) -> bool:
        """Any active secret matches; every hash is compared in constant time."""
        candidate = self._digests.get(plain)
        if candidate is None:
            if len(self._digests) >= _DIGESTS_KEPT:
                self._digests.clear()
            candidate = self._digests[plain] = _sha256(plain)
        matched = False
        for stored in self.secrets:
            matched |= hmac.compare_digest(stored.hashed, candidate)
        return matched

    def has_redirect_uri(self, uri: str) -> bool:
        """Exact string equality with any registered URI (``registeredUris.includes(uri)``):
        no trailing-slash, case or prefix leniency."""
        return uri in self.redirect_uris


def validate_redirect_uris(uris: object) -> list[str]:
    """Cal.com's registration rules (validateRedirectUris.ts @703c5416)."""
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise InvalidControlInput("redirect_uris must be a list of strings")
    if not 1 <= len(uris) <= MAX_REDIRECT_URIS:
        raise InvalidControlInput(f"between 1 and {MAX_REDIRECT_URIS} redirect URIs are allowed")
    if len(set(uris)) != len(uris):
        raise InvalidControlInput("redirect URIs must not repeat")
    for uri in uris:
        try:
            parts = urlsplit(uri)
            host = (parts.hostname or "").lower()
        except ValueError as exc:
            raise InvalidControlInput(f"invalid redirect URI {uri!r}") from exc
        if not parts.netloc or not host:
            raise InvalidControlInput(f"redirect URI {uri!r} must be an absolute URL")
        if parts.fragment or "#" in uri:
            raise InvalidControlInput(f"redirect URI {uri!r} must not contain a fragment")
        if parts.scheme == "https":
            continue
        local = host in _HTTP_HOSTS or host.endswith(".local")
        if parts.scheme == "http" and local:
            continue
        raise InvalidControlInput(
            f"redirect URI {uri!r} must use https (http only for localhost, 127.0.0.1, [::1], *.local)"
        )
    return list(uris)


def validate_scopes(scopes: object) -> list[str]:
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise InvalidControlInput("scopes must be a list of strings")
    unknown = unknown_scopes(scopes)
    if unknown:
        raise InvalidControlInput(f"unknown scopes: {', '.join(unknown)}")
    return list(dict.fromkeys(scopes))


class ClientStore:
    """OAuth clients by ``client_id``."""

    def __init__(self, clock: Clock, rng: Randomness, max_active_secrets: int) -> None:
        self._clock = clock
        self._rng = rng
        #: Active secrets a client may hold (``Settings.max_active_secrets``); the model sets
        #: it again when settings change.
        self.max_active_secrets = max_active_secrets
        self._clients: dict[str, OAuthClient] = {}
        self._next_secret_id = 1

    def create(
        self,
        *,
        name: str,
        redirect_uris: list[str],
        scopes: list[str] | None = None,
        client_type: ClientType | str = ClientType.CONFIDENTIAL,
        status: ClientStatus | str = ClientStatus.APPROVED,
        owner_user_id: int | None = None,
        is_trusted: bool = False,
        logo: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> tuple[OAuthClient, str | None]:
        """Register a client; returns it with its plain secret (``None`` for PUBLIC), which
        exists only in this return value, as in Cal.com where it is shown once."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidControlInput("name is required")
        ctype = _enum(ClientType, client_type, "client_type")
        cstatus = _enum(ClientStatus, status, "status")
        if not isinstance(is_trusted, bool):
            raise InvalidControlInput("is_trusted must be a boolean")
        cid = client_id if client_id is not None else self._rng.token_hex(32)
        if cid in self._clients:
            raise InvalidControlInput(f"client_id {cid!r} exists")
        if client_secret is not None and ctype is ClientType.PUBLIC:
            raise InvalidControlInput("a PUBLIC client has no secret")
        client = OAuthClient(
            client_id=cid,
            name=name,
            redirect_uris=validate_redirect_uris(redirect_uris),
            scopes=validate_scopes(scopes if scopes is not None else []),
            client_type=ctype,
            status=cstatus,
            owner_user_id=owner_user_id,
            is_trusted=is_trusted,
            created_at=self._clock.now(),
            logo=logo,
        )
        self._clients[cid] = client
        secret = None if ctype is ClientType.PUBLIC else self._add_secret(client, client_secret)
        return client, secret

    def get(self, client_id: str) -> OAuthClient | None:
        return self._clients.get(client_id)

    def require(self, client_id: str) -> OAuthClient:
        client = self._clients.get(client_id)
        if client is None:
            raise UnknownObjectError(f"no OAuth client with id {client_id!r}")
        return client

    def all(self) -> list[OAuthClient]:
        return list(self._clients.values())

    def add_secret(self, client_id: str) -> tuple[ClientSecret, str]:
        client = self.require(client_id)
        if client.is_public:
            raise InvalidControlInput("public clients have no secrets")
        if len(client.secrets) >= self.max_active_secrets:
            raise InvalidControlInput(
                f"a client has at most {self.max_active_secrets} active secrets; delete one first"
            )
        plain = self._add_secret(client)
        return client.secrets[-1], plain

    def delete_secret(self, client_id: str, secret_id: int) -> None:
        client = self.require(client_id)
        kept = [s for s in client.secrets if s.id != secret_id]
        if len(kept) == len(client.secrets):
            raise UnknownObjectError(f"client has no secret with id {secret_id}")
        if not kept:
            raise InvalidControlInput("the last secret of a client cannot be deleted")
        client.secrets = kept

    def update(
        self,
        client_id: str,
        *,
        as_owner: bool = False,
        name: str | None = None,
        redirect_uris: list[str] | None = None,
        scopes: list[str] | None = None,
        status: ClientStatus | str | None = None,
        is_trusted: bool | None = None,
        logo: str | None = None,
        rejection_reason: str | None = None,
    ) -> OAuthClient:
        """Change a client. As an admin (default) every field is set as given. ``as_owner``
        applies Cal.com's owner-edit rule instead: changing name, logo or redirect URIs, or
        broadening scopes, or editing a REJECTED client, sends it back to PENDING
        (updateClient.handler.ts @ea99f132, PR #27707, PR #27573)."""
        client = self.require(client_id)
        # Validate everything first so a bad field changes nothing.
        new_uris = validate_redirect_uris(redirect_uris) if redirect_uris is not None else None
        new_scopes = validate_scopes(scopes) if scopes is not None else None
        new_status = _enum(ClientStatus, status, "status") if status is not None else None
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise InvalidControlInput("name must be a non-empty string")
        if is_trusted is not None and not isinstance(is_trusted, bool):
            raise InvalidControlInput("is_trusted must be a boolean")
        if as_owner and new_status is not None:
            raise InvalidControlInput("an owner cannot set the status; only an admin can")
        resubmit = client.status is ClientStatus.REJECTED or (
            (name is not None and name != client.name)
            or (logo is not None and logo != client.logo)
            or (new_uris is not None and new_uris != client.redirect_uris)
            or (new_scopes is not None and is_scope_expansion(client.scopes, new_scopes))
        )
        if name is not None:
            client.name = name
        if logo is not None:
            client.logo = logo
        if new_uris is not None:
            client.redirect_uris = new_uris
        if new_scopes is not None:
            client.scopes = new_scopes
        if is_trusted is not None:
            client.is_trusted = is_trusted
        if as_owner:
            if resubmit:
                client.status = ClientStatus.PENDING
                client.rejection_reason = None
        elif new_status is not None:
            client.status = new_status
            client.rejection_reason = (
                (rejection_reason or "Rejected by the mock admin")
                if new_status is ClientStatus.REJECTED else None
            )
        return client

    def _add_secret(self, client: OAuthClient, plain: str | None = None) -> str:
        """Store a new secret: ``plain`` if given (a fixed secret from a config file), else
        a random one like Cal.com's (32 random bytes, hex)."""
        plain = plain if plain is not None else self._rng.token_hex(32)
        client.secrets.append(ClientSecret(
            id=self._next_secret_id, hashed=_sha256(plain), hint=plain[-4:],
            created_at=self._clock.now(),
        ))
        self._next_secret_id += 1
        return plain


def _enum(kind: type[_E], value: object, label: str) -> _E:
    try:
        return kind(str(value)) if isinstance(value, str) else kind(value)  # type: ignore[arg-type]
    except ValueError:
        options = ", ".join(m.value for m in kind)
        raise InvalidControlInput(f"{label} must be one of {options}") from None
