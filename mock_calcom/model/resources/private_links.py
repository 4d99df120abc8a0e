"""Private links of an event type (hashed booking links that expire at a time or after a number
of uses), and verified e-mails and phone numbers of a user (verified-resources)."""

from __future__ import annotations

from dataclasses import dataclass

from mock_calcom.errors import BadRequestError, NotFoundError
from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.resources.ids import IdSequence

_HEX = "0123456789abcdef"


@dataclass
class PrivateLink:
    link_id: str
    event_type_id: int
    expires_at: float | None = None
    max_usage_count: int | None = None
    usage_count: int = 0


class PrivateLinkStore:
    def __init__(self, clock: Clock, rng: Randomness) -> None:
        self._clock = clock
        self._rng = rng
        self._by_event_type: dict[int, dict[str, PrivateLink]] = {}

    def of_event_type(self, event_type_id: int) -> list[PrivateLink]:
        return list(self._by_event_type.get(event_type_id, {}).values())

    def is_expired(self, link: PrivateLink) -> bool:
        if link.expires_at is not None:
            return link.expires_at <= self._clock.now()
        return link.max_usage_count is not None and link.usage_count >= link.max_usage_count

    def create(self, event_type_id: int, expires_at: float | None,
               max_usage_count: int | None) -> PrivateLink:
        link_id = "".join(_HEX[b % 16] for b in self._rng.token_bytes(32))
        # A link with neither limit is good for one booking (the app's default).
        link = PrivateLink(link_id, event_type_id, expires_at,
                           max_usage_count if expires_at is None else None)
        if link.expires_at is None and link.max_usage_count is None:
            link.max_usage_count = 1
        self._by_event_type.setdefault(event_type_id, {})[link_id] = link
        return link

    def require(self, event_type_id: int, link_id: str) -> PrivateLink:
        found = self._by_event_type.get(event_type_id, {}).get(link_id)
        if found is None:
            raise NotFoundError(f"Private link with id {link_id} not found")
        return found

    def record_use(self, link_id: str) -> None:
        """A booking was made through ``link_id``: a link with a usage limit counts it, unless it
        is unknown or already expired (HashedLinkService.validateAndIncrementUsage, which throws
        ``Link has expired`` there; the booking hook only logs that). A link that expires at a
        time is not counted."""
        link = next((found for links in self._by_event_type.values()
                     for found in links.values() if found.link_id == link_id), None)
        if link is None or self.is_expired(link) or not link.max_usage_count:
            return
        link.usage_count += 1

    def update(self, link: PrivateLink, expires_at: float | None, max_usage_count: int | None) -> PrivateLink:
        if expires_at is not None:
            link.expires_at, link.max_usage_count = expires_at, None
        elif max_usage_count is not None:
            link.expires_at, link.max_usage_count = None, max_usage_count
        return link

    def delete(self, link: PrivateLink) -> None:
        self._by_event_type.get(link.event_type_id, {}).pop(link.link_id, None)


@dataclass(frozen=True)
class Verified:
    id: int
    user_id: int
    value: str


class VerifiedResourceStore:
    """Codes sent and addresses proven. A code is six characters from the fake's seeded stream;
    it is never sent anywhere: :meth:`pending_code` hands it to a test."""

    def __init__(self, rng: Randomness, ids: IdSequence) -> None:
        self._rng = rng
        self._ids = ids
        self._codes: dict[tuple[int, str, str], str] = {}
        self._verified: dict[tuple[int, str], list[Verified]] = {}

    def request(self, user_id: int, kind: str, value: str) -> str:
        alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
        code = "".join(alphabet[b % len(alphabet)] for b in self._rng.token_bytes(6))
        self._codes[(user_id, kind, value)] = code
        return code

    def pending_code(self, user_id: int, kind: str, value: str) -> str | None:
        return self._codes.get((user_id, kind, value))

    def verify(self, user_id: int, kind: str, value: str, code: str) -> Verified:
        if self._codes.get((user_id, kind, value)) != code:
            raise BadRequestError("Invalid verification code")
        del self._codes[(user_id, kind, value)]
        existing = next((v for v in self.of_user(user_id, kind) if v.value == value), None)
        if existing is not None:
            return existing
        proven = Verified(self._ids.next(), user_id, value)
        self._verified.setdefault((user_id, kind), []).append(proven)
        return proven

    def of_user(self, user_id: int, kind: str) -> list[Verified]:
        return list(self._verified.get((user_id, kind), ()))

    def one(self, user_id: int, kind: str, verified_id: int) -> Verified:
        found = next((v for v in self.of_user(user_id, kind) if v.id == verified_id), None)
        if found is None:
            label = "email" if kind == "email" else "phone number"
            raise NotFoundError(f"Verified {label} with id {verified_id} not found")
        return found
