"""ASGI entry point, for servers such as uvicorn."""

import io
import os

from django.core.asgi import get_asgi_application
from django.core.management import call_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{{ cookiecutter.project_slug }}.settings")

application = get_asgi_application()

# Refuse to serve with settings that the system checks call errors, such as
# trusting the development issuer with DEBUG off. Errors raise SystemCheckError
# and warnings go to stderr; only the "no issues" line is dropped, because
# runserver, which imports this module too, prints its own.
call_command("check", stdout=io.StringIO())
