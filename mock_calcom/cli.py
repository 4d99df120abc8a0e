"""The ``mock-calcom`` command.

``mock-calcom serve`` runs a fake Cal.com on a local port for manual and cross-process work.
Each subcommand is a ``(configure, run)`` pair registered in :data:`COMMANDS`, so new ones
(``verify``) plug in without touching the others.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import NamedTuple, NoReturn, TextIO

from mock_calcom.config import ConfigError, ServeConfig, demo_config_path, load_config, parse_set
from mock_calcom.control.security import ADMIN_TOKEN_ENV, ADMIN_TOKEN_HEADER
from mock_calcom.errors import MockCalcomError
from mock_calcom.fake import MockCalcom, RegisteredClient
from mock_calcom.model.clock import WallClock
from mock_calcom.requestlog import RequestLog
from mock_calcom.server import LiveServer

#: The consent page answers as a person would, so ``serve`` defaults to asking one.
DEFAULT_CONSENT = "interactive"
DEFAULT_PORT = 8765
CALLBACK_PATH = "/_mock/callback"


class Command(NamedTuple):
    """A subcommand (a named tuple: cheaper to define than a dataclass, and serve's start-up
    defines it)."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]


# -- serve -----------------------------------------------------------------------------------

def _configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1); a non-loopback address "
                             "needs an admin token")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to bind, 0 for any free one (default {DEFAULT_PORT})")
    parser.add_argument("--admin-token", default=None, metavar="TOKEN",
                        help=f"require this token (header {ADMIN_TOKEN_HEADER}) on every "
                             f"/_mock call; default: ${ADMIN_TOKEN_ENV} if set")
    parser.add_argument("--consent", choices=("approve", "deny", "interactive"),
                        default=None,
                        help="how the authorize page answers (default: the config's, else "
                             "show the consent page)")
    parser.add_argument("--config", metavar="FILE.toml", default=None,
                        help="start with the users, clients (fixed credentials allowed), "
                             "resources and settings of this file (docs/serve.md)")
    parser.add_argument("--demo", action="store_true",
                        help="load the shipped demo config (a user and an approved client with "
                             "fixed credentials) and print its credentials")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", dest="settings",
                        help="change one setting, e.g. --set rate_limit_enabled=false "
                             "(repeatable; wins over the config file)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the fake's randomness: the same seed gives the same ids and secrets")
    parser.add_argument("--quiet", action="store_true",
                        help="no log line per request")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port


def _run_serve(args: argparse.Namespace, out: TextIO) -> int:
    return serve(args, out)


def serve(args: argparse.Namespace, out: TextIO, *, stop: threading.Event | None = None) -> int:
    """Run until interrupted (or until ``stop`` is set: tests use it)."""
    event = stop or threading.Event()
    previous = None
    if stop is None and threading.current_thread() is threading.main_thread():
        # SIGTERM (docker stop, kill) stops as cleanly as Ctrl+C, from the very start.
        def _on_term(signum: int, frame: FrameType | None) -> None:
            event.set()

        previous = signal.signal(signal.SIGTERM, _on_term)
    try:
        return _serve(args, out, event)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _load(args: argparse.Namespace) -> ServeConfig:
    """The config file (``--demo``: the shipped one, else ``--config``, else none), checked
    along with ``--set`` before anything starts."""
    if args.demo and args.config:
        raise ConfigError("--demo and --config are exclusive (the demo is a config file: "
                          f"{demo_config_path()})")
    path = demo_config_path() if args.demo else args.config
    return load_config(path) if path else ServeConfig(path="")


