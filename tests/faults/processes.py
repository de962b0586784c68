"""Real processes for the fault tests: free ports, the API under gunicorn, killed with SIGKILL.

Every process is started in its own session (process group), so a kill reaches gunicorn's master
and its workers at once, as a crash of the machine's API service would, and the fixture that
started it kills the whole group on teardown whatever the test did.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
FLASK = str(Path(sys.executable).parent / "flask")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float = 20.0, what: str = "condition", step: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


class Process:
    """A child process in its own process group, with its stderr kept in a file for failure messages."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path):
        self.log = log
        self._log_file = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill_hard(self) -> None:
        """SIGKILL to the whole group: no handler runs, no transaction is finished or rolled back by us."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.kill_hard()
        else:
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)  # orphaned workers of a master that already died
            except ProcessLookupError:
                pass
        self._log_file.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def start_api(data_dir: Path, port: int, **settings: str) -> Process:
    """The API as production runs it: gunicorn with gunicorn.conf.py, on the SQLite file in data_dir."""
    env = {"ONETRIP_DATA_DIR": str(data_dir), "ONETRIP_BIND": f"127.0.0.1:{port}", "ONETRIP_LOG_LEVEL": "WARNING"}
    env["ONETRIP_WORKERS"] = "2"  # still several processes on one file; four take twice as long to start on CI's two cores
    env["ONETRIP_THREADS"] = "2"  # several submissions in flight in each process when it is killed
    env.update({f"ONETRIP_{name}": str(value) for name, value in settings.items()})
    api = Process([GUNICORN, "--config", "gunicorn.conf.py", "wsgi:app"], env, data_dir / f"gunicorn-{port}.log")
    url = f"http://127.0.0.1:{port}"

    def healthy():
        if api.popen.poll() is not None:
            raise AssertionError("the API exited while starting:\n" + api.output())
        try:
            return requests.get(url + "/api/v1/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(healthy, seconds=30, what="the API to answer /health")
    except BaseException:
        api.stop()
        raise
    api.url = url
    return api


def start_sandbox(processes, env: dict, log: Path) -> Process:
    sandbox = processes.track(Process([sys.executable, "-m", "payments.sandbox"], env, log))
    url = "http://" + env["ONETRIP_SANDBOX_BIND"]

    def listening():
        try:
            return requests.get(url + "/", timeout=1).status_code < 500
        except requests.RequestException:
            return False

    wait_for(listening, what="the sandbox gateway to listen")
    return sandbox


def payments_worker_once(env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([FLASK, "--app", "wsgi", "payments-worker", "--once"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done
