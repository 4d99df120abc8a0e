"""The consent page, the callback debugger and the control plane, clicked through in Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from mock_calcom import LiveServer, MockCalcom, RegisteredClient
from mock_calcom.config import demo_config_path, load_config

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass
class Served:
    fake: MockCalcom
    server: LiveServer
    demo: RegisteredClient

    @property
    def callback(self) -> str:
        return f"{self.server.url}/_mock/callback"

    def start(self, client: RegisteredClient | None = None, state: str = "st-1") -> str:
        made = client or self.demo
        return self.fake.authorize_url(made.client_id, self.callback, made.client.scopes or None,
                                       state=state, base_url=self.server.url)


@pytest.fixture
def served() -> Iterator[Served]:
    """``serve --demo`` in-process: the shipped demo config on a free port."""
    config = load_config(demo_config_path())
    with MockCalcom(config.settings_object()) as fake, LiveServer(fake) as server:
        (demo,) = config.apply(fake, server_url=server.url)
        yield Served(fake, server, demo)


def _follow(page: Page, selector: str) -> None:
    """Click a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def _exchange_result(page: Page) -> dict[str, Any]:
    from playwright.sync_api import expect

    result = page.locator("#x-result")
    before = result.inner_text() if result.is_visible() else None
    page.click("#x-go")
    if before is None:
        page.wait_for_selector("#x-result:not([hidden])")
    else:
        # A second exchange: wait for its answer, not the first one's still on the page.
        expect(result).not_to_have_text(before)
    data: dict[str, Any] = json.loads(page.inner_text("#x-result"))
    return data


def test_consent_allow_lands_on_the_debugger_which_exchanges_the_code(served: Served, page: Page) -> None:
    page.goto(served.start())
    assert "Demo integration would like to access your Cal.com account" in page.inner_text("h1")
    assert page.locator("#status-banner").count() == 0
    page.click("button[value=allow]")
    page.wait_for_url(f"{served.callback}?*")
    assert page.inner_text("h1") == "Authorized"
    params = page.inner_text("#params")
    assert "st-1" in params
    assert "code" in params
    # The client is preselected (the code says whose it is) and its secret is known.
    assert page.input_value("#x-client") == "demo-client-id"
    data = _exchange_result(page)
    assert data["status"] == 200
    assert data["claims"]["access_token"]["clientId"] == "demo-client-id"
    assert data["claims"]["access_token"]["userId"] == served.fake.users()[0].id
    assert data["expiry"]["access_token"]["in_seconds"] == 1800
    assert "expires" in page.inner_text("#x-summary")
    # A code is good once: the second exchange is refused, and the page says so.
    again = _exchange_result(page)
    assert again["status"] == 400
    assert "invalid_grant" in page.inner_text("#x-summary")


def test_deny_comes_back_as_access_denied_explained(served: Served, page: Page) -> None:
    page.goto(served.start(state="s-deny"))
    page.click("button[value=deny]")
    page.wait_for_url(f"{served.callback}?*")
    assert page.inner_text("h1") == "Not authorized"
    alert = page.inner_text("[role=alert]")
    assert "access_denied" in alert
    assert "pressed Deny" in alert
    assert page.locator("#exchange").count() == 0


def test_a_pending_client_warns_and_only_its_owner_gets_through(served: Served, page: Page) -> None:
    served.fake.update_client("demo-client-id", status="PENDING")
    page.goto(served.start())
    banner = page.inner_text("#status-banner")
    assert "pending review" in banner
    assert "Demo User (demo@example.com)" in banner
    # The account picker marks the owner; the other account's Allow is refused.
    other = next(u for u in served.fake.users() if u.username == "other")
    page.select_option("#user_id", str(other.id))
    page.click("button[value=allow]")
    assert "client_not_approved" in page.content()
    page.goto(served.start())
    page.click("button[value=allow]")  # the owner, signed in by default
    page.wait_for_url(f"{served.callback}?*")
    assert page.inner_text("h1") == "Authorized"


def test_the_account_picker_decides_who_the_token_is_for(served: Served, page: Page) -> None:
    other = next(u for u in served.fake.users() if u.username == "other")
    page.goto(served.start())
    options = page.locator("#user_id option").all_inner_texts()
    assert options == ["Demo User (demo@example.com) - owner", "Other User (other@example.com)"]
    page.select_option("#user_id", str(other.id))
    page.click("button[value=allow]")
    page.wait_for_url(f"{served.callback}?*")
    assert _exchange_result(page)["claims"]["access_token"]["userId"] == other.id