def _serve(args: argparse.Namespace, out: TextIO, event: threading.Event) -> int:
    token = getattr(args, "admin_token", None) or os.environ.get(ADMIN_TOKEN_ENV) or None
    config = _load(args)
    overrides = parse_set(args.settings)
    if args.seed is not None:
        overrides["seed"] = args.seed
    # A served fake meets real traffic, so it limits requests without a bearer per IP as
    # Cal.com does (FACTS §11.11), unless the config or --set says otherwise; in-process fakes
    # leave it off (Settings.rate_limit_unauthenticated).
    if "rate_limit_unauthenticated" not in config.settings:
        overrides.setdefault("rate_limit_unauthenticated", True)
    fake = MockCalcom(config.settings_object(overrides), clock=WallClock())
    # State lives in memory: a restarted server starts empty, and its tokens are signed with
    # a fresh key, so tokens of an earlier run are refused even with the same seed.
    fake.model.salt_signing_key(secrets.token_bytes(16))
    fake.set_consent(args.consent or config.consent or DEFAULT_CONSENT)
    log = None if args.quiet else RequestLog(out)
    server = LiveServer(fake, args.host, args.port, request_log=log, secure_control=True,
                        admin_token=token)
    try:
        server.start()
    except OSError as exc:
        print(f"mock-calcom: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    try:
        try:
            registered = config.apply(fake, server_url=server.url)
        except MockCalcomError:
            server.stop()
            fake.close()
            raise
        if args.consent:  # the command line wins over the file
            fake.set_consent(args.consent, fake.consent.user_id)
        _print_banner(fake, server, config, registered, out)
        _wait(event)
    finally:
        server.stop()
        fake.close()
    print("mock-calcom: stopped", file=out, flush=True)
    return 0


def _print_banner(fake: MockCalcom, server: LiveServer, config: ServeConfig,
                  registered: list[RegisteredClient], out: TextIO) -> None:
    urls = server.urls
    lines = [
        f"mock-calcom {_version()}: a fake Cal.com at {server.url}",
        f"  authorize URL  {urls.authorize_url}",
        f"  token URL      {urls.token_url}",
        f"  API base URL   {urls.api_base_url}",
        f"  control plane  {server.url}/_mock/  " + (
            f"(admin token required: {ADMIN_TOKEN_HEADER})" if fake.control_security
            and fake.control_security.admin_token else "(JSON only, this origin only)"),
    ]
    security = fake.control_security
    if security is not None and security.sessions is not None:
        # The token cannot ride on a browser's link: a one-time link that sets a cookie.
        lines.append(f"  browser login  {security.sessions.login_url(server.url)}  (valid once)")
    lines += [
        f"  consent        {fake.consent.mode.value}",
        f"  seed           {fake.model.rng.seed}",
    ]
    if config.path:
        lines.append(f"  config         {config.path}")
    users = {u.id: u for u in fake.users()}
    for made in registered:
        client = made.client
        callback = next((u for u in client.redirect_uris if u.startswith(server.url)),
                        client.redirect_uris[0])
        start = fake.authorize_url(client.client_id, callback, client.scopes or None,
                                   state="demo", base_url=server.url)
        owner = users.get(client.owner_user_id) if client.owner_user_id is not None else None
        lines += [
            f"client {client.name!r} ({client.status.value}, {client.client_type.value}):",
            f"  client_id      {client.client_id}",
        ]
        if made.client_secret is not None:
            lines.append(f"  client_secret  {made.client_secret}")
        lines += [
            f"  redirect URIs  {', '.join(client.redirect_uris)}",
            f"  scopes         {' '.join(client.scopes) or '(none: legacy client)'}",
        ]
        if owner is not None:
            lines.append(f"  owner          {owner.username} (id {owner.id})")
        lines.append(f"  try it         {start}")
    if users:
        lines.append("users: " + ", ".join(f"{u.username} (id {u.id})" for u in users.values()))
    lines.append("Press Ctrl+C to stop.")
    print("\n".join(lines), file=out, flush=True)


def _wait(event: threading.Event) -> None:
    try:
        while not event.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


# -- verify (owner: contracts; the runner lives in mock_calcom_contracts.verify) -------------------------

def _configure_verify(parser: argparse.ArgumentParser) -> None:
    from mock_calcom_contracts.verify import build_parser as build_verify_parser

    build_verify_parser(parser)


def _run_verify(args: argparse.Namespace, out: TextIO) -> int:
    from mock_calcom_contracts.verify import main as verify_main

    return verify_main(args, out=out)


COMMANDS: dict[str, Command] = {
    "serve": Command("run a fake Cal.com on a local port", _configure_serve, _run_serve),
    "verify": Command("verify a Cal.com provider implementation against the contract suites",
                      _configure_verify, _run_verify),
}


# -- entry point -----------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """Argument errors as one line (``mock-calcom serve: error: argument --port: ...``) and
    exit status 2, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _version() -> str:
    # The package's own attribute, not importlib.metadata: importing that is a noticeable
    # share of serve's start-up, and the banner prints the version.
    from mock_calcom import __version__

    return __version__


class _VersionAction(argparse.Action):
    """``--version`` (argparse's own action, with the version read when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default,
                         help=help or "show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        # On stdout, as argparse's own version action prints it.
        print(f"{parser.prog} {_version()}")
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``only``, just that command's options are set up (``verify``
    imports the contract suites to describe its options, which ``serve`` must not pay for)."""
    parser = _Parser(
        prog="mock-calcom",
        description="A faithful fake of Cal.com's OAuth server and API v2.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, command in COMMANDS.items():
        subparser = sub.add_parser(name, help=command.help, description=command.help)
        if only is None or only == name:
            command.configure(subparser)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, when it is the first argument (else ``None``: set up
    every command and let argparse decide)."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(arguments))
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return COMMANDS[args.command].run(args, out or sys.stdout)
    except MockCalcomError as exc:
        print(f"mock-calcom: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
