"""Ganzhi settings: one file, configured by environment variables.

Every variable is read through the small helpers below, which fail loudly on a
value they cannot use. docs/operations.md lists the variables.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true/false (1/0), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATA_DIR = Path(env_str("GANZHI_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DEBUG = env_bool("DEBUG", False)
GANZHI_DEMO = env_bool("GANZHI_DEMO", False)

_INSECURE_KEY_PREFIX = "django-insecure"


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key and not key.startswith(_INSECURE_KEY_PREFIX) and len(key) >= 32:
        return key
    if not (DEBUG or GANZHI_DEMO):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 32 characters "
            "in production (DEBUG and GANZHI_DEMO are off)."
        )
    if key:
        return key
    # Demo / development: a key kept under the data directory so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(50)
    key_file.write_text(generated)
    return generated


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if (DEBUG or GANZHI_DEMO) else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ganzhi.core",
    "ganzhi.org",
    "ganzhi.owners",
    "ganzhi.workorders",
    "ganzhi.notifications",
    "ganzhi.surveys",
    "ganzhi.portal",
    "ganzhi.rollups",
    "ganzhi.dashboards",
    "ganzhi.api",
    "ganzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ganzhi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ganzhi.urls"
WSGI_APPLICATION = "ganzhi.wsgi.application"
ASGI_APPLICATION = "ganzhi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ganzhi.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ganzhi.sqlite3'}"),
        conn_max_age=env_int("GANZHI_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE avoids
        # "database is locked" on lock upgrades.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["ganzhi.core.backends.RoleBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ganzhi_cache",
    }
}
if env_str("GANZHI_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("GANZHI_REDIS_URL"),
    }

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("GANZHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GANZHI_SECURE_COOKIES", not (DEBUG or GANZHI_DEMO))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

GANZHI_NOTIFICATION_CHANNELS = env_list(
    "GANZHI_NOTIFICATION_CHANNELS",
    [
        "ganzhi.notifications.channels.InboxChannel",
        "ganzhi.notifications.channels.EmailChannel",
        "ganzhi.notifications.channels.SmsChannel",
    ],
)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ganzhi@localhost")

# Login throttling: failures per (username, address) before a lock-out, and its length.
GANZHI_LOGIN_MAX_FAILURES = env_int("GANZHI_LOGIN_MAX_FAILURES", 5)
GANZHI_LOGIN_LOCKOUT_SECONDS = env_int("GANZHI_LOGIN_LOCKOUT_SECONDS", 900)
GANZHI_API_TOKEN_DAYS = env_int("GANZHI_API_TOKEN_DAYS", 30)
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500
GANZHI_PERIODIC_TASKS = {
    "ganzhi.workorders.tasks.sla_sweep_task": env_int("GANZHI_SLA_SWEEP_SECONDS", 30),
    "ganzhi.surveys.tasks.survey_sweep_task": env_int("GANZHI_SURVEY_SWEEP_SECONDS", 3600),
    "ganzhi.rollups.tasks.refresh_rollups_task": env_int("GANZHI_ROLLUP_SECONDS", 60),
}
GANZHI_REPEAT_COMPLAINT_DAYS = env_int("GANZHI_REPEAT_COMPLAINT_DAYS", 30)
GANZHI_FOLLOWUP_HOURS = env_int("GANZHI_FOLLOWUP_HOURS", 24)
GANZHI_MIN_SAMPLE = env_int("GANZHI_MIN_SAMPLE", 30)
GANZHI_PORTAL_LINK_DAYS = env_int("GANZHI_PORTAL_LINK_DAYS", 7)
# scheme://host owners open links on, for links in messages sent by the worker (surveys)
GANZHI_PUBLIC_URL = env_str("GANZHI_PUBLIC_URL", "")
GANZHI_IMPORT_MAX_BYTES = env_int("GANZHI_IMPORT_MAX_BYTES", 50 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("GANZHI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