def test_the_journal_viewer_filters_by_status_client_and_rule(served: Served, page: Page) -> None:
    base = served.server.url
    second = served.fake.create_client("Second app", [served.callback], ["BOOKING_READ"])
    httpx.post(f"{base}/v2/auth/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": "demo-client-id",
        "client_secret": "wrong", "code": "nope", "redirect_uri": served.callback})
    httpx.post(f"{base}/v2/auth/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": second.client_id,
        "client_secret": second.client_secret, "code": "nope", "redirect_uri": served.callback})
    httpx.get(served.start())
    page.goto(f"{base}/_mock/")
    _follow(page, "text=Journal viewer")
    rows = page.locator("tr.entry")
    assert rows.count() == 3
    # Newest first.
    ids = [int(x) for x in [rows.nth(i).get_attribute("data-entry-id") or "" for i in range(3)]]
    assert ids == sorted(ids, reverse=True)
    page.fill("#f-status", "4xx")
    _follow(page, "button[type=submit]")
    assert page.locator("tr.entry").count() == 2
    page.fill("#f-client", second.client_id)
    _follow(page, "button[type=submit]")
    assert page.locator("tr.entry").count() == 1
    assert "code_invalid_or_expired" in page.inner_text("tr.entry .rule")
    page.fill("#f-client", "")
    page.fill("#f-rule", "invalid_client")
    _follow(page, "button[type=submit]")
    assert page.locator("tr.entry").count() == 1
    assert "demo-client-id" in page.inner_text("tr.entry")
    # Secrets stay redacted in the details.
    page.click("tr.entry summary")
    assert "&lt;redacted:code&gt;" not in page.inner_text("tr.entry pre")
    assert "<redacted:code>" in page.inner_text("tr.entry pre")


def test_the_journal_viewer_pages(served: Served, page: Page) -> None:
    for _ in range(5):
        httpx.get(f"{served.server.url}/v2/me")
    page.goto(f"{served.server.url}/_mock/journal/view?size=2")
    first = page.locator("tr.entry").first.get_attribute("data-entry-id")
    _follow(page, "#older")
    _follow(page, "#older")
    assert page.locator("tr.entry").count() == 1
    _follow(page, "#newest")
    assert page.locator("tr.entry").first.get_attribute("data-entry-id") == first


def test_the_index_links_everything_and_its_buttons_write_with_json(served: Served, page: Page) -> None:
    page.goto(f"{served.server.url}/_mock/")
    for name in ("Journal viewer", "Callback debugger", "OpenAPI document", "Settings", "Users",
                 "Clients", "Faults"):
        assert page.locator("a", has_text=name).count() >= 1, name
    page.click("button:has-text('deny')")
    # expect() polls the DOM; wait_for_function would need eval, which the pages' CSP forbids.
    from playwright.sync_api import expect

    expect(page.locator("#consent-mode")).to_have_text("deny")
    assert served.fake.consent.mode.value == "deny"
    row = page.locator("tr[data-client-id='demo-client-id']")
    row.locator("button:has-text('rejected')").click()
    expect(row.locator("td").nth(2)).to_have_text("REJECTED")
    assert served.fake.get_client("demo-client-id").status.value == "REJECTED"


XSS = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=1</script>"


def test_no_user_string_runs_as_code_on_any_page(served: Served, page: Page) -> None:
    evil = served.fake.create_client(XSS, [served.callback, "https://x.example/cb"], ["BOOKING_READ"],
                                     logo="javascript:window.__xss=1")
    served.fake.create_user("mallory", "m@example.com", name=XSS)
    httpx.get(f"{served.server.url}/v2/me", params={"q": XSS}, headers={"User-Agent": XSS})
    pages = [
        served.start(evil, state=XSS),
        f"{served.callback}?code={XSS}&state={XSS}&error_description={XSS}",
        f"{served.callback}?error={XSS}&error_description={XSS}",
        f"{served.server.url}/_mock/journal/view?path=/&client={XSS}",
        f"{served.server.url}/_mock/journal/view",
        f"{served.server.url}/_mock/",
    ]
    for url in pages:
        page.goto(url)
        if page.locator("summary").count():
            page.click("summary")
        assert page.evaluate("window.__xss") is None, url
        assert page.locator("img[src=x]").count() == 0, url
    page.goto(served.start(evil, state=XSS))
    assert XSS in page.inner_text("h1")
