"""Who is signed in to the fake's Cal.com, and how the consent screen answers."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ConsentMode(enum.StrEnum):
    #: Allow at once: the authorize GET redirects straight back with a code (in-process default).
    APPROVE = "approve"
    #: Deny at once: the authorize GET redirects back with ``error=access_denied``.
    DENY = "deny"
    #: Show the HTML consent page and wait for a person to press Allow or Deny (``serve``).
    INTERACTIVE = "interactive"


@dataclass
class Consent:
    mode: ConsentMode = ConsentMode.APPROVE
    #: The signed-in user; ``None`` means the first user of the fake.
    user_id: int | None = None
