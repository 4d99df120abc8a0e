"""``serve --config FILE.toml`` and ``--set``: what a file declares, and how a bad one fails."""

from __future__ import annotations

import io
import re
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from mock_calcom import MockCalcom
from mock_calcom.cli import build_parser, main, serve
from mock_calcom.config import ConfigError, demo_config_path, load_config, parse_set

FULL = """\
seed = 42
consent = "approve"
consent_user = "bob"

[settings]
rate_limit_enabled = false
access_token_ttl = 60

[[users]]
username = "alice"
email = "alice@example.com"
name = "Alice"
time_zone = "Europe/Berlin"

[[users]]
username = "bob"

[[clients]]
name = "Fixed app"
client_id = "my-app"
client_secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
status = "PENDING"
owner = "alice"
scopes = ["BOOKING_READ"]
redirect_uris = ["https://app.example/cb", "{server}/_mock/callback"]

[[clients]]
name = "Public app"
type = "PUBLIC"
redirect_uris = ["http://localhost:5173/cb"]

[[schedules]]
owner = "alice"
name = "Evenings"
availability = [{days = ["Monday", "Tuesday"], start = "18:00", end = "21:00"}]

[[event_types]]
owner = "alice"
title = "Intro call"
slug = "intro"
length = 45
schedule = "Evenings"

[[bookings]]
host = "alice"
event_type = "intro"
start = "2026-12-01T18:00:00Z"
attendee = {name = "Carol", email = "carol@example.net"}
status = "pending"
"""


def _write(tmp_path: Path, text: str, name: str = "mock.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value)


def test_a_config_declares_users_clients_resources_settings_and_consent(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, FULL))
    fake = MockCalcom(config.settings_object())
    registered = config.apply(fake, server_url="http://127.0.0.1:9999")
    assert [u.username for u in fake.users()] == ["alice", "bob"]
    alice = fake.users()[0]
    assert (alice.email, alice.name, alice.time_zone) == ("alice@example.com", "Alice", "Europe/Berlin")
    fixed = fake.get_client("my-app")
    assert registered[0].client_secret == "0123456789abcdef" * 4
    assert fixed.verify_secret("0123456789abcdef" * 4)
    assert fixed.status.value == "PENDING"
    assert fixed.owner_user_id == alice.id
    assert fixed.redirect_uris == ["https://app.example/cb", "http://127.0.0.1:9999/_mock/callback"]
    assert fixed.scopes == ["BOOKING_READ"]
    public = registered[1]
    assert public.client_secret is None
    assert public.client.client_type.value == "PUBLIC"
    assert fake.settings.rate_limit_enabled is False
    assert fake.settings.access_token_ttl == 60
    assert fake.settings.seed == 42
    assert fake.consent.mode.value == "approve"
    assert fake.consent.user_id == fake.users()[1].id
    store = fake.model.resources
    intro = store.event_types.by_slug(alice.id, "intro")
    assert intro is not None
    assert intro.length == 45
    evenings = store.schedules.get(intro.schedule_id or 0)
    assert evenings is not None
    assert evenings.name == "Evenings"
    booked = [b for b in store.bookings._by_uid.values() if b.event_type_id == intro.id]
    assert len(booked) == 1
    assert booked[0].attendees[0].name == "Carol"
    assert booked[0].status.value == "pending"
    assert booked[0].end - booked[0].start == 45 * 60


def test_the_same_file_gives_the_same_fake_twice(tmp_path: Path) -> None:
    path = _write(tmp_path, FULL)
    ids = []
    for _ in range(2):
        config = load_config(path)
        fake = MockCalcom(config.settings_object())
        config.apply(fake)
        ids.append([c.client_id for c in fake.clients()])
    assert ids[0] == ids[1]


def test_the_shipped_demo_config_loads() -> None:
    config = load_config(demo_config_path())
    fake = MockCalcom(config.settings_object())
    (demo,) = config.apply(fake)
    assert demo.client.status.value == "APPROVED"
    assert demo.client_secret is not None
    assert re.fullmatch(r"[0-9a-f]{64}", demo.client_secret)


