"""Providers in any language: the driver protocol's Python side (``docs/driver-protocol.md``).

A *driver* is a small HTTP server on loopback that wraps an integration's Cal.com code written
in any language. :class:`DriverFactory` turns its URL into an ordinary provider factory, so
every clause runs unchanged (``--live``: the integration talks to the fake over real sockets)::

    mock-calcom verify --driver http://127.0.0.1:9123
    mock-calcom verify --driver-cmd "node examples/typescript-provider/driver.mjs"

Pieces:

* :class:`DriverFactory`: handshake once, then ``POST /providers`` per scenario with the
  scenario's environment, giving a :class:`DriverProvider`; it sends the three calls as JSON and
  turns the answers back into return values and outcome exceptions (the same names as
  :data:`mock_calcom_contracts.errors.OUTCOMES`).
* :class:`ClockServer`: the clock URLs of each environment, ``GET .../now`` and
  ``POST .../sleep``, served here so that the driver's waits go through ``env.sleep`` (and its
  budgets) exactly like a Python provider's.
* :class:`DriverProcess`: ``--driver-cmd``: start the command with a port, wait for its
  handshake, keep the tail of its stderr, stop it afterwards (also on failure and Ctrl-C).

A driver that dies or stops answering raises :class:`DriverGone` (a
:class:`~mock_calcom_contracts.harness.ProviderGone`): the runner reports it once, with the
stderr tail, and stops.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import os
import shlex
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

import httpx

from mock_calcom_contracts.errors import OUTCOMES, ProviderLoadError
from mock_calcom_contracts.harness import CALL_TIMEOUT, ProviderGone, Runaway
from mock_calcom_contracts.provider import ApiResponse, ProviderEnvironment

#: The protocol this module speaks (``GET /handshake`` must answer it).
PROTOCOL = "mock-calcom-driver"
VERSION = 1
#: Seconds ``--driver-cmd`` waits for the handshake, and for the process to stop.
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
#: Lines of the driver's stderr kept for reports.
STDERR_LINES = 30
#: Driver calls kept per provider for a failure's reproducer.
TRANSCRIPT_LINES = 40


class DriverGone(ProviderGone):
    """The driver process died or stopped answering: nothing more can be verified."""


class DriverCrash(Exception):
    """The driver answered something that is neither a result nor an outcome (an error kind of
    its own, a non-200 status, a body that is not JSON): a crash of the provider under test."""


# -- the clock, served to the driver -------------------------------------------------------

@dataclass
class _Clock:
    now: Callable[[], float]
    sleep: Callable[[float], None]
    #: Set when a sleep broke the call's budget: the call is a runaway, whatever it answers.
    runaway: str | None = None


class ClockServer:
    """``GET /env/{n}/now`` and ``POST /env/{n}/sleep`` for every environment handed to the
    driver, on an ephemeral loopback port."""

    def __init__(self) -> None:
        self._clocks: dict[str, _Clock] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner._handle(self)

            def do_POST(self) -> None:
                owner._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="contracts-driver-clock", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def register(self, now: Callable[[], float], sleep: Callable[[float], None]) -> tuple[str, _Clock]:
        key = str(next(self._ids))
        clock = _Clock(now, sleep)
        with self._lock:
            self._clocks[key] = clock
        return key, clock

    def forget(self, key: str) -> None:
        with self._lock:
            self._clocks.pop(key, None)

    def urls(self, key: str) -> dict[str, str]:
        return {"now_url": f"{self.url}/env/{key}/now", "sleep_url": f"{self.url}/env/{key}/sleep"}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = request.path.strip("/").split("/")
        length = int(request.headers.get("content-length") or 0)
        raw = request.rfile.read(length) if length else b""
        with self._lock:
            clock = self._clocks.get(parts[1]) if len(parts) == 3 and parts[0] == "env" else None
        if clock is None:
            _answer(request, 404, {"error": {"kind": "NotFound", "message": request.path}})
        elif parts[2] == "now" and request.command == "GET":
            _answer(request, 200, {"now": clock.now()})
        elif parts[2] == "sleep" and request.command == "POST":
            try:
                seconds = json.loads(raw or b"{}").get("seconds")
                clock.sleep(seconds)
            except Runaway as exc:
                clock.runaway = str(exc)
                _answer(request, 409, {"error": {"kind": "runaway", "message": str(exc)}})
            except (ValueError, TypeError, AttributeError) as exc:
                _answer(request, 400, {"error": {"kind": "BadRequest",
                                                 "message": f"sleep wants {{\"seconds\": N}}: {exc}"}})
            else:
                _answer(request, 200, {"now": clock.now()})
        else:
            _answer(request, 404, {"error": {"kind": "NotFound", "message": request.path}})


def _answer(request: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("content-type", "application/json")
    request.send_header("content-length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


# -- the provider over the wire ------------------------------------------------------------

class DriverFactory:
    """A provider factory for the driver at ``url`` (its handshake is checked at once)."""

    def __init__(self, url: str, *, timeout: float = CALL_TIMEOUT,
                 process: DriverProcess | None = None) -> None:
        self.url = url.rstrip("/")
        self.process = process
        # The driver gets most of the harness's bound for one call, and a dead-or-alive probe
        # the rest: a hung driver is told apart from a slow call before the harness gives up.
        self._call_timeout = max(0.5, timeout * 0.6)
        self._probe_timeout = max(0.2, timeout * 0.2)
        self._http = httpx.Client(base_url=self.url, timeout=self._call_timeout,
                                  limits=httpx.Limits(max_connections=64,
                                                      max_keepalive_connections=16))
        self.clock = ClockServer()
        self.handshake = self._handshake()
        capabilities = self.handshake.get("capabilities") or {}
        self.public_clients = bool(capabilities.get("public_clients", False)) \
            if isinstance(capabilities, dict) else False
        self.name = str(self.handshake.get("name") or self.url)

    def __str__(self) -> str:
        return f"driver {self.name} at {self.url}"

    def close(self) -> None:
        self._http.close()
        self.clock.close()

    def _handshake(self) -> dict[str, Any]:
        try:
            answer = self._http.get("/handshake")
            data = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderLoadError(f"the driver at {self.url} did not answer GET /handshake: "
                                    f"{type(exc).__name__}: {exc}{self._stderr()}") from None
        if answer.status_code != 200 or not isinstance(data, dict) or data.get("protocol") != PROTOCOL:
            raise ProviderLoadError(f"the driver at {self.url} answered GET /handshake with "
                                    f"{answer.status_code} {answer.text[:200]!r}; expected "
                                    f'{{"protocol": "{PROTOCOL}", "version": {VERSION}, ...}}')
        if data.get("version") != VERSION:
            raise ProviderLoadError(f"the driver speaks version {data.get('version')!r} of the driver "
                                    f"protocol; this mock-calcom speaks version {VERSION}")
        return data

    def __call__(self, env: ProviderEnvironment) -> DriverProvider:
        key, clock = self.clock.register(env.now, env.sleep)
        body = {"client_id": env.client_id, "client_secret": env.client_secret,
                "redirect_uri": env.redirect_uri, "authorize_url": env.authorize_url,
                "token_url": env.token_url, "api_base_url": env.api_base_url,
                "clock": self.clock.urls(key), "extras": dict(env.extras)}
        answer = self._post("/providers", body, "POST /providers (this scenario's environment)")
        if not isinstance(answer, dict) or not isinstance(answer.get("provider"), str):
            self.clock.forget(key)
            message = _error_text(answer) or f"no provider id in {json.dumps(answer)[:200]}"
            raise DriverCrash(f"the driver could not create a provider: {message}")
        return DriverProvider(self, answer["provider"], key, clock)

    # -- HTTP to the driver --------------------------------------------------------------------

    def _post(self, path: str, body: Any, shown: str | None = None) -> Any:
        try:
            answer = self._http.post(path, json=body)
        except httpx.TimeoutException:
            self._check_alive()
            raise DriverCrash(f"the driver did not answer {shown or 'POST ' + path} within "
                              f"{self._call_timeout:g} s") from None
        except httpx.TransportError as exc:
            self._check_alive()
            raise DriverCrash(f"the connection to the driver failed: {exc}") from None
        if answer.status_code not in (200, 201):
            raise DriverCrash(f"the driver answered {shown or 'POST ' + path} with HTTP "
                              f"{answer.status_code}: {answer.text[:300]}")
        try:
            return answer.json()
        except ValueError:
            raise DriverCrash(f"the driver's answer is not JSON: {answer.text[:300]!r}") from None

    def delete(self, path: str) -> None:
        with contextlib.suppress(httpx.HTTPError):
            self._http.delete(path, timeout=self._probe_timeout)

    def _check_alive(self) -> None:
        """Raise :class:`DriverGone` if the driver's process exited or even its handshake no
        longer answers."""
        if self.process is not None and self.process.exited is not None:
            raise DriverGone(f"the driver process exited with code {self.process.exited}"
                             f"{self._stderr()}")
        try:
            self._http.get("/handshake", timeout=self._probe_timeout)
        except httpx.HTTPError as exc:
            # A process that is dying refuses connections a moment before it is reaped.
            if self.process is not None and self.process.wait_exit(1.0) is not None:
                raise DriverGone(f"the driver process exited with code {self.process.exited}"
                                 f"{self._stderr()}") from None
            raise DriverGone(f"the driver at {self.url} stopped answering ({type(exc).__name__}: "
                             f"{exc or 'no answer'}){self._stderr()}") from None

    def _stderr(self) -> str:
        tail = self.process.stderr_tail() if self.process is not None else ""
        return f"\nthe driver's stderr (last lines):\n{tail}" if tail else ""


class DriverProvider:
    """One scenario's provider, living in the driver."""

    def __init__(self, factory: DriverFactory, provider_id: str, clock_key: str,
                 clock: _Clock) -> None:
        self._factory = factory
        self.id = provider_id
        self._clock_key = clock_key
        self._clock = clock
        self.supports_public_clients = factory.public_clients
        self._transcript: collections.deque[str] = collections.deque(maxlen=TRANSCRIPT_LINES)
        self._transcript_lock = threading.Lock()

    def authorization_url(self, scopes: Sequence[str]) -> str:
        return str(self._call("authorization-url", {"scopes": list(scopes)}, str))

    def complete(self, callback_url: str) -> str:
        return str(self._call("complete", {"callback_url": callback_url}, str))

    def request(self, connection: str, method: str, path: str,
                params: Mapping[str, str] | None = None, json: Any = None) -> ApiResponse:
        result = self._call("request", {"connection": connection, "method": method, "path": path,
                                        "params": dict(params) if params else None, "json": json},
                            dict)
        status, headers = result.get("status"), result.get("headers") or {}
        if not isinstance(status, int) or isinstance(status, bool) or not isinstance(headers, dict):
            raise DriverCrash(f"the driver's request result is not {{status, headers, json}}: "
                              f"{_dumps(result)[:300]}")
        return ApiResponse(status, {str(k).lower(): str(v) for k, v in headers.items()},
                           result.get("json"))

    def close(self) -> None:
        self._factory.delete(f"/providers/{self.id}")
        self._factory.clock.forget(self._clock_key)

    def transcript(self) -> str:
        """The driver calls of this provider (the last ones), for a failure's reproducer."""
        with self._transcript_lock:
            return "\n".join(self._transcript)

    # -- one call ------------------------------------------------------------------------------

    def _call(self, name: str, body: dict[str, Any], kind: type) -> Any:
        path = f"/providers/{self.id}/{name}"
        shown = f"POST {path} {_dumps(body, secret_free=True)}"
        try:
            answer = self._factory._post(path, body, f"POST {path}")
        except DriverCrash as exc:
            self._note(shown, f"crash: {exc}")
            raise
        except DriverGone:
            self._note(shown, "the driver is gone")
            raise
        if self._clock.runaway is not None:
            self._note(shown, f"runaway: {self._clock.runaway}")
            raise Runaway(self._clock.runaway)
        if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
            error_kind = str(answer["error"].get("kind"))
            message = str(answer["error"].get("message", ""))
            self._note(shown, f"error {error_kind}: {message.splitlines()[0] if message else ''}")
            outcome = OUTCOMES.get(error_kind)
            if outcome is None:
                # A stack trace starts with its class already ("TypeError: ...").
                raise DriverCrash(message if message.startswith(error_kind)
                                  else f"{error_kind}: {message}")
            raise outcome(message)
        if not isinstance(answer, dict) or "result" not in answer or \
                not isinstance(answer["result"], kind):
            self._note(shown, f"malformed answer {_dumps(answer)[:200]}")
            raise DriverCrash(f"the driver's answer to {name} is neither "
                              f'{{"result": ...}} nor {{"error": ...}}: {_dumps(answer)[:300]}')
        result = answer["result"]
        self._note(shown, _result_text(result))
        return result

    def _note(self, call: str, answer: str) -> None:
        with self._transcript_lock:
            self._transcript.append(f"{call}\n  -> {answer}")


