"""Where each part of a Cal.com lives (no HTTP client needed to know it)."""

from __future__ import annotations

from dataclasses import dataclass

APP_URL = "https://app.cal.com"
API_URL = "https://api.cal.com"
#: The fake's OpenAPI document (:mod:`mock_calcom.openapi`).
OPENAPI_PATH = "/_mock/openapi.json"


@dataclass(frozen=True)
class CalcomUrls:
    """Where each part of a Cal.com lives: production hosts in-process, one origin for a
    live server (which serves the web app and the API on the same port)."""

    #: Web app origin: the authorize page and the G1 token endpoints.
    app_url: str
    #: API origin: the G2 token endpoint and API v2.
    api_url: str

    @classmethod
    def production(cls) -> CalcomUrls:
        return cls(APP_URL, API_URL)

    @classmethod
    def single_origin(cls, origin: str) -> CalcomUrls:
        return cls(origin, origin)

    @property
    def authorize_url(self) -> str:
        return f"{self.app_url}/auth/oauth2/authorize"

    @property
    def token_url(self) -> str:
        """The G2 token endpoint, for both grants (FACTS §1.2)."""
        return f"{self.api_url}/v2/auth/oauth2/token"

    @property
    def legacy_token_url(self) -> str:
        return f"{self.app_url}/api/auth/oauth/token"

    @property
    def legacy_refresh_url(self) -> str:
        return f"{self.app_url}/api/auth/oauth/refreshToken"

    @property
    def api_base_url(self) -> str:
        """Prefix of every API v2 endpoint (``{api_base_url}/me``)."""
        return f"{self.api_url}/v2"

    def client_info_url(self, client_id: str) -> str:
        return f"{self.api_url}/v2/auth/oauth2/clients/{client_id}"
