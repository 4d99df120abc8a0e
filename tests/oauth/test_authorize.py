"""The consent page, GET and POST /auth/oauth2/authorize, over HTTP."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom import MockCalcom, Settings
from mock_calcom.model.consent import ConsentMode
from mock_calcom.oauth.authorize import _authorize_request, _first_values, authorize_query
from tests.oauth.conftest import REDIRECT, OAuthWorld, challenge_for, granted_scopes, query_of

AUTHORIZE_URL = "https://app.cal.com/auth/oauth2/authorize"


def assert_redirect(response: httpx.Response, status: int, base: str) -> dict[str, list[str]]:
    assert response.status_code == status, response.text
    location = response.headers["location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == base
    return query_of(location)


def assert_page(response: httpx.Response, status: int, *texts: str) -> None:
    """An error shown on Cal.com's page: no redirect, the sentence in the HTML."""
    assert response.status_code == status, response.text
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    for text in texts:
        assert text in response.text


async def post_decision(world: OAuthWorld, fields: dict[str, str]) -> httpx.Response:
    return await world.http.post(AUTHORIZE_URL, data=fields)


def hidden_fields(html: str) -> dict[str, str]:
    import html as html_lib
    import re

    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    return {name: html_lib.unescape(value) for name, value in found}


# -- consent modes ---------------------------------------------------------------------------


async def test_approve_mode_redirects_at_once_with_a_code_and_the_state(world: OAuthWorld) -> None:
    client, _ = world.client()
    query = assert_redirect(await world.authorize(client), 302, REDIRECT)
    assert list(query) == ["code", "state"]
    assert query["state"] == ["st-1"]
    assert 50 <= len(query["code"][0]) <= 56


async def test_state_is_omitted_when_absent(world: OAuthWorld) -> None:
    client, _ = world.client()
    query = assert_redirect(await world.authorize(client, state=None), 302, REDIRECT)
    assert list(query) == ["code"]


async def test_state_is_echoed_unchanged(world: OAuthWorld) -> None:
    client, _ = world.client()
    state = "a b&c=d/é?+%41~*"
    query = assert_redirect(await world.authorize(client, state=state), 302, REDIRECT)
    assert query["state"] == [state]


async def test_the_redirect_uris_own_query_is_kept(world: OAuthWorld) -> None:
    registered = "https://app.example.com/cb?tenant=42&code=stale"
    client, _ = world.client(redirect_uris=[registered])
    response = await world.authorize(client)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith("https://app.example.com/cb?tenant=42&code=")
    query = query_of(location)
    assert query["tenant"] == ["42"]
    assert len(query["code"]) == 1
    assert query["code"] != ["stale"]


async def test_deny_mode_redirects_with_access_denied_and_the_state(world: OAuthWorld) -> None:
    client, _ = world.client()
    world.consent(ConsentMode.DENY)
    query = assert_redirect(await world.authorize(client), 302, REDIRECT)
    assert query == {"error": ["access_denied"], "state": ["st-1"]}


async def test_a_trusted_client_skips_consent_in_every_mode(world: OAuthWorld) -> None:
    client, _ = world.client(is_trusted=True)
    for mode in (ConsentMode.INTERACTIVE, ConsentMode.DENY):
        world.consent(mode)
        query = assert_redirect(await world.authorize(client), 302, REDIRECT)
        assert "code" in query


async def test_interactive_mode_shows_the_consent_page(world: OAuthWorld) -> None:
    world.user("bob")
    client, _ = world.client(logo="https://cdn.example.com/acme.png")
    world.consent(ConsentMode.INTERACTIVE)
    response = await world.authorize(client, scope="BOOKING_READ PROFILE_READ")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Acme Scheduler" in html
    assert 'src="https://cdn.example.com/acme.png"' in html
    assert "View your bookings" in html
    assert "View your profile" in html
    assert "Create, edit and cancel your bookings" not in html  # not requested
    assert '<option value="1" selected>' in html
    assert "Bob (bob@example.com)" in html
    assert 'value="allow"' in html
    assert 'value="deny"' in html
    assert hidden_fields(html) == {"client_id": client.client_id, "redirect_uri": REDIRECT,
                                   "scope": "BOOKING_READ PROFILE_READ", "state": "st-1"}


async def test_unmapped_scopes_are_shown_by_name(world: OAuthWorld) -> None:
    client, _ = world.client(scopes=["TEAM_BOOKING_READ"])
    world.consent(ConsentMode.INTERACTIVE)
    response = await world.authorize(client)
    assert '<li data-scope="TEAM_BOOKING_READ">TEAM_BOOKING_READ</li>' in response.text


