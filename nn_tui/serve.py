"""``nn-tui serve``: the tutor in web browsers, one tutor process per browser tab.

The web server is textual-serve (the Textual project's own), an optional extra
(``pip install 'nn-tui[serve]'``). For each browser tab that connects it runs a command (here:
this same Python running ``-m nn_tui`` with the ``--lessons`` folders given) whose terminal is
drawn in the page with xterm.js. Progress goes to ``NN_TUI_HOME`` as usual: every tutor process
inherits the server's environment, and tutors sharing a home lock it for each save.

This module imports neither Textual nor textual-serve until :func:`serve` runs, so the
address checks can be tested, and the missing extra reported, without them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import re
import shlex
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from nn_tui.lessons.errors import escape_controls

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 100  # tutors at once (about 70 MB each): a class, not the internet
# A terminal size from the page is clamped to this: a client asking for a billion columns would
# otherwise make its tutor allocate a screen that size.
MAX_COLUMNS, MAX_ROWS = 1000, 500
SESSION_QUIT_TIMEOUT = 10.0  # seconds a tutor gets to quit and save before it is killed
INSTALL_HINT = "pip install 'nn-tui[serve]' (from a clone of the repository: pip install '.[serve]')"

# A Host header as a browser sends it: a name, an IPv4 address or a bracketed IPv6 address, and a
# port. Anything else (the header is the client's to write) is not echoed into the page.
_HOST_HEADER = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


class ServeError(Exception):
    """Serving cannot start (extra missing, bad address, port taken); the text says why."""


@dataclass(frozen=True)
class Address:
    """Where the server listens: ``host`` as given, ``port``, and what was resolved from it.

    ``loopback`` is True when every resolved address is on this machine only (127.0.0.0/8,
    ::1), so nobody else on the network can open the tutor.
    """

    host: str
    port: int
    resolved: tuple[str, ...]
    loopback: bool

    @property
    def url(self) -> str:
        """The URL to open on this machine (the wildcard hosts are reached via loopback)."""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "[::1]"
        elif ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


def check_address(host: str, port: int) -> Address:
    """Resolve ``host`` and bind ``port`` on every address it names, then let go.

    Raises ServeError, naming the host or port and the problem, when the port is out of range,
    the host does not resolve, is not an address of this machine, or the port is taken (or
    needs privileges). aiohttp binds with SO_REUSEADDR, so the probe does too: a port that only
    has connections in TIME_WAIT is free for both, one that another server listens on is not.
    """
    if not 1 <= port <= 65535:
        raise ServeError(f"nn-tui serve: --port {port}: give a port between 1 and 65535")
    if not host or any(ch.isspace() for ch in host):
        raise ServeError(f"nn-tui serve: --host {host!r}: give a host name or an IP address")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise ServeError(f"nn-tui serve: --host {host}: not a host name or address this machine "
                         f"can resolve ({_reason(error)})") from None
    resolved: list[str] = []
    for family, kind, proto, _name, sockaddr in infos:
        if sockaddr[0] in resolved:
            continue
        resolved.append(sockaddr[0])
        probe = socket.socket(family, kind, proto)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe.bind(sockaddr)
            probe.listen(1)
        except OSError as error:
            raise ServeError(bind_problem(host, port, error)) from None
        finally:
            probe.close()
    loopback = all(_is_loopback(address) for address in resolved)
    return Address(host, port, tuple(resolved), loopback)


def bind_problem(host: str, port: int, error: OSError) -> str:
    """One paragraph saying why listening on ``host``:``port`` failed (``error`` from bind)."""
    import errno

    if error.errno == errno.EADDRINUSE:
        return (f"nn-tui serve: port {port} on {host} is already in use (another server, or "
                f"another nn-tui serve, is listening there); choose another with --port")
    if error.errno == errno.EACCES:
        return (f"nn-tui serve: port {port} on {host}: permission denied (ports below 1024 "
                f"need privileges); choose another with --port")
    if error.errno == errno.EADDRNOTAVAIL:
        return (f"nn-tui serve: --host {host}: not an address of this machine; use "
                f"127.0.0.1 (this machine only) or one of its network addresses")
    return f"nn-tui serve: cannot listen on {host} port {port}: {_reason(error)}"


def terminal_size(width: object, height: object) -> tuple[int, int] | None:
    """A browser's terminal size (cells) clamped to 1..MAX_COLUMNS × 1..MAX_ROWS, or None if
    either is not an integer (the page sends integers; anything else is not the page)."""
    if isinstance(width, str) and width.isdigit() and len(width) < 10:
        width = int(width)
    if isinstance(height, str) and height.isdigit() and len(height) < 10:
        height = int(height)
    if type(width) is not int or type(height) is not int:
        return None
    return min(max(width, 1), MAX_COLUMNS), min(max(height, 1), MAX_ROWS)


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def tutor_command(lesson_dirs: Sequence[Path] = ()) -> str:
    """The shell command textual-serve runs for each browser tab: this Python, ``-m nn_tui``.

    Folders are made absolute and every word is quoted for the shell; ``exec`` lets the tutor
    replace the shell, so the server's children are the tutors themselves.
    """
    words = [sys.executable, "-m", "nn_tui"]
    for folder in lesson_dirs:
        words += ["--lessons", str(Path(folder).resolve())]
    return "exec " + shlex.join(words)


def say(text: str) -> None:
    """Print a line of the server's own (host names come from the command line: no controls)."""
    sys.stdout.write(escape_controls(text) + "\n")
    sys.stdout.flush()


log = logging.getLogger("nn-tui serve")