def _dumps(value: Any, *, secret_free: bool = False) -> str:
    text = json.dumps(value, separators=(", ", ": "), default=str)
    return text if len(text) <= 240 else text[:240] + "..."


def _result_text(result: Any) -> str:
    if isinstance(result, dict) and "status" in result:
        return f"{result.get('status')}"
    return _dumps(result)


def _error_text(answer: Any) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        return f"{answer['error'].get('kind')}: {answer['error'].get('message')}"
    return ""


# -- a driver process ----------------------------------------------------------------------

class DriverProcess:
    """``--driver-cmd``: the driver as a child process on a port chosen here.

    The process gets ``MOCK_CALCOM_DRIVER_PORT`` and ``MOCK_CALCOM_DRIVER_PROTOCOL`` in its
    environment and its own session (a Ctrl-C in the terminal reaches ``verify``, which then
    stops the driver itself, after the reports are written)."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.argv = shlex.split(command)
        if not self.argv:
            raise ProviderLoadError("--driver-cmd is empty")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._stderr: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    @property
    def exited(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def wait_exit(self, seconds: float) -> int | None:
        """The exit code once the process has exited within ``seconds``, else ``None``."""
        if self._process is None:
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(seconds)
        return self.exited

    def stderr_tail(self) -> str:
        if self._reader is not None and self.exited is not None:
            self._reader.join(1.0)  # the last lines of a process that just died
        return "\n".join(f"  | {line}" for line in list(self._stderr))

    def start(self) -> DriverProcess:
        env = {**os.environ, "MOCK_CALCOM_DRIVER_PORT": str(self.port),
               "MOCK_CALCOM_DRIVER_PROTOCOL": str(VERSION)}
        try:
            self._process = subprocess.Popen(  # noqa: S603 - the user's own command, no shell
                self.argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise ProviderLoadError(f"cannot start the driver {self.command!r}: {exc}") from exc
        assert self._process.stderr is not None
        self._reader = threading.Thread(target=self._read, args=(self._process.stderr,),
                                        name="contracts-driver-stderr", daemon=True)
        self._reader.start()
        self._wait_for_handshake()
        return self

    def _read(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self._stderr.append(raw.decode("utf-8", "replace").rstrip())

    def _wait_for_handshake(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.exited is not None:
                    raise ProviderLoadError(f"the driver {self.command!r} exited with code "
                                            f"{self.exited} before its handshake"
                                            f"{_tail_text(self.stderr_tail())}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/handshake").status_code == 200:
                        return
                time.sleep(0.05)
        self.stop()
        raise ProviderLoadError(f"the driver {self.command!r} did not answer GET /handshake on "
                                f"port {self.port} within {START_TIMEOUT:.0f} s (does it listen on "
                                f"MOCK_CALCOM_DRIVER_PORT?){_tail_text(self.stderr_tail())}")

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)


def _tail_text(tail: str) -> str:
    return f"\nthe driver's stderr (last lines):\n{tail}" if tail else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def driver_factory(*, url: str | None = None, command: str | None = None,
                   timeout: float = CALL_TIMEOUT) -> Iterator[DriverFactory]:
    """A :class:`DriverFactory` for ``url``, or for ``command`` started (and stopped
    afterwards, whatever happens) as a :class:`DriverProcess`."""
    process = DriverProcess(command) if command else None
    try:
        if process is not None:
            process.start()
            url = process.url
        assert url is not None, "driver_factory wants url or command"
        factory = DriverFactory(url, timeout=timeout, process=process)
        try:
            yield factory
        finally:
            factory.close()
    finally:
        if process is not None:
            process.stop()