async def test_the_page_escapes_client_text(world: OAuthWorld) -> None:
    client, _ = world.client(name="<script>alert(1)</script>", logo="javascript:alert(1)")
    world.consent(ConsentMode.INTERACTIVE)
    response = await world.authorize(client, state='"><b>x')
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "javascript:" not in response.text
    assert hidden_fields(response.text)["state"] == '"><b>x'


async def test_allow_on_the_page_redirects_with_a_code(world: OAuthWorld) -> None:
    client, secret = world.client()
    world.consent(ConsentMode.INTERACTIVE)
    page = await world.authorize(client)
    fields = hidden_fields(page.text) | {"decision": "allow", "user_id": str(world.owner.id)}
    query = assert_redirect(await post_decision(world, fields), 303, REDIRECT)
    assert query["state"] == ["st-1"]
    exchanged = await world.exchange(client, secret, query["code"][0])
    assert exchanged.status_code == 200


async def test_deny_on_the_page_redirects_with_access_denied(world: OAuthWorld) -> None:
    client, _ = world.client()
    world.consent(ConsentMode.INTERACTIVE)
    page = await world.authorize(client, state=None)
    fields = hidden_fields(page.text) | {"decision": "deny"}
    query = assert_redirect(await post_decision(world, fields), 303, REDIRECT)
    assert query == {"error": ["access_denied"]}


async def test_the_chosen_account_gets_the_grant(world: OAuthWorld) -> None:
    bob = world.user("bob")
    client, secret = world.client()
    world.consent(ConsentMode.INTERACTIVE)
    page = await world.authorize(client)
    fields = hidden_fields(page.text) | {"decision": "allow", "user_id": str(bob.id)}
    query = assert_redirect(await post_decision(world, fields), 303, REDIRECT)
    tokens = (await world.exchange(client, secret, query["code"][0])).json()
    claims = world.fake.model.tokens.verify_access(tokens["access_token"])
    assert claims.grant.user_id == bob.id


@pytest.mark.parametrize("user_id", ["999", "abc", "-1", "1" * 40])
async def test_an_unknown_account_is_refused(world: OAuthWorld, user_id: str) -> None:
    client, _ = world.client()
    fields = {"client_id": client.client_id, "redirect_uri": REDIRECT,
              "scope": "BOOKING_READ", "decision": "allow", "user_id": user_id}
    assert_page(await post_decision(world, fields), 400, "does not exist")


async def test_a_decision_must_be_allow_or_deny(world: OAuthWorld) -> None:
    client, _ = world.client()
    fields = {"client_id": client.client_id, "redirect_uri": REDIRECT, "scope": "BOOKING_READ"}
    assert_page(await post_decision(world, fields), 400, "decision must be allow or deny")


# -- errors shown on the page (never redirected) ---------------------------------------------


async def test_an_unknown_client_is_shown_on_the_page(world: OAuthWorld) -> None:
    response = await world.http.get(AUTHORIZE_URL, params={
        "client_id": "nope", "redirect_uri": REDIRECT, "scope": "BOOKING_READ", "state": "s"})
    assert_page(response, 401, "OAuth client with ID not found", "client_not_found")


@pytest.mark.parametrize("redirect_uri", [
    "https://evil.example/callback", REDIRECT + "/", REDIRECT.upper(), REDIRECT + "?next=1",
    "https://app.example.com/call",
])
async def test_a_redirect_uri_mismatch_is_shown_and_never_redirected(world: OAuthWorld,
                                                                     redirect_uri: str) -> None:
    client, _ = world.client()
    response = await world.authorize(client, redirect_uri=redirect_uri)
    assert_page(response, 400, "redirect_uri does not match")


async def test_a_missing_redirect_uri_is_shown_on_the_page(world: OAuthWorld) -> None:
    client, _ = world.client()
    assert_page(await world.authorize(client, redirect_uri=None), 400, "redirect_uri_mismatch")


async def test_a_scoped_client_requires_a_scope_on_the_page(world: OAuthWorld) -> None:
    client, _ = world.client()
    response = await world.authorize(client, scope=None)
    assert_page(response, 400, "scope parameter is required for this OAuth client")


