"""API throughput: ``POST /api/v1/assessments`` against ``GET /api/v1/health`` on one server.

Both are driven by the same load generator (wrk, from Debian) on loopback, with 32 concurrent
connections for a bounded time, one after the other against the same ``crampcheck serve``
process, so the ratio does not depend on the machine's speed. Aim: assessments ≥ 0.7 of health.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

SECONDS = int(os.environ.get("CRAMPCHECK_BENCH_SECONDS", "10"))
CONNECTIONS = 32
BODY = {
    "age": 63,
    "medicines": ["Evista 60mg"],
    "new_medicine_before_cramps": True,
    "cramps_per_week": 4,
    "leg_symptoms": ["numbness"],
    "timing": ["night"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    exe = Path(sys.executable).with_name("crampcheck")
    server = subprocess.Popen(
        [
            str(exe),
            "serve",
            "--port",
            str(port),
            "--database-url",
            f"sqlite:///{tmp}/bench.db",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=1)  # noqa: S310 - loopback
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("server did not start")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, script: Path | None = None) -> dict[str, Any]:
    """Run wrk for SECONDS with CONNECTIONS connections; requests a second and p50/p99 latency."""
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "5s"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=SECONDS + 30, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = {m[0]: _ms(m[1], m[2]) for m in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_second": round(rate),
        "p50_ms": lat.get("50"),
        "p99_ms": lat.get("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def run() -> dict[str, object]:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        body = json.dumps(BODY).replace("\\", "\\\\").replace('"', '\\"')
        script.write_text(
            f'wrk.method = "POST"\nwrk.body = "{body}"\nwrk.headers["Content-Type"] = "application/json"\n'
        )
        server, base = start_server(Path(tmp))
        try:
            wrk(base + "/api/v1/health")  # warm-up, discarded
            health = wrk(base + "/api/v1/health")
            assessments = wrk(base + "/api/v1/assessments", script)
        finally:
            server.terminate()
            server.wait(timeout=10)
    ratio = assessments["requests_per_second"] / max(health["requests_per_second"], 1)
    return {
        "connections": CONNECTIONS,
        "seconds_each": SECONDS,
        "health": health,
        "assessments": assessments,
        "assessments_to_health_ratio": round(ratio, 2),
        "aim_ratio": 0.7,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
