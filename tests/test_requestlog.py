"""``serve``'s log line per request: method, path, status, client, user, rule; no secrets."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import httpx

from mock_calcom import LiveServer, MockCalcom
from mock_calcom.requestlog import RequestLog


def test_each_request_is_one_line_with_client_user_and_the_rule_that_refused_it() -> None:
    out = io.StringIO()
    with MockCalcom() as fake:
        user = fake.create_user("alice")
        fake.set_consent("approve")
        made = fake.create_client("App", ["http://localhost:3000/cb"], ["BOOKING_READ"])
        with LiveServer(fake, request_log=RequestLog(out)) as server:
            start = fake.authorize_url(made.client_id, "http://localhost:3000/cb",
                                       ["BOOKING_READ"], base_url=server.url)
            location = httpx.get(start).headers["location"]
            code = parse_qs(urlsplit(location).query)["code"][0]
            form = {"grant_type": "authorization_code", "client_id": made.client_id,
                    "client_secret": made.client_secret, "code": code,
                    "redirect_uri": "http://localhost:3000/cb"}
            tokens = httpx.post(server.urls.token_url, data=form).json()
            again = httpx.post(server.urls.token_url, data=form)
            assert again.status_code == 400
            me = httpx.get(f"{server.url}/v2/bookings",
                           headers={"Authorization": f"Bearer {tokens['access_token']}",
                                    "cal-api-version": "2024-08-13"})
            assert me.status_code == 200
    lines = out.getvalue().splitlines()
    assert len(lines) == 4, lines
    assert lines[0].startswith(f"GET /auth/oauth2/authorize 302 client={made.client_id} user=-")
    assert lines[1] == f"POST /v2/auth/oauth2/token 200 client={made.client_id} user={user.id}"
    assert re.fullmatch(rf'POST /v2/auth/oauth2/token 400 client={made.client_id} user=- '
                        r'rule="invalid_grant: .+"', lines[2]), lines[2]
    assert lines[3] == f"GET /v2/bookings 200 client={made.client_id} user={user.id}"
    text = out.getvalue()
    for secret in (made.client_secret, code, tokens["access_token"], tokens["refresh_token"]):
        assert secret
        assert secret not in text


def test_an_api_refusal_names_cal_com_s_message() -> None:
    out = io.StringIO()
    with MockCalcom() as fake, LiveServer(fake, request_log=RequestLog(out)) as server:
        httpx.get(f"{server.url}/v2/bookings",
                  headers={"Authorization": "Bearer nope", "cal-api-version": "2024-08-13"})
    (line,) = out.getvalue().splitlines()
    assert line.startswith('GET /v2/bookings 403 client=- user=- rule="ForbiddenException: ')


def test_a_secret_issued_inside_a_tenant_is_kept_out_of_the_line_as_the_root_s_secrets_are() -> None:
    out = io.StringIO()
    with MockCalcom() as fake, LiveServer(fake, request_log=RequestLog(out)) as server:
        root_app = fake.create_client("Root", ["http://localhost:3000/cb"], ["BOOKING_READ"])
        tenant_app = fake.tenant("ci-1").create_client("Tenant", ["http://localhost:3000/cb"],
                                                       ["BOOKING_READ"])
        for made, headers in ((root_app, {}), (tenant_app, {"X-Mock-Tenant": "ci-1"})):
            # A common slip: the secret sent in the client_id field.
            assert made.client_secret
            refused = httpx.post(server.urls.token_url, headers=headers, data={
                "grant_type": "refresh_token", "client_id": made.client_secret,
                "client_secret": made.client_secret, "refresh_token": "x"})
            assert refused.status_code in (400, 401)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines
    for line in lines:
        assert "client=<redacted" in line, line
    for made in (root_app, tenant_app):
        assert made.client_secret
        assert made.client_secret not in out.getvalue()
