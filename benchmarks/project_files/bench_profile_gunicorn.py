"""gunicorn settings of a profiled benchmark server: the project's gunicorn.conf.py plus cProfile in the worker.

Profiling starts after the response to a request for PROFILE_START_PATH, so
start-up and warm-up requests stay out of the profile, and ends when the
worker exits. The worker then writes the cProfile statistics to
BENCH_PROFILE_FILE, and to BENCH_PROFILE_FILE.gc.json the time spent in the
garbage collector and its collections per generation, which cProfile charges to
whatever function happened to allocate when a collection started. Run it with
one worker, or the workers overwrite each other's files.
"""

import cProfile
import gc
import json
import os
import runpy
import time

PROFILE_START_PATH = "/bench-profile-start"

_project_settings = runpy.run_path("gunicorn.conf.py")
globals().update({name: value for name, value in _project_settings.items() if not name.startswith("_")})

_profiler = cProfile.Profile()
_profiling = False
_gc_seconds = 0.0
_gc_started = 0.0
_gc_stats_at_start: list[dict] = []


def _time_collection(phase, info):
    global _gc_seconds, _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
    else:
        _gc_seconds += time.perf_counter() - _gc_started


def post_request(worker, req, environ, resp):
    global _profiling, _gc_stats_at_start
    if req.path == PROFILE_START_PATH and not _profiling:
        _profiling = True
        _gc_stats_at_start = gc.get_stats()
        gc.callbacks.append(_time_collection)
        _profiler.enable()


def worker_exit(server, worker):
    _profiler.disable()
    if _time_collection in gc.callbacks:
        gc.callbacks.remove(_time_collection)
    path = os.environ["BENCH_PROFILE_FILE"]
    _profiler.dump_stats(path)

    collections = [
        end["collections"] - start["collections"] for start, end in zip(_gc_stats_at_start, gc.get_stats(), strict=True)
    ]
    with open(f"{path}.gc.json", "w") as gc_file:
        json.dump({"gc_seconds": _gc_seconds, "collections_per_generation": collections}, gc_file)
