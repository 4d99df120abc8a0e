"""Issue 9, item 2: every input gets a 4xx when it would break the fake, and the fake keeps
answering afterwards (its journal included)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.bodylimit import MAX_BODY_BYTES, MAX_JSON_DEPTH, json_too_deep
from mock_calcom.errors import InvalidControlInput
from mock_calcom.faults import guarded_regex
from mock_calcom.settings import SETTINGS_INPUTS

JSON = {"content-type": "application/json"}


@pytest.fixture
def fake() -> Iterator[MockCalcom]:
    with MockCalcom(Settings(seed=3)) as fake:
        yield fake


@pytest.fixture
def http(fake: MockCalcom) -> Iterator[httpx.Client]:
    with fake.client(base_url="http://127.0.0.1:8765") as client:
        yield client


def _still_answers(http: httpx.Client) -> None:
    assert http.get("/v2/me").status_code == 401
    assert http.get("/_mock/journal").status_code == 200
    assert http.get("/_mock/clock").status_code == 200


def test_a_clock_jump_past_year_9000_is_refused(http: httpx.Client, fake: MockCalcom) -> None:
    before = fake.now()
    response = http.post("/_mock/clock/advance", json={"seconds": 1e12})
    assert response.status_code == 400
    assert fake.now() == before
    _still_answers(http)


@pytest.mark.parametrize(("name", "raw"), [
    ("journal_limit", str(2**63)), ("code_ttl", "1" + "0" * 400), ("access_token_ttl", "0"),
    ("rate_limit", "-1"), ("seed", str(2**70)), ("refresh_token_ttl", "1e308"),
    ("api_invalid_token_message", '"' + "x" * 5000 + '"'),
])
def test_absurd_settings_are_refused(http: httpx.Client, fake: MockCalcom, name: str, raw: str) -> None:
    before = fake.settings
    response = http.patch("/_mock/settings", content=f'{{"{name}": {raw}}}', headers=JSON)
    assert response.status_code == 400, response.text
    assert fake.settings == before
    _still_answers(http)


def test_every_setting_is_declared_with_a_range() -> None:
    declared = {f.name for f in SETTINGS_INPUTS.fields}
    assert declared == set(Settings.__dataclass_fields__)
    for spec in SETTINGS_INPUTS.fields:
        if spec.kind in ("integer", "number"):
            assert spec.minimum is not None, spec.name
            assert spec.maximum is not None, spec.name


@pytest.mark.parametrize("fault", [
    {"method": False, "status": 500},
    {"path": "/v2/me", "status": 100},
    {"path": "/v2/me", "status": 200, "headers": {"bad name": "x"}},
    {"path": "/v2/me", "status": 200, "headers": {"x-a": "line\r\nbreak"}},
    {"path": "/v2/me", "status": 200, "headers": {"x-a": "caf\u00e9\u2603"}},
    {"path": "/v2/me", "status": 200, "headers": {"content-length": "5"}},
    {"path_regex": "(a+)+$", "status": 500},
    {"path_regex": "(x|xx)*y", "status": 500},
    {"path": "/v2/me", "advance_clock": 1e12},
    {"path": "/v2/me", "status": 500, "times": 2**63},
])
def test_faults_that_would_break_later_requests_are_refused(http: httpx.Client, fake: MockCalcom,
                                                            fault: dict[str, object]) -> None:
    response = http.post("/_mock/faults", json=fault)
    assert response.status_code == 400, response.text
    assert fake.faults == []
    _still_answers(http)


def test_a_catastrophic_regex_is_refused_before_it_can_stall_the_loop() -> None:
    with pytest.raises(InvalidControlInput, match="stall"):
        guarded_regex("(a*)*b")
    assert guarded_regex(r"/v2/bookings/[^/]+/cancel").fullmatch("/v2/bookings/x/cancel")


def test_deep_json_is_a_4xx_on_every_surface_and_never_reaches_the_journal(
        http: httpx.Client, fake: MockCalcom) -> None:
    deep = "[" * 600 + "]" * 600
    booking = http.post("/v2/bookings", content=deep,
                        headers={**JSON, "cal-api-version": "2024-08-13"})
    assert booking.status_code == 400
    assert booking.json()["status"] == "error"
    token = http.post("/v2/auth/oauth2/token", content=deep, headers=JSON)
    assert token.status_code == 400
    assert token.json()["error"] == "invalid_request"
    control = http.post("/_mock/users", content='{"a":' * 100 + "1" + "}" * 100, headers=JSON)
    assert control.status_code == 400
    assert "error" in control.json()
    assert http.get("/_mock/journal").status_code == 200
    _still_answers(http)


def test_depth_counts_brackets_outside_strings_only() -> None:
    assert not json_too_deep(b'{"a": "' + b"[" * 500 + b'"}')
    assert json_too_deep(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))
    assert not json_too_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)


def test_a_huge_body_is_refused_by_its_declared_length_before_it_is_read(
        http: httpx.Client, fake: MockCalcom) -> None:
    big = b"x" * (MAX_BODY_BYTES + 1)
    response = http.post("/v2/bookings", content=big,
                         headers={**JSON, "cal-api-version": "2024-08-13"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PayloadTooLargeException"
    control = http.post("/_mock/users", content=b"x" * (2 * 1024 * 1024), headers=JSON)
    assert control.status_code == 413
    assert len(fake.journal) == 0
    _still_answers(http)


def test_a_chunked_body_over_the_limit_is_refused(http: httpx.Client, fake: MockCalcom) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 4096

    response = http.post("/v2/bookings", content=chunks(),
                         headers={**JSON, "cal-api-version": "2024-08-13"})
    assert response.status_code == 413
    assert len(fake.journal) == 0


def test_lone_surrogates_in_a_control_body_are_refused(http: httpx.Client, fake: MockCalcom) -> None:
    response = http.post("/_mock/users", content='{"username": "\\ud800"}', headers=JSON)
    assert response.status_code == 400
    assert fake.users() == []


def test_the_document_states_exactly_the_declared_inputs(fake: MockCalcom) -> None:
    from mock_calcom.control import inputs as declared
    from mock_calcom.faults import FAULT_INPUTS
    from mock_calcom.openapi import build_document

    document = build_document(fake.app.routes)

    def body(method: str, path: str) -> object:
        schema = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        return schema["schema"]

    assert body("post", "/_mock/clock/advance") == declared.CLOCK_ADVANCE.schema()
    assert body("patch", "/_mock/settings") == SETTINGS_INPUTS.schema()
    assert body("post", "/_mock/users") == declared.CREATE_USER.schema()
    assert body("post", "/_mock/clients") == declared.CREATE_CLIENT.schema()
    assert body("post", "/_mock/rate-limits") == declared.RATE_LIMIT.schema()
    assert document["components"]["schemas"]["FaultInput"] == FAULT_INPUTS.schema()
    journal = {p["name"]: p["schema"] for p in document["paths"]["/_mock/journal"]["get"]["parameters"]}
    assert journal["limit"]["maximum"] == 10_000


@pytest.mark.parametrize(("path", "body"), [
    ("/_mock/users", {"username": "x" * 300}),
    ("/_mock/clients", {"name": "a", "redirect_uris": ["https://a.example/cb"] * 11}),
    ("/_mock/rate-limits", {"token": "t", "limit": 2**63}),
    ("/_mock/rate-limits", {"token": "t", "limit": 5, "window": 1e300}),
    ("/_mock/consent", {"mode": "sometimes"}),
])
def test_control_fields_outside_their_declared_range_are_refused(
        http: httpx.Client, path: str, body: dict[str, object]) -> None:
    method = "PUT" if path == "/_mock/consent" else "POST"
    response = http.request(method, path, json=body)
    assert response.status_code == 400, response.text
    _still_answers(http)
