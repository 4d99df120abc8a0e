"""The fake's own document carries OpenAPI links (issue 9, item 7): each names an operation the
document serves, fills exactly that operation's path parameters, and, followed from a real
answer of its producer, reaches the object the producer made."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.openapi import LINKS

VERSIONS = {"bookings": "2024-08-13", "event-types": "2024-06-14", "schedules": "2024-06-11"}


@pytest.fixture
def fake() -> Iterator[MockCalcom]:
    # GET /v2/bookings/{uid} refuses scoped tokens by default (a Cal.com quirk, not the link).
    with MockCalcom(Settings(seed=11, rate_limit_enabled=False,
                             booking_get_open_to_scoped_tokens=True)) as fake:
        fake.set_consent("approve")
        yield fake


@pytest.fixture
def http(fake: MockCalcom) -> Iterator[httpx.Client]:
    with fake.client() as client:
        yield client


@pytest.fixture
def document(http: httpx.Client) -> dict[str, Any]:
    answer: dict[str, Any] = http.get("/_mock/openapi.json").json()
    return answer


def _links(document: dict[str, Any]) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for name, link in response.get("links", {}).items():
                    found.append((method, path, status, name, link))
    return found


def _resolve(document: dict[str, Any], ref: str) -> tuple[str, str, dict[str, Any]]:
    assert ref.startswith("#/paths/")
    pointer, method = ref[len("#/paths/"):].rsplit("/", 1)
    path = unquote(pointer).replace("~1", "/").replace("~0", "~")
    return path, method, document["paths"][path][method]


def test_every_declared_link_is_in_the_document(document: dict[str, Any]) -> None:
    assert len(_links(document)) == len(LINKS)


def test_each_link_fills_exactly_its_targets_path_parameters(document: dict[str, Any]) -> None:
    for method, path, status, name, link in _links(document):
        target_path, _, target = _resolve(document, link["operationRef"])
        wanted = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
        assert set(link["parameters"]) == wanted, (method, path, status, name)
        assert set(re.findall(r"{(\w+)}", target_path)) == wanted
        for expression in link["parameters"].values():
            assert expression.startswith("$response.body#/")


def _slot(fake: MockCalcom, hour: int = 13, days: int = 1) -> str:
    day = dt.datetime.fromtimestamp(fake.now(), tz=dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00:00.000Z"


def _producer_bodies(fake: MockCalcom, username: str, turn: int) -> dict[tuple[str, str], Any]:
    """A request each producer accepts (201), a new object each ``turn``."""
    return {
        ("POST", "/_mock/users"): {"username": f"linked{turn}"},
        ("POST", "/_mock/clients"): {"name": "Linked", "redirect_uris": ["https://a.example/cb"],
                                     "scopes": ["PROFILE_READ"]},
        ("POST", "/_mock/clients/{client_id}/secrets"): None,
        ("POST", "/_mock/faults"): {"path": "/nowhere", "status": 503},
        ("POST", "/v2/bookings"): {
            "start": _slot(fake, 9 + turn % 8, 3 + turn // 8), "eventTypeSlug": "30min", "username": username,
            "attendee": {"name": "Pat Doe", "email": "pat@example.org",
                         "timeZone": "Europe/Paris"}},
        ("POST", "/v2/event-types"): {"title": "Linked", "slug": f"linked-{turn}",
                                      "lengthInMinutes": 20},
        ("POST", "/v2/schedules"): {
            "name": "Linked", "timeZone": "Europe/Rome", "isDefault": False,
            "availability": [{"days": ["Monday"], "startTime": "18:00", "endTime": "21:00"}]},
    }


def _pointer(body: Any, expression: str) -> Any:
    for part in expression[len("$response.body#/"):].split("/"):
        body = body[part]
    return body


def _headers(path: str, token: str) -> dict[str, str]:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    resource = path.split("/")[2] if path.startswith("/v2/") else ""
    if resource in VERSIONS:
        headers["cal-api-version"] = VERSIONS[resource]
    return headers


def test_following_each_link_reaches_the_object_its_producer_made(
        fake: MockCalcom, http: httpx.Client) -> None:
    demo = fake.seed_demo()
    location = http.get(fake.authorize_url(demo.client.client_id, demo.redirect_uri,
                                           demo.scopes, state="s")).headers["location"]
    code = location.split("code=")[1].split("&")[0]
    token = http.post("/v2/auth/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": demo.client.client_id,
        "client_secret": demo.client.client_secret, "code": code,
        "redirect_uri": demo.redirect_uri}).json()["access_token"]
    followed = 0
    for turn, ((method, path, status), (to_method, to_path), parameters) in enumerate(LINKS):
        bodies = _producer_bodies(fake, demo.user.username, turn)
        produced_path = path.replace("{client_id}", demo.client.client_id)
        produced = http.request(method, produced_path, json=bodies[(method, path)],
                                headers=_headers(path, token))
        assert produced.status_code == int(status), (path, produced.text)
        target = to_path
        for name, expression in parameters.items():
            target = target.replace(f"{{{name}}}", quote(str(_pointer(produced.json(),
                                                                       expression)), safe=""))
        body = {"cancellationReason": "Linked"} if target.endswith("/cancel") else (
            {"start": _slot(fake, 9 + turn % 8, 10)} if target.endswith("/reschedule") else (
                {} if to_method in ("PATCH", "POST") else None))
        answer = http.request(to_method, target, json=body, headers=_headers(target, token))
        assert 200 <= answer.status_code < 300, (to_method, target, answer.text)
        followed += 1
    assert followed == len(LINKS)
