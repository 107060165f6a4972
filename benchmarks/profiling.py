"""The extra time of an authenticated request, located with cProfile inside one gunicorn worker.

Two profiled servers with one worker each receive the same number of requests,
one to /api/public and one to /api/private with a repeated token. The
difference of their profiles, per request, is what authentication adds.
cProfile slows Python function calls down, so the absolute times are higher
than without it and only their proportions are meaningful.
"""

import contextlib
import json
import pstats
import time
from pathlib import Path
from typing import Any

from .load import get_status
from .project import GunicornServer
from .suite import BenchmarkRun, log

PROFILE_CONFIG = "bench_profile_gunicorn.py"
# A request for this path starts the profiler. It must match PROFILE_START_PATH in bench_profile_gunicorn.py.
PROFILE_START_PATH = "/bench-profile-start"
PROFILE_WRITE_TIMEOUT = 10.0
TOP_FUNCTIONS = 12
# Entry points that every request goes through: Django's, and gunicorn's, which adds
# reading the request, writing the response and the access log.
WSGI_ENTRY = ("django/core/handlers/wsgi.py", "__call__")
WORKER_ENTRY = ("gunicorn/workers/sync.py", "handle")

FunctionKey = tuple[str, int, str]


def profile_server(
    run: BenchmarkRun, path: str, token: str | None, requests: int
) -> tuple[pstats.Stats, dict[str, Any]]:
    """Profile `requests` requests to `path` and return the cProfile and garbage collector statistics."""
    name = "profile-" + path.strip("/").replace("/", "-")
    profile_file = run.work_dir / f"{name}.prof"
    environment = run.environment(BENCH_PROFILE_FILE=str(profile_file))
    with contextlib.ExitStack() as stack:
        server = GunicornServer(name, run.project_dir, run.work_dir, environment, workers=1, config_file=PROFILE_CONFIG)
        stack.enter_context(server)
        tokens = [token] if token else []
        run.expect(run.load.run(server.port, path, run.parameters.warmup, tokens), 200, f"warm-up of {name}")
        get_status(server.port, PROFILE_START_PATH)

        log(f"Profiling {requests} requests to {path} in one worker ...")
        batch = run.load.run(server.port, path, requests // run.load.clients, tokens)
        run.expect(batch, 200, f"profiled requests to {path}")

    # The worker writes its statistics on exit, just before the server process ends.
    deadline = time.monotonic() + PROFILE_WRITE_TIMEOUT
    while not profile_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return pstats.Stats(str(profile_file)), json.loads(Path(f"{profile_file}.gc.json").read_text())


def short_name(key: FunctionKey, project_dir: Path) -> str:
    filename, line, function = key
    for marker in ("site-packages/", f"{project_dir}/", "/lib/python"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({function})" if line else function


def entry_key(stats: pstats.Stats, entry: tuple[str, str]) -> FunctionKey:
    for key in stats.stats:
        if key[0].endswith(entry[0]) and key[2] == entry[1]:
            return key
    raise RuntimeError(f"the profile has no call to {entry[1]} in {entry[0]}")


def per_request_times(stats: pstats.Stats) -> dict[FunctionKey, tuple[float, float]]:
    """Self and cumulative time of every function, in microseconds per request."""
    requests = stats.stats[entry_key(stats, WSGI_ENTRY)][1]
    return {
        key: (own * 1e6 / requests, cumulative * 1e6 / requests)
        for key, (_cc, _calls, own, cumulative, _callers) in stats.stats.items()
    }


def profile_authentication(run: BenchmarkRun) -> dict[str, Any]:
    requests = run.parameters.profile_requests
    public_stats, public_gc = profile_server(run, "/api/public", None, requests)
    private_stats, private_gc = profile_server(run, "/api/private", run.repeated_token, requests)
    public = per_request_times(public_stats)
    private = per_request_times(private_stats)
    public_requests = public_stats.stats[entry_key(public_stats, WSGI_ENTRY)][1]
    private_requests = private_stats.stats[entry_key(private_stats, WSGI_ENTRY)][1]

    def difference(key: FunctionKey, index: int) -> float:
        return private.get(key, (0.0, 0.0))[index] - public.get(key, (0.0, 0.0))[index]

    def top(index: int, candidates: list[FunctionKey]) -> list[dict[str, Any]]:
        keys = sorted(candidates, key=lambda key: difference(key, index), reverse=True)[:TOP_FUNCTIONS]
        return [
            {"function": short_name(key, run.project_dir), "extra_us_per_request": round(difference(key, index), 1)}
            for key in keys
        ]

    # Functions that public requests never call: authentication and what it calls. The
    # wrappers that both paths share would otherwise fill the cumulative list. Functions
    # match by file and name, so the private view's get() pairs with the public view's.
    public_functions = {(filename, function) for filename, _line, function in public}
    private_only = [key for key in private if (key[0], key[2]) not in public_functions]

    def entry_time(times: dict[FunctionKey, tuple[float, float]], entry: tuple[str, str]) -> float:
        for key, (_own, cumulative) in times.items():
            if key[0].endswith(entry[0]) and key[2] == entry[1]:
                return round(cumulative, 1)
        return 0.0

    return {
        "requests_per_profile": requests,
        "public_worker_us_per_request": entry_time(public, WORKER_ENTRY),
        "private_worker_us_per_request": entry_time(private, WORKER_ENTRY),
        "public_django_us_per_request": entry_time(public, WSGI_ENTRY),
        "private_django_us_per_request": entry_time(private, WSGI_ENTRY),
        "public_gc_us_per_request": round(public_gc["gc_seconds"] * 1e6 / public_requests, 1),
        "private_gc_us_per_request": round(private_gc["gc_seconds"] * 1e6 / private_requests, 1),
        "public_gc_collections": public_gc["collections_per_generation"],
        "private_gc_collections": private_gc["collections_per_generation"],
        "top_cumulative_time_private_only": top(1, private_only),
        "top_self_time": top(0, list(private)),
    }
