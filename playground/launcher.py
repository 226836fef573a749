"""Start the bot and the Microsoft 365 Agents Playground against it; stop both on Ctrl-C.

`make playground` runs this; the e2e tests start their processes with the same functions.
Both are started in sessions of their own, so Ctrl-C reaches only this launcher, which then
stops what it started, the Playground before the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from playground.tenant import CONFIG_PATH, load_tenant, write_config_as

REPO = Path(__file__).resolve().parent.parent
PLAYGROUND_VERSION = "0.2.28"
PLAYGROUND_CLI = REPO / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
DEFAULT_PLAYGROUND_PORT = 56150
STARTUP_TIMEOUT = 30.0


class StartupError(RuntimeError):
    """A process did not come up; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def playground_missing() -> str | None:
    """None when Node and the pinned Playground are installed, else what is missing."""
    if shutil.which("node") is None:
        return "Node.js is not installed (the Agents Playground is a Node app)"
    if not PLAYGROUND_CLI.exists():
        return f"the Agents Playground is not installed: run `npm ci` in {REPO}"
    return None


def start_bot(port: int, log: Path, environ: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start `kortlaegning serve` on 127.0.0.1:port and wait until /healthz says ok."""
    # Locally the bot's own address serves the download links it hands out.
    env = {
        **environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_URL": environ.get("PUBLIC_URL") or f"http://127.0.0.1:{port}",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _wait(
        lambda: _get(f"http://127.0.0.1:{port}/healthz").startswith('{"status": "ok"'),
        process,
        f"the bot did not answer /healthz on port {port}; see {log}",
    )
    return process


def bot_is_running(port: int) -> bool:
    return _get(f"http://127.0.0.1:{port}/healthz").startswith('{"status": "ok"')


def start_playground(
    bot_port: int, port: int, config: Path, log: Path, activity_log: Path
) -> subprocess.Popen[bytes]:
    """Start the Playground on `port` against the bot and wait until it answers.

    The Playground silently takes a random port when `port` is taken, so its own
    `Listening on <port>` line is checked as well as `/_debug/ping`.
    """
    env = {
        **os.environ,
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(activity_log),
        # Never open a browser: the URL is printed, and CI has no desktop.
        "TEAMSAPPTESTER_BROWSER": "none",
    }
    command = [
        "node",
        str(PLAYGROUND_CLI),
        "--app-endpoint",
        f"http://127.0.0.1:{bot_port}/api/messages",
        "--channel-id",
        "msteams",
        "--disable-telemetry",
        "--port",
        str(port),
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def ready() -> bool:
        listening = re.search(r"Listening on (\d+)", log.read_text(errors="replace"))
        if listening and int(listening[1]) != port:
            raise StartupError(f"port {port} is taken (the Playground chose {listening[1]})")
        return bool(listening) and _get(f"http://127.0.0.1:{port}/_debug/ping") == "pong"

    _wait(ready, process, f"the Playground did not listen on port {port}; see {log}")
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the process to end, and kill it if it has not within five seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Ctrl-C and a plain `kill` both mean: stop what was started, then leave. SIGINT is
    # re-armed because a shell starting us in the background sets it to ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    missing = playground_missing()
    if missing:
        print(f"Cannot start the Playground: {missing}.", file=sys.stderr)
        return 1
    from bot.settings import Settings, SettingsError

    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="kortlaegning-playground-"))
    config = CONFIG_PATH
    if args.as_email:
        try:
            config = write_config_as(args.as_email, workdir / "m365agentsplayground.yml")
        except KeyError as exc:
            print(f"Cannot act as {args.as_email}: {exc.args[0]}", file=sys.stderr)
            return 2
    if args.demo:
        from playground.demo import seed_demo

        seeded = asyncio.run(seed_demo(settings.database_url, load_tenant(config)))
        print("Demo kortlægning stored." if seeded else "A kortlægning exists; demo not stored.")

    started: list[subprocess.Popen[bytes]] = []
    try:
        if bot_is_running(settings.port):
            print(f"Using the bot already running on 127.0.0.1:{settings.port}.")
        else:
            bot_log = workdir / "bot.log"
            print(f"Starting the bot on 127.0.0.1:{settings.port} (log: {bot_log}) …")
            started.append(start_bot(settings.port, bot_log, os.environ))
        print(f"Starting the Agents Playground {PLAYGROUND_VERSION} …")
        started.append(
            start_playground(
                settings.port,
                args.port,
                config,
                workdir / "playground.log",
                workdir / "playground-activities.log",
            )
        )
        user = load_tenant(config).current_user
        print(
            f"\nOpen http://127.0.0.1:{args.port}/ in your browser "
            f"(you are {user.navn}, {user.email}).\n"
            f"Activity log: {workdir / 'playground-activities.log'}\nCtrl-C stops.",
            flush=True,
        )
        while all(p.poll() is None for p in started):
            time.sleep(0.5)
        print("A process ended on its own; stopping.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping …")
        return 0
    except StartupError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C (or make passing on its own SIGTERM) must not cut the clean-up
        # short and leave the bot running without us.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in reversed(started):
            stop(process)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m playground.launcher", description=__doc__)
    parser.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help="act as this person from the config instead of its current user (the coordinator)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="store a demo kortlægning with tildelinger first, if the tenant has none",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PLAYGROUND_PORT)
    return parser


def _wait(ready: Callable[[], bool], process: subprocess.Popen[bytes], failure: str) -> None:
    """Wait until ready; a process that does not get there (or is interrupted) is stopped."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StartupError(f"exited with {process.returncode}: {failure}")
            if ready():
                return
            time.sleep(0.1)
        raise StartupError(failure)
    except BaseException:
        stop(process)
        raise


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return str(response.read().decode())
    except (urllib.error.URLError, OSError):
        return ""


if __name__ == "__main__":
    sys.exit(main())
