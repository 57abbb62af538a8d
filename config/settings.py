"""Amity settings: one file, read from environment variables.

Development needs nothing set: DEBUG is on, the database is a SQLite file under var/.
Production is the same file with DEBUG=0 and the variables listed in the README.
"""

import base64
import datetime
import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A .env file beside manage.py is convenient in development; real environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

# Only ever used while DEBUG is on: a development key must never sign production cookies.
_DEVELOPMENT_SECRET_KEY = "django-insecure-amity-development-only"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "import_export",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "relations",
    "delegations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required:
    # a new view cannot forget it.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Lets each history row know who made the change and from where.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as its documentation asks: turns locked-out logins into a clear refusal.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite under var/ by default; PostgreSQL in production via DATABASE_URL=postgres://...
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'amity.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers go on while one officer saves; the busy timeout makes a
            # second writer wait instead of failing with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username only from the address it was guessed from, so one attacker behind the
# office's shared address cannot lock everybody out; unlock by itself after a while.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Bootstrap and its icons are served from here, never from a CDN: office networks are
# often closed.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
AMITY_MAX_UPLOAD_BYTES = env.int("AMITY_MAX_UPLOAD_MB", default=20) * 1024 * 1024
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# Django 6 behaviour now: a web address typed without a scheme means https.
FORMS_URLFIELD_ASSUME_HTTPS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Keys for fields encrypted at rest (passport numbers), newest first, comma-separated;
# make one with: python -c "from cryptography.fernet import Fernet as F; print(F.generate_key())"
# Kept in the environment, never in the database. Development derives one from SECRET_KEY.
AMITY_FIELD_ENCRYPTION_KEYS = env.list("AMITY_FIELD_ENCRYPTION_KEYS", default=[])
if not AMITY_FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("AMITY_FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    AMITY_FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]

# The authority whose office this is; load_demo marks it as home.
AMITY_HOME_COUNTRY = env.str("AMITY_HOME_COUNTRY", default="KR")
# Public-ethics rules: gifts worth this much (in KRW) or more must be registered.
AMITY_GIFT_REGISTRATION_THRESHOLD_KRW = env.int(
    "AMITY_GIFT_REGISTRATION_THRESHOLD_KRW", default=100_000
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # One line per login attempt is enough at INFO; axes repeats itself at start-up.
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
