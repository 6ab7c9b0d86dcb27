"""`make bench`: run every bench/<area>.py module's ``run()`` and write bench/results.json.

Each module returns a dict of figures measured side by side in one run (ratios where the
machine's speed would otherwise decide the number). Usage: ``python bench/run.py [area ...]``.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _machine() -> dict[str, object]:
    import os

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def main(argv: list[str]) -> int:
    wanted = set(argv)
    results: dict[str, object] = {"machine": _machine()}
    for path in sorted(HERE.glob("*.py")):
        if path.name == "run.py" or (wanted and path.stem not in wanted):
            continue
        spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}", flush=True)
        started = time.perf_counter()
        figures = module.run()
        figures["bench_seconds"] = round(time.perf_counter() - started, 1)
        for key, value in figures.items():
            print(f"  {key}: {value}")
        results[path.stem] = figures
    out = HERE / "results.json"
    previous = json.loads(out.read_text()) if out.exists() and wanted else {}
    out.write_text(json.dumps({**previous, **results}, indent=2) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
