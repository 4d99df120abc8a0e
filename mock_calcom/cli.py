"""The ``mock-calcom`` command.

``mock-calcom serve`` runs a fake Cal.com on a local port for manual and cross-process work.
Each subcommand is a ``(configure, run)`` pair registered in :data:`COMMANDS`, so new ones
(``verify``) plug in without touching the others.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import TextIO

from mock_calcom.errors import MockCalcomError
from mock_calcom.fake import MockCalcom
from mock_calcom.model.clock import WallClock
from mock_calcom.server import LiveServer
from mock_calcom.settings import Settings

#: The consent page answers as a person would, so ``serve`` defaults to asking one.
DEFAULT_CONSENT = "interactive"
DEFAULT_PORT = 8765
CALLBACK_PATH = "/_mock/callback"


@dataclass(frozen=True)
class Command:
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]


# -- serve -----------------------------------------------------------------------------------

def _configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="loopback address to bind (default 127.0.0.1; only loopback is allowed)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to bind, 0 for any free one (default {DEFAULT_PORT})")
    parser.add_argument("--consent", choices=("approve", "deny", "interactive"),
                        default=DEFAULT_CONSENT,
                        help="how the authorize page answers (default: show the consent page)")
    parser.add_argument("--demo", action="store_true",
                        help="create a demo user and an approved client, and print its credentials")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the fake's randomness: the same seed gives the same ids and secrets")


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


def _serve(args: argparse.Namespace, out: TextIO, event: threading.Event) -> int:
    fake = MockCalcom(Settings(seed=args.seed), clock=WallClock())
    fake.set_consent(args.consent)
    server = LiveServer(fake, args.host, args.port)
    try:
        server.start()
    except OSError as exc:
        print(f"mock-calcom: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    try:
        _print_banner(fake, server, args, out)
        _wait(event)
    finally:
        server.stop()
        fake.close()
    print("mock-calcom: stopped", file=out, flush=True)
    return 0


def _print_banner(fake: MockCalcom, server: LiveServer, args: argparse.Namespace,
                  out: TextIO) -> None:
    urls = server.urls
    lines = [
        f"mock-calcom: a fake Cal.com at {server.url}",
        f"  authorize URL  {urls.authorize_url}",
        f"  token URL      {urls.token_url}",
        f"  API base URL   {urls.api_base_url}",
        f"  control plane  {server.url}/_mock",
        f"  consent        {args.consent}",
        f"  seed           {fake.model.rng.seed}",
    ]
    if args.demo:
        demo = fake.seed_demo(extra_redirect_uris=[server.url + CALLBACK_PATH])
        start = fake.authorize_url(demo.client.client_id, demo.redirect_uris[-1], demo.scopes,
                                   state="demo", base_url=server.url)
        lines += [
            "demo client:",
            f"  client_id      {demo.client.client_id}",
            f"  client_secret  {demo.client.client_secret}",
            f"  redirect URIs  {', '.join(demo.redirect_uris)}",
            f"  scopes         {' '.join(demo.scopes)}",
            f"  user           {demo.user.username} (id {demo.user.id})",
            f"  try it         {start}",
        ]
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

def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``only``, just that command's options are set up (``verify``
    imports the contract suites to describe its options, which ``serve`` must not pay for)."""
    parser = argparse.ArgumentParser(
        prog="mock-calcom",
        description="A faithful fake of Cal.com's OAuth server and API v2.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
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
