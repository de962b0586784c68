"""GET /api/v1/health vs a bare Flask endpoint, same gunicorn settings, driven by wrk from another process.

Prints requests/s, p50 and p99 for each and the ratio ours/bare. Both servers run one after the
other on 127.0.0.1 so they do not compete for the two cores.
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure(app_spec: str, path: str, env: dict) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}", app_spec],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}{path}"
        wait_until_up(url)
        subprocess.run(["wrk", "-t1", "-c4", "-d2s", url], capture_output=True, check=True)  # warm-up
        return run_wrk(url)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `apt-get install -y wrk` (make bench installs it)")
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "ONETRIP_DATA_DIR": data_dir, "ONETRIP_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
        ours = measure("wsgi:app", "/api/v1/health", env)
        bare = measure("bench.bare_app:app", "/hello", env)
    print(f"HTTP benchmark: gunicorn ({os.environ.get('ONETRIP_WORKERS', 'default')} workers), wrk -c{CONNECTIONS} -d{DURATION}")
    for name, r in (("GET /api/v1/health", ours), ("bare Flask /hello", bare)):
        print(f"  {name:22s} {r['rps']:9.0f} req/s   p50 {r['p50']:7.2f} ms   p99 {r['p99']:7.2f} ms   errors {r['errors']}")
    print(f"  ratio ours/bare throughput: {ours['rps'] / bare['rps']:.2f}")


if __name__ == "__main__":
    main()
