"""A real crampcheck server for end-to-end tests.

``live_server`` starts ``crampcheck serve`` as a subprocess on a free port, with a fresh SQLite
database and data folder, waits until ``/api/v1/health`` answers, yields the base URL (like
``http://127.0.0.1:43123``) and stops the server at the end of the session::

    def test_start_page(live_server: str) -> None:
        assert httpx.get(live_server + "/").status_code == 200

One server serves the whole test session (starting one takes about a second); tests must not
depend on each other's data. Its output goes to ``server.log`` in the fixture's temporary
folder and is shown if it fails to start.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

START_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"crampcheck serve exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own localhost URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"crampcheck serve did not answer {url} within {START_TIMEOUT} s:\n{log.read_text()[-4000:]}")


def start_server(
    folder: Path, extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start ``crampcheck serve`` with its data in ``folder``; return its base URL and process.

    ``env`` adds to the environment (several processes of one service share CRAMPCHECK_SECRET_KEY).
    """
    port = free_port()
    log = folder / "server.log"
    env = {
        **os.environ,
        "CRAMPCHECK_DATA_DIR": str(folder / "data"),
        "CRAMPCHECK_SECRET_KEY": secrets.token_urlsafe(32),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    env.pop("CRAMPCHECK_DATABASE_URL", None)
    cmd = [
        sys.executable,
        "-c",
        "from crampcheck.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database-url",
        f"sqlite:///{folder / 't.db'}",
        "--log-level",
        "warning",
        *extra_args,
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/api/v1/health", proc, log)
    except BaseException:
        stop_server(proc)
        raise
    return base, proc


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started by :func:`start_server` (politely, then firmly)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running ``crampcheck serve`` (one per test session)."""
    base, proc = start_server(tmp_path_factory.mktemp("live_server"))
    try:
        yield base
    finally:
        stop_server(proc)