async def test_a_pending_client_is_shown_as_not_approved_to_others(world: OAuthWorld) -> None:
    client, _ = world.client(status="PENDING")
    world.sign_in(world.user("bob"))
    assert_page(await world.authorize(client), 401, "OAuth client is not approved")


async def test_a_pending_client_works_for_its_owner(world: OAuthWorld) -> None:
    client, _ = world.client(status="PENDING")
    assert "code" in assert_redirect(await world.authorize(client), 302, REDIRECT)


async def test_without_users_the_page_explains_how_to_create_one(http: httpx.AsyncClient) -> None:
    response = await http.get(AUTHORIZE_URL, params={"client_id": "x", "redirect_uri": REDIRECT})
    assert_page(response, 401, "Nobody is signed in", "POST /_mock/users")


# -- errors redirected to the client ---------------------------------------------------------


async def test_a_rejected_client_is_reported_on_the_page_not_redirected(world: OAuthWorld) -> None:
    """The page renders any getClientForAuthorization error as text (FACTS §11.6)."""
    client, _ = world.client(status="REJECTED")
    for mode in (ConsentMode.APPROVE, ConsentMode.INTERACTIVE, ConsentMode.DENY):
        world.consent(mode)
        assert_page(await world.authorize(client), 401, "OAuth client has been rejected")
    fields = {"client_id": client.client_id, "redirect_uri": REDIRECT, "decision": "allow",
              "scope": " ".join(client.scopes)}
    assert_page(await post_decision(world, fields), 401, "OAuth client has been rejected")


async def test_an_unknown_scope_is_redirected(world: OAuthWorld) -> None:
    client, _ = world.client()
    query = assert_redirect(await world.authorize(client, scope="BOOKING_READ TELEPORT"),
                            302, REDIRECT)
    assert query == {"error": ["invalid_request"],
                     "error_description": ["Requested scope is not a recognized scope"],
                     "state": ["st-1"]}


async def test_a_scope_beyond_the_registration_is_redirected(world: OAuthWorld) -> None:
    client, _ = world.client()
    query = assert_redirect(await world.authorize(client, scope="BOOKING_READ SCHEDULE_WRITE"),
                            302, REDIRECT)
    assert query == {"error": ["invalid_request"],
                     "error_description": ["Requested scope exceeds the client's registered scopes"],
                     "state": ["st-1"]}


async def test_the_scope_error_code_follows_the_setting(world: OAuthWorld) -> None:
    client, _ = world.client()
    world.fake.update_settings(authorize_scope_error="invalid_scope")
    query = assert_redirect(await world.authorize(client, scope="SCHEDULE_WRITE"), 302, REDIRECT)
    assert query["error"] == ["invalid_scope"]


async def test_a_public_client_needs_a_code_challenge(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    query = assert_redirect(await world.authorize(client, code_challenge=None), 302, REDIRECT)
    assert query == {"error": ["invalid_request"],
                     "error_description": ["code_challenge required for public clients"],
                     "state": ["st-1"]}


async def test_pkce_is_checked_at_allow_not_when_the_page_loads(world: OAuthWorld) -> None:
    """FACTS §11.6: the consent page shows; the error comes when the user presses Allow, and
    Deny never meets it."""
    client, _ = world.client(client_type="PUBLIC")
    world.consent(ConsentMode.INTERACTIVE)
    page = await world.authorize(client, code_challenge=None, code_challenge_method=None)
    assert page.status_code == 200
    fields = hidden_fields(page.text)
    assert "code_challenge" not in fields
    denied = assert_redirect(await post_decision(world, fields | {"decision": "deny"}), 303, REDIRECT)
    assert denied["error"] == ["access_denied"]
    allowed = assert_redirect(await post_decision(world, fields | {"decision": "allow"}), 303,
                              REDIRECT)
    assert allowed["error_description"] == ["code_challenge required for public clients"]
    world.consent(ConsentMode.DENY)
    query = assert_redirect(await world.authorize(client, code_challenge=None), 302, REDIRECT)
    assert query == {"error": ["access_denied"], "state": ["st-1"]}


@pytest.mark.parametrize("method", ["plain", "s256"])
async def test_a_challenge_method_other_than_s256_fails_the_pages_input_schema(
        world: OAuthWorld, method: str) -> None:
    """z.enum(["S256"]) refuses it before the service runs; tRPC's message is zod's issue
    list as JSON (FACTS §11.6), so the description is not the service's sentence."""
    client, _ = world.client(client_type="PUBLIC")
    query = assert_redirect(await world.authorize(client, code_challenge_method=method),
                            302, REDIRECT)
    assert query["error"] == ["invalid_request"]
    description = query["error_description"][0]
    assert json.loads(description) == [{
        "received": method, "code": "invalid_enum_value", "options": ["S256"],
        "path": ["codeChallengeMethod"],
        "message": f"Invalid enum value. Expected 'S256', received '{method}'"}]
    assert description.startswith('[\n  {\n    "received"')
    # Even a confidential client without a challenge: the page sends any non-empty method.
    confidential, _ = world.client()
    query = assert_redirect(await world.authorize(confidential, code_challenge=None,
                                                  code_challenge_method=method), 302, REDIRECT)
    assert json.loads(query["error_description"][0])[0]["received"] == method


async def test_a_missing_challenge_method_is_the_services_error(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    query = assert_redirect(await world.authorize(client, code_challenge_method=None),
                            302, REDIRECT)
    assert query["error_description"] == ["code_challenge_method must be S256"]


async def test_redirected_errors_keep_the_redirect_uris_query(world: OAuthWorld) -> None:
    registered = "https://app.example.com/cb?tenant=42"
    client, _ = world.client(redirect_uris=[registered])
    response = await world.authorize(client, scope="NOPE", state=None)
    assert response.headers["location"] == (
        "https://app.example.com/cb?tenant=42&error=invalid_request"
        "&error_description=Requested+scope+is+not+a+recognized+scope")


# -- scopes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["BOOKING_READ PROFILE_READ", "BOOKING_READ,PROFILE_READ",
                                   " BOOKING_READ, ,PROFILE_READ ,"])
