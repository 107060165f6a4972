"""WSGI entry point, as served by gunicorn in production."""

import os

from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{{ cookiecutter.project_slug }}.settings")

application = get_wsgi_application()

# Refuse to serve with settings that the system checks call errors, such as
# trusting the development issuer with DEBUG off; runserver does the same.
call_command("check")
