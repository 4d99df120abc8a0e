"""``/v2/stripe`` (StripeController): connect a Stripe account for paid event types. The fake
emulates no Stripe, so no user of it ever has a Stripe credential: ``check`` answers as
Cal.com does for such a user (stripe.service.ts ``validateStripeCredentials``: 404
``Credentials for stripe not found.``), and the OAuth URL and callback answer the documented
400 (:func:`~mock_calcom.api.calendars.provider_not_emulated`). Version-neutral,
``ApiAuthGuard`` (the callback has none); undecorated: scoped third-party tokens get the scope
guard's 403."""

from __future__ import annotations

from typing import NoReturn

from mock_calcom.api import versions
from mock_calcom.api.calendars import provider_not_emulated
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.errors import NotFoundError

NOT_CONNECTED = "Credentials for stripe not found."


def connect(call: Call) -> NoReturn:
    provider_not_emulated("Stripe Connect's OAuth consent screen")


def save(call: Call) -> NoReturn:
    provider_not_emulated("Stripe Connect's OAuth token exchange")


def check(call: Call) -> NoReturn:
    raise NotFoundError(NOT_CONNECTED)


_A = versions.ANY
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/stripe/connect", "StripeController_redirect", connect, _A, API_AUTH),
    Endpoint("GET", "/v2/stripe/save", "StripeController_save", save, _A, ()),
    Endpoint("GET", "/v2/stripe/check", "StripeController_check", check, _A, API_AUTH),
)