def _load_server_class():
    """The textual-serve ``Server`` subclass used here; ServeError if the extra is missing."""
    try:
        from aiohttp import WSMsgType, web
        from textual_serve.app_service import AppService
        from textual_serve.server import Server
    except ImportError as error:
        raise ServeError(
            f"nn-tui serve: the browser server is an optional extra that is not installed "
            f"({error}). Install it with: {INSTALL_HINT}") from None

    class TutorServer(Server):
        """textual-serve's server, with nn-tui's start-up message, a page that connects back to
        the address the browser used (textual-serve writes the listening host into the page,
        and 0.0.0.0 is no address a learner's browser can reach), and a shutdown that quits
        every tutor (so each saves its progress) before the server exits."""

        def __init__(self, command: str, address: Address, max_sessions: int) -> None:
            super().__init__(command, host=address.host, port=address.port, title="nn-tui",
                             public_url=address.url)
            self.address = address
            self.max_sessions = max_sessions
            self.sessions: set[AppService] = set()

        def initialize_logging(self) -> None:
            super().initialize_logging()
            # One line per HTTP request is noise in a classroom; problems are still logged.
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def handle_index(self, request: web.Request):
            origin = self.public_url
            if _HOST_HEADER.match(request.host or ""):
                origin = f"http://{request.host}"
            saved, self.public_url = self.public_url, origin
            try:
                # The parent's handler reads public_url without awaiting anything, so no other
                # request can see the swapped value.
                return await super().handle_index(request)
            finally:
                self.public_url = saved

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            # textual-serve's handler, keeping each session's AppService in self.sessions so
            # that on_shutdown can end the tutors, and refusing sessions past the limit.
            websocket = web.WebSocketResponse(heartbeat=15)
            width, height = terminal_size(request.query.get("width"),
                                          request.query.get("height")) or (80, 24)
            service: AppService | None = None
            try:
                await websocket.prepare(request)
                if len(self.sessions) >= self.max_sessions:
                    log.warning("refused a session: %d tutors are running (--max-sessions)",
                                len(self.sessions))
                    await websocket.send_bytes(
                        f"nn-tui serve: this server already runs {self.max_sessions} tutors, "
                        f"its limit; close a tab or try again later.\r\n".encode())
                    await websocket.close()
                    return websocket
                service = AppService(self.command, write_bytes=websocket.send_bytes,
                                     write_str=websocket.send_str, close=websocket.close,
                                     download_manager=self.download_manager, debug=self.debug)
                self.sessions.add(service)
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:  # one broken session must not stop the others
                log.warning("a session ended on an error: %s: %s", type(error).__name__, error)
            finally:
                if service is not None:
                    await _end_session(service)
                    self.sessions.discard(service)
            return websocket

        async def _process_messages(self, websocket: web.WebSocketResponse,
                                    service: AppService) -> None:
            # textual-serve's loop over the page's messages, which trusts them; here a message
            # that is not what the page sends is ignored (the socket is the network's to write).
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    envelope = json.loads(message.data)
                except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested deep
                    continue
                if not isinstance(envelope, list) or not envelope:
                    continue
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
                if kind == "stdin" and isinstance(data, str):
                    await service.send_bytes(data.encode("utf-8", "replace"))
                elif kind == "resize" and isinstance(data, dict):
                    size = terminal_size(data.get("width"), data.get("height"))
                    if size:
                        await service.set_terminal_size(*size)
                elif kind == "ping" and isinstance(data, str) and len(data) <= 64:
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await service.blur()
                elif kind == "focus":
                    await service.focus()

        async def on_shutdown(self, app) -> None:
            sessions = list(self.sessions)
            if sessions:
                say(f"nn-tui serve: ending {len(sessions)} tutor session(s)")
                await asyncio.gather(*(_end_session(service) for service in sessions))

        async def on_startup(self, app) -> None:
            address = self.address
            say(f"nn-tui serve: the tutor is at {address.url}  (each browser tab gets its "
                f"own tutor; Ctrl+C stops the server)")
            if not address.loopback:
                say(f"nn-tui serve: note: --host {address.host} opens the tutor to the "
                    f"network: anyone who can reach this machine on port {address.port} can "
                    f"use it, and every tab they open starts a tutor process here. Learners "
                    f"open http://<this machine's address>:{address.port}")

    async def _end_session(service: AppService) -> None:
        """Ask the tutor to quit (it saves its progress), wait for it, kill it if it hangs."""
        process = service._process
        try:
            await asyncio.wait_for(service.stop(), SESSION_QUIT_TIMEOUT)
        except (asyncio.TimeoutError, Exception):
            pass
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), SESSION_QUIT_TIMEOUT)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()

    return TutorServer


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          lesson_dirs: Sequence[Path] = (), max_sessions: int = DEFAULT_MAX_SESSIONS) -> int:
    """Serve the tutor until Ctrl+C (or SIGTERM); returns the exit status (0).

    At most ``max_sessions`` tutors run at once; a tab past that is told so and closed.

    Raises ServeError when textual-serve is not installed, the host is not valid here, or the
    port cannot be listened on (checked before starting, and again if the server's own bind
    fails in the moment between).
    """
    if max_sessions < 1:
        raise ServeError(f"nn-tui serve: --max-sessions {max_sessions}: give 1 or more")
    # The arguments first: a wrong port or host is that, whether or not the extra is installed.
    address = check_address(host, port)
    server_class = _load_server_class()
    home = os.environ.get("NN_TUI_HOME")
    if home:
        # The tutors inherit this environment; an absolute path keeps them on the same home
        # whatever their working directory.
        os.environ["NN_TUI_HOME"] = str(Path(home).expanduser().absolute())
    server = server_class(tutor_command(lesson_dirs), address, max_sessions)
    try:
        server.serve()
    except OSError as error:
        raise ServeError(bind_problem(host, port, error)) from None
    except KeyboardInterrupt:
        pass
    say("nn-tui serve: stopped")
    return 0
