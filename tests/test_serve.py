"""``nn-tui serve``: arguments and errors, the server's life cycle, and the tutor in a real browser.

The browser test drives Debian's ``chromium`` with Selenium and Debian's ``chromium-driver``
(the two packages are built from one source, so the driver always speaks the browser's
protocol); it is skipped, saying what is missing, on a machine without them. ``.ci/run``
installs them.

The page draws the terminal with xterm.js on a canvas, so its text is not in the DOM. The test
reads xterm's own buffer: textual.js keeps its terminal object private, so a script installed
before the page's scripts run catches that object when its constructor assigns
``websocket_url``, and ``terminal.buffer.active`` then gives the text of every row.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from nn_tui.cli import main
from nn_tui.serve import (MAX_COLUMNS, MAX_ROWS, Address, check_address, terminal_size,
                          tutor_command)

ROOT = Path(__file__).resolve().parent.parent
HAS_SERVE = importlib.util.find_spec("textual_serve") is not None
needs_serve = pytest.mark.skipif(
    not HAS_SERVE, reason="textual-serve is not installed (pip install -e '.[serve]')")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str, interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy; AssertionError after ``timeout``."""
    end = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


# -- arguments and errors (no server started) ----------------------------------------------------


def test_port_taken_is_one_paragraph_and_exit_2(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert "--port" in err and "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("args, expected", [
    (["--host", "no-such-host.invalid"], "--host no-such-host.invalid: not a host name"),
    (["--host", "192.0.2.1"], "--host 192.0.2.1: not an address of this machine"),
    (["--host", ""], "give a host name or an IP address"),
    (["--port", "0"], "--port 0: give a port between 1 and 65535"),
    (["--port", "65536"], "--port 65536: give a port between 1 and 65535"),
    (["--port", "eighty"], "argument --port: invalid int value"),
    (["--lessons", "/no/such/folder"], "--lessons /no/such/folder: no such folder"),
    (["--max-sessions", "0"], "--max-sessions 0: give 1 or more"),
])
def test_bad_arguments_exit_2_with_a_message(capsys, args, expected):
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_missing_extra_says_how_to_install(capsys, monkeypatch):
    # None in sys.modules makes the import fail as it does when the package is absent.
    for name in ("textual_serve", "textual_serve.server", "textual_serve.app_service"):
        monkeypatch.setitem(sys.modules, name, None)
    assert main(["serve", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "optional extra that is not installed" in err
    assert "pip install '.[serve]'" in err and "Traceback" not in err


def test_cli_and_serve_module_load_neither_textual_nor_the_server(tmp_path):
    from script_runs import run_scripts

    script = tmp_path / "imports.py"
    script.write_text("import sys, nn_tui.cli, nn_tui.serve; "
                      "print(sorted(m for m in sys.modules if m.split('.')[0] in "
                      "('textual', 'textual_serve', 'aiohttp')))\n", encoding="utf-8")
    # In a process of its own, forked from an interpreter that has imported nn_tui.cli (and so
    # holds whatever that import pulls in).
    [result] = run_scripts([(script,)], os.environ, preload=["nn_tui.cli"], cwd=ROOT,
                           timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_loopback_and_network_addresses():
    port = free_port()
    local = check_address("127.0.0.1", port)
    assert local.loopback and local.url == f"http://127.0.0.1:{port}"
    assert check_address("localhost", port).loopback
    everywhere = check_address("0.0.0.0", port)
    assert not everywhere.loopback and everywhere.url == f"http://127.0.0.1:{port}"
    assert Address("::", port, ("::",), False).url == f"http://[::1]:{port}"


def test_terminal_sizes_from_the_page_are_clamped():
    assert terminal_size(120, 40) == (120, 40)
    assert terminal_size("155", "47") == (155, 47)
    assert terminal_size(10**9, 10**9) == (MAX_COLUMNS, MAX_ROWS)
    assert terminal_size(0, -5) == (1, 1)
    for width, height in (("1e9", 40), (None, 40), (1.5, 40), (True, 40), ([], 40),
                          ("9" * 40, 40), ("-3", 40)):
        assert terminal_size(width, height) is None


def test_tutor_command_runs_this_python_with_absolute_quoted_folders(tmp_path, monkeypatch):
    import shlex

    odd = tmp_path / "it's a folder"
    odd.mkdir()
    monkeypatch.chdir(tmp_path)
    command = tutor_command([Path("it's a folder")])
    assert command.startswith("exec ")
    words = shlex.split(command[len("exec "):])
    assert words == [sys.executable, "-m", "nn_tui", "--lessons", str(odd.resolve())]


@needs_serve
def test_server_bind_failure_after_the_check_is_reported(tmp_path):
    """The port can be taken between the check and the server's own bind: same message."""
    from script_runs import run_scripts

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        # The check is skipped, as if the port had been taken just after it.
        script = tmp_path / "bind_after_check.py"
        script.write_text("import sys; from nn_tui.cli import main; import nn_tui.serve as s; "
                          "s.check_address = lambda h, p: s.Address(h, p, (h,), True); "
                          f"sys.exit(main(['serve', '--port', '{port}']))\n", encoding="utf-8")
        # In a process of its own, forked from an interpreter that has imported nn_tui.cli.
        [result] = run_scripts([(script,)], os.environ, preload=["nn_tui.cli"], cwd=ROOT,
                               timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# -- a running server ----------------------------------------------------------------------------


class Served:
    """``nn-tui serve`` in its own process group (Ctrl+C is a SIGINT to the group)."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = free_port()
        self.log_path = tmp_path / "serve.log"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "nn_tui", "serve", "--port", str(self.port), *args],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until(lambda: "the tutor is at" in self.log() or self.process.poll() is not None,
                   60, "the server to start")
        assert self.process.poll() is None, self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tutors(self) -> list[int]:
        """Pids of the server's child processes (the tutors)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl+C as a terminal sends it (to the whole group); the exit status."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGINT)
                self.process.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)


@pytest.fixture
def served(tmp_path):
    servers: list[Served] = []

    def start(*args: str) -> Served:
        servers.append(Served(tmp_path, *args))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def get(url: str, host: str | None = None) -> str:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


@needs_serve
def test_page_connects_back_to_the_address_the_browser_used(served):
    server = served()
    page = get(server.url + "/")
    assert f'data-session-websocket-url="ws://127.0.0.1:{server.port}/ws"' in page
    # A learner who opened the teacher's machine by its network address.
    page = get(server.url + "/", host=f"teacher.example:{server.port}")
    assert f'data-session-websocket-url="ws://teacher.example:{server.port}/ws"' in page
    # A Host header that is no host is not written into the page.
    page = get(server.url + "/", host='x"><script>alert(1)</script>')
    assert "<script>alert" not in page
    assert f'ws://127.0.0.1:{server.port}/ws' in page


@needs_serve
async def test_each_session_gets_a_tutor_and_ctrl_c_ends_them_all(served, isolated_home):
    import asyncio

    import aiohttp

    lessons = ROOT / "lessons"
    server = served("--lessons", str(lessons))
    async with aiohttp.ClientSession() as client:
        sockets = [await client.ws_connect(f"{server.url}/ws?width=100&height=30",
                                           timeout=aiohttp.ClientWSTimeout(ws_close=10))
                   for _ in range(2)]
        for websocket in sockets:
            received = b""
            while b"one number at a time" not in received:
                message = await asyncio.wait_for(websocket.receive(), 60)
                assert message.type == aiohttp.WSMsgType.BINARY, message
                received += message.data
        tutors = server.tutors()
        assert len(tutors) == 2
        for pid in tutors:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            assert command[:3] == [sys.executable.encode(), b"-m", b"nn_tui"]
            assert command[3:5] == [b"--lessons", str(lessons.resolve()).encode()]
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert f"NN_TUI_HOME={isolated_home}".encode() in environ
        assert await asyncio.to_thread(server.interrupt) == 0
        for websocket in sockets:
            await websocket.close()
    log = server.log()
    assert "nn-tui serve: stopped" in log and "Traceback" not in log
    for pid in tutors:
        assert not Path(f"/proc/{pid}").exists()


async def read_until(websocket, text: bytes, timeout: float = 60) -> bytes:
    import asyncio

    import aiohttp

    received = b""
    while text not in received:
        message = await asyncio.wait_for(websocket.receive(), timeout)
        if message.type != aiohttp.WSMsgType.BINARY:
            raise AssertionError(f"{text!r} never came; got {message.type.name} after {received!r}")
        received += message.data
    return received


@needs_serve
async def test_messages_that_are_not_the_pages_are_ignored(served):
    import asyncio

    import aiohttp

    server = served()
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(f"{server.url}/ws?width=99999999999&height=x") as websocket:
            for junk in ("not json", "{}", "[]", '"stdin"', '["stdin"]', '["stdin", 5]',
                         '["resize", {"width": 1000000000, "height": 1000000000}]',
                         '["resize", "big"]', '["resize", {"width": "x"}]', '["ping", {}]',
                         '["nonsense", 1]', "[" * 10_000):
                await websocket.send_str(junk)
            await websocket.send_str('["ping", "42"]')
            while True:  # the session is alive and answers
                message = await asyncio.wait_for(websocket.receive(), 60)
                if message.type == aiohttp.WSMsgType.TEXT:
                    assert json.loads(message.data) == ["pong", "42"]
                    break
                assert message.type == aiohttp.WSMsgType.BINARY, message
            await websocket.send_str('["resize", {"width": 100, "height": 30}]')
            await read_until(websocket, b"one number at a time")
            tutors = server.tutors()
            assert len(tutors) == 1
            columns = Path(f"/proc/{tutors[0]}/environ").read_bytes().split(b"\0")
            assert b"COLUMNS=80" in columns  # the query's width was no size: the default
    assert server.interrupt() == 0
    assert "Traceback" not in server.log()


@needs_serve
async def test_sessions_past_the_limit_are_told_and_closed(served):
    import asyncio

    import aiohttp

    server = served("--max-sessions", "1")
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(f"{server.url}/ws?width=100&height=30") as first:
            await read_until(first, b"one number at a time")
            async with client.ws_connect(f"{server.url}/ws?width=100&height=30") as second:
                message = await asyncio.wait_for(second.receive(), 60)
                assert b"already runs 1 tutors, its limit" in message.data
                message = await asyncio.wait_for(second.receive(), 60)
                assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert len(server.tutors()) == 1
    assert server.interrupt() == 0


@needs_serve
def test_network_host_says_it_is_open_to_the_network(served):
    server = served("--host", "0.0.0.0")
    assert "opens the tutor to the network" in server.log()
    assert f"the tutor is at http://127.0.0.1:{server.port}" in server.log()
    assert server.interrupt() == 0


# -- the tutor in a real browser -----------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1400,1000")

# Runs before the page's own scripts: catches textual.js's terminal object (see the docstring).
CATCH_TERMINAL = """
window.__nnTuiTerminals = [];
Object.defineProperty(Object.prototype, 'websocket_url', {
  configurable: true,
  set(value) {
    Object.defineProperty(this, 'websocket_url',
                          {value, writable: true, configurable: true, enumerable: true});
    window.__nnTuiTerminals.push(this);
  },
});
"""
READ_TERMINAL = """
const session = window.__nnTuiTerminals && window.__nnTuiTerminals[0];
if (!session || !session.terminal) return null;
const terminal = session.terminal, buffer = terminal.buffer.active, rows = [];
for (let y = 0; y < terminal.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y);
  rows.push(line ? line.translateToString(true) : '');
}
return rows.join('\\n');
"""


def browser_missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    if not HAS_SERVE:
        return "textual-serve is not installed (pip install -e '.[serve]')"
    if importlib.util.find_spec("selenium") is None:
        return "Selenium is not installed (pip install -e '.[browser]')"
    if not os.access(CHROMIUM, os.X_OK):
        return "no Chromium browser (Debian: apt-get install chromium)"
    if not os.access(CHROMEDRIVER, os.X_OK):
        return "no chromedriver (Debian: apt-get install chromium-driver)"
    return None


@pytest.fixture
def browser(tmp_path):
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    # The page asks for a web font the closed network never serves: do not wait for it.
    options.page_load_strategy = "eager"
    driver = webdriver.Chrome(options=options, service=Service(
        CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log")))
    try:
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(30)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
        yield driver
    finally:
        driver.quit()


def test_tutor_in_headless_chromium(browser, served, tmp_path, isolated_home):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    server = served()
    browser.get(server.url + "/")

    def screen() -> str:
        return browser.execute_script(READ_TERMINAL) or ""

    def wait_for(what: str, condition, timeout: float = 60) -> str:
        try:
            return wait_until(lambda: condition(screen()) and screen(), timeout, what, 0.2)
        except AssertionError as error:
            browser.save_screenshot(str(tmp_path / "serve-failed.png"))
            raise AssertionError(f"{error}; the terminal shows:\n{screen()}\n"
                                 f"server log:\n{server.log()}") from None

    # The picker, with the bundled lessons listed.
    wait_for("the picker", lambda text: "Pick a lesson" in text)
    wait_for("the lessons", lambda text: "PSA: one hidden neuron, one backprop step" in text
             and "Apple or orange" in text)
    keys = browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    keys.send_keys("psa-hidden")
    wait_for("the filter", lambda text: "Apple or orange" not in text)
    keys.send_keys(Keys.ENTER)
    text = wait_for("the lesson", lambda text: re.search(r"step 1 of \d+", text))
    assert "Forward pass" in text
    # σ(1) = 0.7311 as the Forward pass pane works it out from the trace (the seed number of
    # test_seed_numbers), not yet shown on the first step.
    sigma = "a₁ = σ(z₁) = 1 / (1 + e^−z₁) = 1 / (1 + e^−1.0000) = 0.7311"
    assert sigma not in text
    for step in (2, 3, 4):
        keys.send_keys(Keys.ARROW_RIGHT)
        text = wait_for(f"step {step}", lambda text: re.search(rf"step {step} of \d+", text))
    text = wait_for("σ(1) = 0.7311", lambda text: sigma in text)
    assert "Forward: the hidden neuron" in text
    shot = tmp_path / "serve-psa-hidden-layer.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    (tmp_path / "serve-psa-hidden-layer.txt").write_text(text)

    # Ctrl+C: the tutor quits and saves the place reached in NN_TUI_HOME.
    assert server.interrupt() == 0
    progress = json.loads((isolated_home / "progress.json").read_text())
    assert "psa-hidden-layer" in json.dumps(progress)
    assert "Traceback" not in server.log()
