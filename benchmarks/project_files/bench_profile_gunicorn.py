"""gunicorn settings of a profiled benchmark server: the project's gunicorn.conf.py plus cProfile in each worker.

Each worker profiles from the end of its start-up to its exit and writes the
statistics to BENCH_PROFILE_FILE (run with one worker, or the files collide).
"""

import cProfile
import os
import runpy

_project_settings = runpy.run_path("gunicorn.conf.py")
globals().update({name: value for name, value in _project_settings.items() if not name.startswith("_")})

_profiler = cProfile.Profile()


def post_worker_init(worker):
    _profiler.enable()


def worker_exit(server, worker):
    _profiler.disable()
    _profiler.dump_stats(os.environ["BENCH_PROFILE_FILE"])