async def test_scopes_split_on_spaces_and_commas(world: OAuthWorld, scope: str) -> None:
    client, secret = world.client()
    tokens = await world.exchange(client, secret, await world.code(client, scope=scope))
    assert granted_scopes(tokens.json()) == ["BOOKING_READ", "PROFILE_READ"]


async def test_repeated_scopes_are_kept_as_cal_com_does_not_de_duplicate(world: OAuthWorld) -> None:
    """parseScopeParam is ``split(/[, ]+/).filter(Boolean)``, no Set (FACTS §11.12)."""
    client, secret = world.client()
    code = await world.code(client, scope="BOOKING_READ BOOKING_READ,PROFILE_READ")
    tokens = await world.exchange(client, secret, code)
    assert granted_scopes(tokens.json()) == ["BOOKING_READ", "BOOKING_READ", "PROFILE_READ"]


async def test_a_legacy_client_needs_no_scope(world: OAuthWorld) -> None:
    client, secret = world.client(scopes=["READ_BOOKING", "READ_PROFILE"])
    tokens = await world.exchange(client, secret, await world.code(client, scope=None))
    assert tokens.status_code == 200


@pytest.mark.parametrize("scope", [None, ""])
async def test_a_legacy_client_without_scope_gets_its_registered_scopes(
        world: OAuthWorld, scope: str | None) -> None:
    """resolveScopesForTokens (FACTS §11.7): an empty ``scope`` means the client's scopes."""
    client, secret = world.client(scopes=["READ_PROFILE"])
    tokens = (await world.exchange(client, secret, await world.code(client, scope=scope))).json()
    assert granted_scopes(tokens) == ["READ_PROFILE"]
    me = await world.http.get("/api/auth/oauth/me",
                              headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert (me.status_code, me.json()) == (201, {"username": world.owner.username})


async def test_a_legacy_client_may_ask_for_any_known_scope(world: OAuthWorld) -> None:
    client, secret = world.client(scopes=["READ_PROFILE"])
    code = await world.code(client, scope="READ_PROFILE SCHEDULE_WRITE")
    tokens = (await world.exchange(client, secret, code)).json()
    assert granted_scopes(tokens) == ["READ_PROFILE", "SCHEDULE_WRITE"]


async def test_a_legacy_client_may_not_ask_for_unknown_scopes(world: OAuthWorld) -> None:
    client, _ = world.client(scopes=[])
    query = assert_redirect(await world.authorize(client, scope="READ_EVERYTHING"), 302, REDIRECT)
    assert query["error_description"] == ["Requested scope is not a recognized scope"]


# -- the POST trusts nothing -----------------------------------------------------------------


async def test_a_tampered_redirect_uri_in_the_form_is_never_followed(world: OAuthWorld) -> None:
    client, _ = world.client()
    for decision in ("allow", "deny"):
        fields = {"client_id": client.client_id, "redirect_uri": "https://evil.example/cb",
                  "scope": "BOOKING_READ", "state": "s", "decision": decision}
        assert_page(await post_decision(world, fields), 400, "redirect_uri does not match")


async def test_a_tampered_scope_in_the_form_is_revalidated(world: OAuthWorld) -> None:
    client, _ = world.client(scopes=["BOOKING_READ"])
    fields = {"client_id": client.client_id, "redirect_uri": REDIRECT,
              "scope": "BOOKING_READ BOOKING_WRITE", "state": "s", "decision": "allow"}
    query = assert_redirect(await post_decision(world, fields), 303, REDIRECT)
    assert query["error_description"] == ["Requested scope exceeds the client's registered scopes"]


async def test_a_dropped_code_challenge_in_the_form_is_revalidated(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    fields = {"client_id": client.client_id, "redirect_uri": REDIRECT, "decision": "allow",
              "scope": " ".join(client.scopes)}
    query = assert_redirect(await post_decision(world, fields), 303, REDIRECT)
    assert query["error_description"] == ["code_challenge required for public clients"]


async def test_the_form_carries_the_pkce_challenge_to_the_code(world: OAuthWorld) -> None:
    client, _ = world.client(client_type="PUBLIC")
    world.consent(ConsentMode.INTERACTIVE)
    page = await world.authorize(client)
    fields = hidden_fields(page.text)
    assert fields["code_challenge"] == challenge_for(
        "a-verifier-that-is-long-enough-to-be-a-real-pkce-code-verifier-0123")
    query = assert_redirect(await post_decision(world, fields | {"decision": "allow"}), 303, REDIRECT)
    assert (await world.exchange(client, None, query["code"][0])).status_code == 200


async def test_an_oversized_form_is_refused(world: OAuthWorld) -> None:
    response = await world.http.post(AUTHORIZE_URL, content=b"a=" + b"x" * 200_000,
                                     headers={"content-type": "application/x-www-form-urlencoded"})
    assert_page(response, 413, "larger than")


async def test_repeated_query_parameters_use_the_first(world: OAuthWorld) -> None:
    client, _ = world.client()
    url = (f"{AUTHORIZE_URL}?client_id={client.client_id}&redirect_uri={REDIRECT}"
           f"&redirect_uri=https://evil.example/cb&scope=BOOKING_READ&state=one&state=two")
    query = assert_redirect(await world.http.get(url), 302, REDIRECT)
    assert query["state"] == ["one"]


async def test_response_type_and_ui_parameters_are_ignored(world: OAuthWorld) -> None:
    client, _ = world.client()
    response = await world.authorize(client, response_type="token", register="true",
                                     onboardingEmbed="true")
    assert "code" in assert_redirect(response, 302, REDIRECT)


# -- the shortcut: an authorize query parsed once per text -----------------------------------

_QUERY_NAMES = st.sampled_from(["client_id", "redirect_uri", "scope", "state", "code_challenge",
                                "code_challenge_method", "response_type", "x", "scope%20",
                                "stat%65", "client_id+"])
_QUERY_VALUES = st.sampled_from(["", "a", "a+b", "a%20b", "%E2%9C%93", "%zz", "é", "https://x/cb?a=1",
                                 "BOOKING_READ,BOOKING_WRITE", "S256", "=", "%26"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_QUERY_NAMES, _QUERY_VALUES), max_size=8), st.booleans())
def test_a_remembered_authorize_query_equals_one_parsed_afresh(
        pairs: list[tuple[str, str]], long: bool) -> None:
    text = "&".join(f"{name}={value}" for name, value in pairs)
    if long:  # past the remembered length: parsed every time
        text += "&pad=" + "p" * 2048
    query = text.encode("latin-1", "replace")
    fresh = _authorize_request(_first_values(query))
    assert authorize_query(query) == fresh
    assert authorize_query(query) == fresh  # the remembered parse


def test_each_authorize_query_is_remembered_on_its_own() -> None:
    first = authorize_query(b"client_id=a&redirect_uri=https%3A%2F%2Fx%2Fcb&state=1")
    second = authorize_query(b"client_id=a&redirect_uri=https%3A%2F%2Fx%2Fcb&state=2")
    assert (first.client_id, first.redirect_uri, first.state) == ("a", "https://x/cb", "1")
    assert second.state == "2"


def test_a_long_authorize_query_is_parsed_but_not_remembered() -> None:
    from mock_calcom.oauth.authorize import _parsed_query

    query = b"client_id=a&state=" + b"s" * 2100
    before = _parsed_query.cache_info().currsize
    assert authorize_query(query).state == "s" * 2100
    assert _parsed_query.cache_info().currsize == before


# -- the shortcut: the page's GET as its own ASGI app -----------------------------------------

def _authorize_world(mode: ConsentMode, *, with_user: bool = True) -> tuple[MockCalcom, list[bytes]]:
    """A fake of a fixed seed with a signed-in owner and three clients, and the queries to
    ask it: approved, refused, on the page, and every kind of error."""
    fake = MockCalcom(Settings(seed=5))
    owner = fake.model.create_user("owner", "owner@example.com") if with_user else None
    with fake.model.lock:
        kept, _ = fake.model.clients.create(name="Kept", redirect_uris=[REDIRECT, REDIRECT + "?k=1&code=x"],
                                            scopes=["BOOKING_READ"],
                                            owner_user_id=owner.id if owner else None)
        public, _ = fake.model.clients.create(name="Public", redirect_uris=[REDIRECT],
                                              scopes=["BOOKING_READ"], client_type="PUBLIC")
    fake.model.consent.mode = mode
    base = {"client_id": kept.client_id, "redirect_uri": REDIRECT, "scope": "BOOKING_READ", "state": "s 1"}
    variants: list[dict[str, str]] = [
        base, {**base, "state": "s2"}, {**base, "redirect_uri": REDIRECT + "?k=1&code=x"},
        {k: v for k, v in base.items() if k != "state"}, {**base, "client_id": "nobody"},
        {**base, "redirect_uri": "https://evil.example/cb"}, {**base, "scope": "NOT_A_SCOPE"},
        {**base, "scope": ""}, {**base, "client_id": public.client_id},
        {**base, "client_id": public.client_id, "code_challenge": "c" * 43, "code_challenge_method": "plain"},
    ]
    return fake, [str(httpx.QueryParams(v)).encode() for v in variants] + [b"state=%zz&client_id"]


@pytest.mark.parametrize("mode", list(ConsentMode))
@pytest.mark.parametrize("with_user", [True, False])
async def test_the_authorize_pages_own_app_answers_as_its_handler_does(
        mode: ConsentMode, with_user: bool) -> None:
    from mock_calcom.asgi import ScopeEndpoint
    from mock_calcom.oauth.authorize import AuthorizePage, authorize_page

    async def conversation(app: object, fake: MockCalcom, queries: list[bytes],
                           captured: bool = False) -> list[object]:
        from mock_calcom.journal import Captured

        sent: list[object] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: object) -> None:
            sent.append(message)

        for method in ("GET", "HEAD"):
            for query in queries:
                scope: dict[str, object] = {
                    "type": "http", "method": method, "path": "/auth/oauth2/authorize",
                    "query_string": query, "headers": [], "app": fake.app, "path_params": {}}
                # The edge's own send (the journal's Captured list), or any other.
                held = Captured()
                await app(scope, receive, held if captured else send)  # type: ignore[operator]
                sent.extend(held)
        return sent

    general, fast = _authorize_world(mode, with_user=with_user), _authorize_world(mode, with_user=with_user)
    held = _authorize_world(mode, with_user=with_user)
    assert general[1] == fast[1] == held[1]
    expected = await conversation(ScopeEndpoint(authorize_page), *general)
    assert await conversation(AuthorizePage(), *fast) == expected
    assert await conversation(AuthorizePage(), *held, captured=True) == expected
    statuses = {m["status"] for m in expected if isinstance(m, dict) and "status" in m}
    assert (302 in statuses) == with_user  # redirects (codes or errors) and pages both compared
    assert (200 in statuses) == (with_user and mode is ConsentMode.INTERACTIVE)


@pytest.mark.parametrize("how", ["approved", "unknown client", "no user", "consent page"])
async def test_the_authorize_page_frees_the_model_lock_whatever_it_answers(
        world: OAuthWorld, how: str) -> None:
    from tests.oauth.test_client_info import _free_in_another_thread

    client, _ = world.client()
    if how == "no user":
        world.fake.model.consent.user_id = None
    if how == "consent page":
        world.consent(ConsentMode.INTERACTIVE)
    response = await world.authorize(client, client_id="nobody" if how == "unknown client"
                                     else client.client_id)
    assert response.status_code in (200, 302, 400, 401)
    assert _free_in_another_thread(world.fake.model.lock)
