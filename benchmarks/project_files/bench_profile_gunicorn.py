"""gunicorn settings of a profiled benchmark server: the project's gunicorn.conf.py plus cProfile in the worker.

Profiling starts after the response to a request for PROFILE_START_PATH, so
start-up and warm-up requests stay out of the profile, and ends when the
worker exits, which writes the statistics to BENCH_PROFILE_FILE. Run it with
one worker, or the workers overwrite each other's file.
"""

import cProfile
import os
import runpy

PROFILE_START_PATH = "/bench-profile-start"

_project_settings = runpy.run_path("gunicorn.conf.py")
globals().update({name: value for name, value in _project_settings.items() if not name.startswith("_")})

_profiler = cProfile.Profile()
_profiling = False


def post_request(worker, req, environ, resp):
    global _profiling
    if req.path == PROFILE_START_PATH and not _profiling:
        _profiling = True
        _profiler.enable()


def worker_exit(server, worker):
    _profiler.disable()
    _profiler.dump_stats(os.environ["BENCH_PROFILE_FILE"])
