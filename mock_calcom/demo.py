"""Demo data: one user and one approved confidential client, ready for a first OAuth dance.

``mock-calcom serve --demo`` seeds it and prints the credentials, so a developer can point an
integration at the fake without any setup call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom.model.users import User

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom, RegisteredClient

DEMO_USERNAME = "demo"
DEMO_CLIENT_NAME = "Demo integration"
#: Where a locally running integration typically listens for the OAuth callback (not the
#: port `serve` itself takes by default, 8765, so both can run side by side).
DEMO_REDIRECT_URI = "http://localhost:3000/callback"


@dataclass(frozen=True)
class DemoData:
    user: User
    client: RegisteredClient
    #: The redirect URIs registered for the client, :data:`DEMO_REDIRECT_URI` first.
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]

    @property
    def redirect_uri(self) -> str:
        return self.redirect_uris[0]


def seed_demo(fake: MockCalcom, *, extra_redirect_uris: Sequence[str] = ()) -> DemoData:
    """Create the demo user and client in ``fake``; the client may ask for every user scope
    and is owned by the demo user (so it keeps working for them even if sent back to PENDING)."""
    uris = tuple(dict.fromkeys([DEMO_REDIRECT_URI, *extra_redirect_uris]))
    user = fake.create_user(DEMO_USERNAME, "demo@example.com", name="Demo User")
    client = fake.create_client(DEMO_CLIENT_NAME, list(uris), list(USER_SCOPES),
                                owner_user_id=user.id)
    return DemoData(user=user, client=client, redirect_uris=uris, scopes=USER_SCOPES)
