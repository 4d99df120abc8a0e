"""``RemoteServer``: one tenant of a mock-calcom server running elsewhere (``mock-calcom serve``
in another process or CI service), driven over HTTP.

The pytest plugin hands one out as ``calcom_server`` when run with ``--calcom-url URL``: each
xdist worker gets its own tenant, reset before every test, so workers share one server without
seeing each other. Every request to the server must carry :attr:`headers` (the tenant).
"""

from __future__ import annotations

from typing import Any

import httpx

from mock_calcom.errors import MockCalcomError
from mock_calcom.tenancy import TENANT_HEADER
from mock_calcom.transports import CalcomUrls


class RemoteServer:
    """The ``tenant`` of the server at ``url``: its URLs, the header that selects it, and
    its control plane (``control("POST", "/users", {"username": "alice"})``)."""

    def __init__(self, url: str, tenant: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.tenant = tenant
        self._http = httpx.Client(base_url=self.url, headers=self.headers, timeout=timeout)

    @property
    def headers(self) -> dict[str, str]:
        """Send these with every request your code makes to the server."""
        return {TENANT_HEADER: self.tenant}

    @property
    def urls(self) -> CalcomUrls:
        return CalcomUrls.single_origin(self.url)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` for this tenant (the header set; base URL the server)."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    def control(self, method: str, path: str, json: Any = None) -> Any:
        """Call ``/_mock{path}`` for this tenant; a refusal raises :class:`MockCalcomError`."""
        response = self._http.request(method, f"/_mock{path}", json=json)
        if response.status_code >= 400:
            raise MockCalcomError(f"{method} /_mock{path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def reset(self) -> None:
        """Forget this tenant's users, clients, tokens, resources, faults and journal (its
        settings and clock stay, as ``POST /_mock/reset`` does)."""
        self.control("POST", "/reset")

    def renew(self) -> None:
        """Start this tenant afresh: everything reset, settings, consent and clock included
        (the tenant is dropped and recreated from the server's defaults)."""
        self.control("DELETE", f"/tenants/{self.tenant}")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemoteServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
