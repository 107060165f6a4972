"""Django settings, read from the environment with `.env` as a fallback.

Every AUTH0_* setting is documented, with its default and unit, in
auth0authorization/conf.py. Nothing here touches the network.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from .environment import env_bool, env_list, env_number, env_optional_bool, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

load_dotenv(BASE_DIR / ".env", override=False)

PROJECT_NAME = {{ cookiecutter.project_name | tojson }}

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set; put a long random value in the environment or in .env"
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "auth0authorization",
    "api",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Only the Swagger UI page of drf-spectacular renders a template.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

ROOT_URLCONF = "{{ cookiecutter.project_slug }}.urls"
WSGI_APPLICATION = "{{ cookiecutter.project_slug }}.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env_number("DATABASE_CONN_MAX_AGE", 60)),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Signing keys and the user cache live here. With REDIS_URL set they are shared
# by every worker process and host; otherwise each process keeps its own.
if env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Auth0 access tokens; see auth0authorization/conf.py for what each one means.
AUTH0_DOMAIN = env_str("AUTH0_DOMAIN")
AUTH0_API_IDENTIFIER = env_str("AUTH0_API_IDENTIFIER", {{ cookiecutter.auth0_api_identifier | tojson }})
AUTH0_ISSUER = env_str("AUTH0_ISSUER")
AUTH0_SCOPES = env_list("AUTH0_SCOPES", {{ cookiecutter.auth0_scopes.replace(",", " ").split() | tojson }})
AUTH0_ALGORITHMS = env_list("AUTH0_ALGORITHMS", ["RS256"])
AUTH0_LEEWAY = env_number("AUTH0_LEEWAY", 60)
AUTH0_REQUIRE_AT_JWT = env_bool("AUTH0_REQUIRE_AT_JWT", default=False)
AUTH0_MAX_TOKEN_LENGTH = int(env_number("AUTH0_MAX_TOKEN_LENGTH", 8192, minimum=256))
AUTH0_JWKS_TTL = env_number("AUTH0_JWKS_TTL", 600, minimum=1)
AUTH0_JWKS_REFETCH_COOLDOWN = env_number("AUTH0_JWKS_REFETCH_COOLDOWN", 60)
AUTH0_JWKS_MAX_STALE = env_number("AUTH0_JWKS_MAX_STALE", 6 * 3600)
AUTH0_JWKS_TIMEOUT = env_number("AUTH0_JWKS_TIMEOUT", 3, minimum=0.1)
AUTH0_JWKS_MAX_BYTES = int(env_number("AUTH0_JWKS_MAX_BYTES", 256 * 1024, minimum=1024))
AUTH0_RETRY_AFTER = int(env_number("AUTH0_RETRY_AFTER", 30, minimum=1))
AUTH0_USER_CACHE_TTL = env_number("AUTH0_USER_CACHE_TTL", 60)
AUTH0_DEV_ISSUER = env_optional_bool("AUTH0_DEV_ISSUER")
AUTH0_DEV_KEY_DIR = Path(env_str("AUTH0_DEV_KEY_DIR", str(BASE_DIR / ".devkeys")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["auth0authorization.authentication.Auth0TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "auth0authorization.exception_handler.auth0_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": PROJECT_NAME,
    "DESCRIPTION": "An API that accepts Auth0 access tokens.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# Browser applications that may call the API; preflight requests never need a token.
CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS", ["http://localhost:3000", "http://127.0.0.1:3000"] if DEBUG else []
)
CORS_ALLOW_HEADERS = ["authorization", "content-type"]

# Production hardening; behind a TLS-terminating proxy set DJANGO_SECURE_PROXY_SSL_HEADER=true.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = int(env_number("DJANGO_SECURE_HSTS_SECONDS", 0))
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Replaces Django's default handlers for this logger, which would print each line twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "auth0authorization": {"level": env_str("AUTH0_LOG_LEVEL", "INFO").upper(), "propagate": True},
    },
}
