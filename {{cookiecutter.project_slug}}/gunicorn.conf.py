"""Production serving: gunicorn -c gunicorn.conf.py {{ cookiecutter.project_slug }}.wsgi"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
accesslog = "-"


def post_worker_init(worker):
    """Say which token issuer this worker trusts, once Django is loaded."""
    from auth0authorization.conf import describe_trust, get_config

    worker.log.info(describe_trust(get_config()))
