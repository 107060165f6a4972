"""Bake the template, prepare the baked project, and run it under gunicorn on 127.0.0.1."""

import functools
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import psutil
from dotenv import dotenv_values

from .load import get_status

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = Path(__file__).resolve().parent / "project_files"
TEMPLATE_PARTS = ("cookiecutter.json", "hooks", "{{cookiecutter.project_slug}}")
# Tool caches that a working tree may contain but a fresh clone does not. Cookiecutter
# would try to render their binary files as templates and fail.
LOCAL_CACHES = shutil.ignore_patterns(".ruff_cache", "__pycache__", ".pytest_cache", "*.pyc")

BAKE_TIMEOUT = 120
TEST_SUITE_TIMEOUT = 300
SERVER_START_TIMEOUT = 60
SERVER_STOP_TIMEOUT = 15
LISTENING = re.compile(rb"Listening at: http://127\.0\.0\.1:(\d+)")

# Inherited variables that would change what the servers under test do.
INHERITED_PREFIXES = ("DJANGO_", "AUTH0_", "GUNICORN_", "REDIS_", "DATABASE_", "TEST_", "BENCH_")
INHERITED_NAMES = ("WEB_CONCURRENCY", "SSL_CERT_FILE", "SSL_CERT_DIR", "PYTHONPATH")


def clean_environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(INHERITED_PREFIXES) and name not in INHERITED_NAMES
    }


def copy_template(destination: Path) -> Path:
    """Copy the parts of the template that cookiecutter reads, without local tool caches."""
    destination.mkdir(parents=True)
    for part in TEMPLATE_PARTS:
        source = TEMPLATE_ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=LOCAL_CACHES)
        else:
            shutil.copy2(source, destination / part)
    return destination


def bake(template: Path, output_dir: Path) -> tuple[float, Path]:
    """Run `cookiecutter --no-input` once and return its wall time and the baked project folder."""
    output_dir.mkdir(parents=True)
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output_dir), str(template)]
    started = time.monotonic()
    completed = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=BAKE_TIMEOUT, env=clean_environment()
    )
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        raise RuntimeError(f"cookiecutter failed with exit status {completed.returncode}:\n{completed.stderr[-2000:]}")

    baked = [path for path in output_dir.iterdir() if path.is_dir()]
    if len(baked) != 1:
        raise RuntimeError(f"expected one baked project in {output_dir}, found {len(baked)}")
    return seconds, baked[0]


@dataclass
class BakeResult:
    seconds: list[float]
    project_dir: Path

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def time_bakes(template: Path, work_dir: Path, count: int) -> BakeResult:
    """Bake `count` times into fresh folders. The last project is the one the benchmark serves."""
    seconds = []
    project_dir = None
    for index in range(count):
        elapsed, project_dir = bake(template, work_dir / f"bake-{index}")
        seconds.append(elapsed)
    assert project_dir is not None
    return BakeResult(seconds=seconds, project_dir=project_dir)


@dataclass
class TestSuiteResult:
    seconds: float
    passed: bool
    summary: str


def run_test_suite(project_dir: Path) -> TestSuiteResult:
    """Run the generated project's own tests once, with the default in-memory database and cache."""
    command = [sys.executable, "-m", "pytest", "-q"]
    started = time.monotonic()
    completed = subprocess.run(
        command,
        check=False,
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=TEST_SUITE_TIMEOUT,
        env=clean_environment(),
    )
    seconds = time.monotonic() - started
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else completed.stderr.strip()[-300:]
    return TestSuiteResult(seconds=seconds, passed=completed.returncode == 0, summary=summary)


def project_slug(project_dir: Path) -> str:
    """Return the project's Python package name: the folder with the same name as the project folder."""
    return project_dir.name


def env_file_value(project_dir: Path, name: str) -> str:
    value = dotenv_values(project_dir / ".env").get(name)
    if not value:
        raise RuntimeError(f"{name} is missing from {project_dir / '.env'}")
    return value


def install_project_files(project_dir: Path) -> None:
    """Copy the reference authentication classes, their settings module and helper scripts into the project."""
    for source in PROJECT_FILES.glob("bench_*.py"):
        shutil.copy2(source, project_dir / source.name)


def run_manage(project_dir: Path, environment: dict[str, str], *arguments: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        check=False,
        cwd=project_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=BAKE_TIMEOUT,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{completed.stderr[-2000:]}")
    return completed.stdout


@functools.cache
def control_socket_arguments() -> tuple[str, ...]:
    """Turn off gunicorn's control socket where the installed gunicorn has one (27.0.1 does).

    Its default path is shared by every gunicorn of the user, so servers started
    side by side would take it from each other.
    """
    completed = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"], check=False, capture_output=True, text=True, timeout=60
    )
    return ("--no-control-socket",) if "--no-control-socket" in completed.stdout else ()


class GunicornServer:
    """The baked project under gunicorn, bound to an ephemeral port on 127.0.0.1."""

    def __init__(
        self,
        name: str,
        project_dir: Path,
        log_dir: Path,
        environment: dict[str, str],
        workers: int,
        config_file: str = "gunicorn.conf.py",
    ) -> None:
        self.name = name
        self.project_dir = project_dir
        self.log_path = log_dir / f"gunicorn-{name}.log"
        self.workers = workers
        self.config_file = config_file
        self.environment = {
            **environment,
            "GUNICORN_BIND": "127.0.0.1:0",
            "WEB_CONCURRENCY": str(workers),
            # One thread keeps gunicorn on its sync worker class.
            "GUNICORN_THREADS": "1",
        }
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> "GunicornServer":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            self.config_file,
            *control_socket_arguments(),
            f"{project_slug(self.project_dir)}.wsgi",
        ]
        with self.log_path.open("wb") as log:
            # A new session gives the server its own process group, so stop() can end any worker left behind.
            self.process = subprocess.Popen(
                command,
                cwd=self.project_dir,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        self.port = self._wait_for_port(deadline)
        self._wait_for_ready(deadline)
        return self

    def _wait_for_port(self, deadline: float) -> int:
        while time.monotonic() < deadline:
            self._raise_if_exited()
            match = LISTENING.search(self.log_path.read_bytes())
            if match:
                return int(match.group(1))
            time.sleep(0.05)
        raise TimeoutError(f"gunicorn {self.name} did not report its port within {SERVER_START_TIMEOUT} s")

    def _wait_for_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            self._raise_if_exited()
            if get_status(self.port, "/api/public") == 200:
                return
            time.sleep(0.05)
        raise TimeoutError(f"gunicorn {self.name} did not respond to /api/public within {SERVER_START_TIMEOUT} s")

    def _raise_if_exited(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"gunicorn {self.name} exited with status {self.process.returncode}:\n{tail}")

    def wait_for_workers(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.worker_processes()) == self.workers:
                return
            time.sleep(0.05)
        raise TimeoutError(f"gunicorn {self.name} did not start {self.workers} workers within {timeout} s")

    def worker_processes(self) -> list[psutil.Process]:
        assert self.process is not None
        return psutil.Process(self.process.pid).children()

    def worker_rss(self) -> int:
        """Sum of the resident set sizes of the worker processes, in bytes."""
        return sum(worker.memory_info().rss for worker in self.worker_processes())

    def worker_cpu_seconds(self) -> float:
        """User and system CPU time used so far by the worker processes, in seconds."""
        total = 0.0
        for worker in self.worker_processes():
            times = worker.cpu_times()
            total += times.user + times.system
        return total

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(SERVER_STOP_TIMEOUT)
        self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