@pytest.mark.parametrize(("text", "where", "what"), [
    ('seed = 1\n[settings]\nrate_limit = "many"\n', ":3:",
     "settings.rate_limit: setting 'rate_limit' has the wrong type"),
    ('[settings]\nno_such_thing = 1\n', ":2:", "settings.no_such_thing: unknown key"),
    ('[[users]]\nusername = "a"\n\n[[clients]]\nname = "x"\nredirect_uris = ["http://example.com/cb"]\n',
     ":6:", "clients[0].redirect_uris: redirect URI 'http://example.com/cb' must use https"),
    ('[[users]]\nusername = "a"\n[[clients]]\nname = "x"\nredirect_uris = ["https://a/cb"]\nstatus = "OK"\n',
     ":6:", "clients[0].status: must be one of APPROVED, PENDING, REJECTED"),
    ('[[clients]]\nname = "x"\nredirect_uris = ["https://a/cb"]\nowner = "nobody"\n',
     ":4:", "clients[0].owner: no user 'nobody' in this file"),
    ('[[users]]\nusername = "a"\n[[users]]\nusername = "Has Spaces"\n',
     ":3:", "users[1]: username must be"),
    ('[[clients]]\nname = "x"\ntype = "PUBLIC"\nclient_secret = "abcdefghij"\nredirect_uris = ["https://a/cb"]\n',
     ":4:", "clients[0].client_secret: a PUBLIC client has no secret"),
    ('[[users]]\nusername = "a"\n[[bookings]]\nhost = "a"\nevent_type = "nope"\n'
     'start = "2026-12-01T10:00:00Z"\nattendee = {name = "C", email = "c@x.net"}\n',
     ":5:", "bookings[0].event_type: a has no event type 'nope'"),
    ('[[users]]\nusername = "a"\n[[bookings]]\nhost = "a"\nevent_type = "30min"\n'
     'start = "tomorrow"\nattendee = {name = "C", email = "c@x.net"}\n',
     ":6:", "bookings[0].start: must be a date-time with a zone"),
    ('consent = "maybe"\n', ":1:", "consent: must be one of approve, deny, interactive"),
])
def test_a_bad_file_names_file_line_key_and_problem(tmp_path: Path, text: str, where: str,
                                                    what: str) -> None:
    message = _error(tmp_path, text)
    assert message.startswith(str(tmp_path / "mock.toml") + where), message
    assert what in message


def test_a_syntax_error_gets_tomllib_s_line(tmp_path: Path) -> None:
    message = _error(tmp_path, '[[users]]\nusername = "a"\nname = \n')
    assert message.startswith(f"{tmp_path / 'mock.toml'}:3: not valid TOML"), message


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


def test_set_reads_values_as_toml_and_refuses_unknown_or_mistyped_settings() -> None:
    assert parse_set(["rate_limit=10", "legacy_endpoints=false", "rate_limit_reset_unit=timestamp",
                      'api_invalid_token_message="Nope."']) == {
        "rate_limit": 10, "legacy_endpoints": False, "rate_limit_reset_unit": "timestamp",
        "api_invalid_token_message": "Nope."}
    with pytest.raises(ConfigError, match="unknown setting 'nope'"):
        parse_set(["nope=1"])
    with pytest.raises(ConfigError, match="wrong type"):
        parse_set(["rate_limit=fast"])
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_set(["rate_limit"])


def test_serve_fails_at_start_on_a_bad_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, '[settings]\ncode_ttl = -5\n')
    assert main(["serve", "--port", "0", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: settings.code_ttl" in err
    assert "positive" in err


def _run(argv: list[str]) -> tuple[str, str]:
    """Serve with ``argv``, return the base URL and the banner, and stop."""
    args = build_parser().parse_args(["serve", "--port", "0", *argv])
    out, stop = io.StringIO(), threading.Event()
    runner = threading.Thread(target=serve, args=(args, out), kwargs={"stop": stop})
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while "Press Ctrl+C" not in out.getvalue():
            assert time.monotonic() < deadline, out.getvalue()
            time.sleep(0.01)
        base = re.search(r"a fake Cal\.com at (\S+)", out.getvalue())
        assert base
        settings = httpx.get(f"{base.group(1)}/_mock/settings").json()
        clients = httpx.get(f"{base.group(1)}/_mock/clients").json()["clients"]
        return out.getvalue(), f"{settings['rate_limit_enabled']} {settings['seed']} " + " ".join(
            c["client_id"] for c in clients)
    finally:
        stop.set()
        runner.join(10)


def test_serve_applies_config_then_set(tmp_path: Path) -> None:
    path = _write(tmp_path, FULL)
    banner, state = _run(["--config", str(path), "--set", "rate_limit_enabled=true",
                          "--quiet"])
    assert state.startswith("True 42 my-app ")
    assert "client_id      my-app" in banner
    assert "client_secret  " + "0123456789abcdef" * 4 in banner


def test_serve_demo_restarts_with_the_same_client_id_and_secret() -> None:
    first, _ = _run(["--demo", "--quiet"])
    second, _ = _run(["--demo", "--quiet"])

    def credentials(banner: str) -> tuple[str, ...]:
        return tuple(re.findall(r"client_(?:id|secret)\s+(\S+)", banner))

    assert credentials(first) == credentials(second)
    assert len(credentials(first)) == 2
