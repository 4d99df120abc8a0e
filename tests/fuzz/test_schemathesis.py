"""Issue 9, item 7: Schemathesis against a running fake, driven by the fake's own document
(``/_mock/openapi.json``): no generated request may get a 5xx.

``make test`` runs a bounded pass (``FUZZ_EXAMPLES`` examples per operation, default 2);
``make fuzz`` runs the long one (``FUZZ_EXAMPLES=150``: about 23 000 requests, at least
10 000 required) and prints how
many requests it sent. Each case starts from the same state: the demo user and client, a
bearer token of theirs, no faults and default settings, so a fuzzed fault with status 500 or
a fuzzed ``rate_limit`` cannot make a later case fail for a reason of its own.

A second, stateful pass follows the document's OpenAPI links (``mock_calcom.openapi.LINKS``):
Schemathesis chains a create to the calls on what it created (a booking to its cancel, a
client to its secrets), ``stateful_step_count`` calls per sequence.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from mock_calcom import MockCalcom, Settings
from mock_calcom.server import LiveServer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
#: Requests sent, for ``make fuzz``'s report.
SENT = {"requests": 0, "server_errors": 0}


class _World:
    def __init__(self) -> None:
        self.fake = MockCalcom(Settings(seed=7, rate_limit_enabled=False))
        self.server = LiveServer(self.fake, secure_control=True).start()
        self.http = httpx.Client(timeout=30)
        self.token = ""
        self.dirty = False
        self.ids: dict[str, list[Any]] = {}
        self.turn = 0
        self.restore()

    def restore(self) -> None:
        """The same starting point for every case (reset keeps settings; put them back)."""
        fake = self.fake
        fake.clear_faults()
        fake.reset()
        fake.model.apply_settings(Settings(seed=7, rate_limit_enabled=False))
        demo = fake.seed_demo()
        fake.set_consent("approve")  # a reset keeps the consent mode a case may have set
        with fake.client() as http:
            location = http.get(fake.authorize_url(demo.client.client_id, demo.redirect_uri,
                                                   demo.scopes, state="s")).headers["location"]
            code = location.split("code=")[1].split("&")[0]
            self.token = http.post("/v2/auth/oauth2/token", data={
                "grant_type": "authorization_code", "client_id": demo.client.client_id,
                "client_secret": demo.client.client_secret, "code": code,
                "redirect_uri": demo.redirect_uri}).json()["access_token"]
            # Real objects, so path parameters can name them (see _with_real_ids).
            bearer = {"authorization": f"Bearer {self.token}"}
            self.ids = {"user_id": [demo.user.id], "client_id": [demo.client.client_id]}
            for path, version, names in (
                    ("/v2/bookings", "2024-08-13", {"bookingUid": "uid"}),
                    ("/v2/event-types", "2024-06-14", {"eventTypeId": "id"}),
                    ("/v2/schedules", "2024-06-11", {"scheduleId": "id"})):
                found = http.get(path, headers={**bearer, "cal-api-version": version}).json()
                for param, key in names.items():
                    self.ids[param] = [item[key] for item in found.get("data", [])][:5]
        fake.journal.clear()


@pytest.fixture(scope="module")
def world() -> Iterator[_World]:
    world = _World()
    yield world
    world.http.close()
    world.server.stop()
    world.fake.close()
    if os.environ.get("FUZZ_REPORT"):
        print(f"\nfuzz: {SENT['requests']} requests, {SENT['server_errors']} server errors")


def test_no_generated_request_gets_a_server_error(world: _World) -> None:
    schema = schemathesis.openapi.from_url(f"{world.server.url}/_mock/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) > 100  # Cal.com's routes and the control plane

    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            if world.dirty:
                world.restore()
            # A control call may have changed anything (faults, settings, reset): start the
            # next case afresh. Cal.com's routes only touch what a real client could.
            world.dirty = case.method != "GET" and case.path.startswith("/_mock")
            sent = {k.lower() for k in (case.headers or {})}
            headers = {} if "authorization" in sent else {"authorization": f"Bearer {world.token}"}
            _with_real_ids(case, world)
            response = case.call(base_url=world.server.url, headers=headers, timeout=30)
            SENT["requests"] += 1
            if response.status_code >= 500:
                SENT["server_errors"] += 1
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {response.text[:200]}")

        run()
    assert failures == []
    # make fuzz asks for a floor (10 000): fewer generated requests would be a weaker run.
    assert SENT["requests"] >= int(os.environ.get("FUZZ_MIN_REQUESTS", "0"))


def _with_real_ids(case: Any, world: _World) -> None:
    """Every other case names real objects in its path (the demo user's bookings, event
    types, schedules, the demo client and user), so the fuzzer reaches the handlers behind
    the 404s, as OpenAPI links would lead it there."""
    world.turn += 1
    if world.turn % 2 or not case.path_parameters:
        return
    for name in list(case.path_parameters):
        real = world.ids.get(name)
        if real:
            case.path_parameters[name] = real[world.turn // 2 % len(real)]


#: Operations the stateful phase chains: the ones the document's links join (objects made by
#: one call and used by the next), without the control calls that change the rules for every
#: later call (faults, settings, reset, clock), which the stateless pass covers.
STATEFUL_PATHS = r"^/(v2/(bookings|event-types|schedules)|_mock/(users|clients))"


def test_stateful_sequences_along_the_links_get_no_server_error(world: _World) -> None:
    world.restore()
    schema = schemathesis.openapi.from_url(f"{world.server.url}/_mock/openapi.json")
    machine_class = schema.include(path_regex=STATEFUL_PATHS).as_state_machine()
    failures: list[str] = []
    chained = {"steps": 0, "linked": 0}

    class Machine(machine_class):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            sent = {k.lower() for k in (case.headers or {})}
            headers = {} if "authorization" in sent else {"authorization": f"Bearer {world.token}"}
            return {"base_url": world.server.url, "headers": headers, "timeout": 30}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            SENT["requests"] += 1
            chained["steps"] += 1
            # A path parameter filled from an earlier answer (a link) names a real object.
            chained["linked"] += bool(case.path_parameters) and response.status_code != 404
            if response.status_code >= 500:
                SENT["server_errors"] += 1
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {response.text[:200]}")

    Machine.run(settings=settings(
        max_examples=max(2, EXAMPLES), stateful_step_count=6, deadline=None,
        derandomize=True, database=None, suppress_health_check=list(HealthCheck)))
    world.dirty = True
    assert failures == []
    assert chained["steps"] > 0
    if EXAMPLES >= 10:  # make fuzz: the links must have led somewhere real
        assert chained["linked"] > 0
    if os.environ.get("FUZZ_REPORT"):
        print(f"\nfuzz stateful: {chained['steps']} steps, {chained['linked']} on real objects")
