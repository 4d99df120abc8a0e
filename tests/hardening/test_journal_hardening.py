"""Issue 9, items 3 and 4: a journal that cannot be poisoned or blown up, and redaction by
value of every secret the fake issued or received."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.journal import MAX_STORED_BODY

JSON = {"content-type": "application/json"}


@pytest.fixture
def fake() -> Iterator[MockCalcom]:
    with MockCalcom(Settings(seed=11)) as fake:
        yield fake


@pytest.fixture
def http(fake: MockCalcom) -> Iterator[httpx.Client]:
    with fake.client(base_url="http://127.0.0.1:8765") as client:
        yield client


def _readable(fake: MockCalcom, http: httpx.Client) -> list[dict[str, object]]:
    response = http.get("/_mock/journal")
    assert response.status_code == 200, response.text
    entries = [e.to_dict() for e in fake.journal]
    json.dumps(entries, allow_nan=False).encode("utf-8")  # serialisable, strictly
    return entries


@pytest.mark.parametrize("body", [
    '{"a": NaN, "b": Infinity}',
    '{"a": "\\ud800 lone"}',
    "[" * 600 + "]" * 600,
    '{"a":' * 300 + "1" + "}" * 300,
])
@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
def test_hostile_bodies_never_poison_the_journal(fake: MockCalcom, http: httpx.Client,
                                                 body: str, content_type: str) -> None:
    response = http.post("/v2/me", content=body, headers={"content-type": content_type})
    assert response.status_code < 500
    _readable(fake, http)


def test_a_large_body_is_cut_with_a_marker(fake: MockCalcom, http: httpx.Client) -> None:
    http.post("/v2/me", content="x" * 90_000, headers={"content-type": "text/plain"})
    entry = fake.journal.last()
    assert entry is not None
    assert isinstance(entry.request_body, str)
    assert entry.request_body.endswith(f"<truncated: kept {MAX_STORED_BODY} of 90000 bytes>")


def test_the_ring_keeps_to_its_byte_budget(fake: MockCalcom, http: httpx.Client) -> None:
    fake.update_settings(journal_max_bytes=1024 * 1024)
    for _ in range(200):
        http.post("/v2/me", content="x" * 50_000, headers={"content-type": "text/plain"})
    assert fake.journal.size_bytes <= 1024 * 1024
    assert 0 < len(fake.journal) < 200
    assert fake.journal.dropped == 200 - len(fake.journal)


def test_query_filters_and_pages_without_building_other_entries(
        fake: MockCalcom, http: httpx.Client) -> None:
    for i in range(30):
        http.get(f"/v2/me?n={i}")
        http.get("/v2/auth/oauth2/clients/abc")
    page = fake.journal.query(path="/v2/me", limit=10)
    assert [e.query["n"] for e in page.entries] == [str(i) for i in range(10)]
    assert page.next_after is not None
    second = fake.journal.query(path="/v2/me", limit=10, after=page.next_after)
    assert [e.query["n"] for e in second.entries] == [str(i) for i in range(10, 20)]
    built = len(fake.journal._built)  # the redacted entries built so far, by id
    assert built == 20  # only what was returned was redacted and built
    assert fake.journal.query(status="4xx", limit=1000).entries
    assert fake.journal.query(status=200, limit=1000).entries == []
    assert len(fake.journal.query(client="abc", limit=1000).entries) == 30


def test_the_http_journal_takes_the_same_filters(fake: MockCalcom, http: httpx.Client) -> None:
    http.get("/v2/me")
    http.get("/v2/auth/oauth2/clients/xyz")
    # The lookup needs authentication: 401 (FACTS §11.4).
    body = http.get("/_mock/journal", params={"client": "xyz", "status": "401"}).json()
    assert [e["path"] for e in body["entries"]] == ["/v2/auth/oauth2/clients/xyz"]
    assert http.get("/_mock/journal", params={"limit": "-1"}).status_code == 400
    assert http.get("/_mock/journal", params={"status": "teapot"}).status_code == 400


def _code(fake: MockCalcom) -> tuple[str, str]:
    demo = fake.seed_demo()
    with fake.client() as http:
        location = http.get(fake.authorize_url(demo.client.client_id, demo.redirect_uri,
                                               demo.scopes, state="s")).headers["location"]
    return location.split("code=")[1].split("&")[0], demo.client.client_secret or ""


def test_a_code_sent_in_odd_places_never_appears_in_the_journal(fake: MockCalcom) -> None:
    code, secret = _code(fake)
    verifier = "v" * 20 + "-verifier-of-mine-0123456789"
    with fake.client() as http:
        http.post("/v2/auth/oauth2/token", data={"grant_type": "authorization_code",
                                                 "client_id": "x", "code_verifier": verifier,
                                                 "code": code, "redirect_uri": "https://x"})
        http.get(f"/v2/unknown/{code}", headers={"x-custom": f"the code is {code}."},
                 params={"weird": code, "v": verifier})
        http.post("/v2/me", content=f"prose {secret} and {verifier}",
                  headers={"content-type": "text/plain"})
    dumped = json.dumps([e.to_dict() for e in fake.journal])
    for value in (code, verifier, secret):
        assert value not in dumped
    assert "<redacted:code>" in dumped
    assert "<redacted:code_verifier>" in dumped
    assert fake.redact_text(f"log line {code}") == "log line <redacted:code>"
