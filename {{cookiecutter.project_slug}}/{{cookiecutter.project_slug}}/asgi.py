"""ASGI entry point, for servers such as uvicorn."""

import os

from django.core.asgi import get_asgi_application
from django.core.management import call_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{{ cookiecutter.project_slug }}.settings")

application = get_asgi_application()

# Refuse to serve with settings that the system checks call errors, such as
# trusting the development issuer with DEBUG off; runserver does the same.
call_command("check")
