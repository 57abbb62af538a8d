"""Amity settings: one file, read from environment variables.

Development needs nothing set: DEBUG is on, the database is a SQLite file under var/.
Production is the same file with DEBUG=0 and the variables listed in the README.
"""

import base64
import datetime
import hashlib
from pathlib import Path

import environ
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
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
    "django.contrib.humanize",
    "django_countries",
    "django_filters",
    "import_export",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "relations",
    "delegations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so that every page gets the header, including other middleware's answers.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required:
    # a new view cannot forget it.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends idle and old sessions (needs the user and messages; runs before the login check).
    "relations.middleware.SessionTimeoutMiddleware",
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
# The login page again, saying for how long this username is locked from this address.
AXES_LOCKOUT_CALLABLE = "relations.accounts.lockout_response"
# The browser's address, also behind a TLS proxy (see AMITY_BEHIND_TLS_PROXY below).
AXES_CLIENT_IP_CALLABLE = "relations.audit.request_address"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# A session ends after AMITY_SESSION_IDLE_MINUTES without a request, and at the latest
# AMITY_SESSION_MAX_HOURS after login (relations/middleware.py); its cookie lasts as long.
AMITY_SESSION_IDLE_MINUTES = env.int("AMITY_SESSION_IDLE_MINUTES", default=30)
AMITY_SESSION_MAX_HOURS = env.int("AMITY_SESSION_MAX_HOURS", default=8)
SESSION_COOKIE_AGE = AMITY_SESSION_MAX_HOURS * 60 * 60
SESSION_COOKIE_HTTPONLY = True

# ---- HTTPS and what browsers are told to refuse ----
# With DEBUG off everything is HTTPS-only by default; each variable can still change it.
# Behind a reverse proxy that ends TLS (nginx, a load balancer) set AMITY_BEHIND_TLS_PROXY=1:
# only then are its X-Forwarded-Proto and X-Forwarded-For headers believed. Without such
# a proxy in front, anyone could send them.
AMITY_BEHIND_TLS_PROXY = env.bool("AMITY_BEHIND_TLS_PROXY", default=False)
if AMITY_BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the whole registered domain (the city's, not only Amity's) to
    # HTTPS in every browser: its owner decides that, at hstspreload.org, not this app.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only our own files: no inline scripts, event-handler attributes or style attributes
# (behaviour lives in static/amity.js). Bootstrap draws a few icons as data: images; the
# standalone print page marks its <style> with the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF, CSP_NONCE],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
}

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# The interface languages, each named in itself for the switcher. The choice is kept in a
# cookie (LocaleMiddleware reads it before the browser's Accept-Language).
LANGUAGES = [("en", "English"), ("ko", "한국어"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Bootstrap and its icons are served from here, never from a CDN: office networks are
# often closed.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STORAGES = {
    # FileSystemStorage that leaves no partly written file behind (a full disk).
    "default": {"BACKEND": "relations.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
AMITY_MAX_UPLOAD_BYTES = env.int("AMITY_MAX_UPLOAD_MB", default=20) * 1024 * 1024
# Spreadsheets uploaded to the import page; larger files go through `manage.py import_data`.
AMITY_MAX_IMPORT_BYTES = env.int("AMITY_MAX_IMPORT_MB", default=50) * 1024 * 1024
# Uploaded spreadsheets wait here between preview and confirmation, then are deleted.
AMITY_IMPORT_DIR = env.path("AMITY_IMPORT_DIR", default=VAR_DIR / "imports")
AMITY_IMPORT_EXPIRY_HOURS = env.int("AMITY_IMPORT_EXPIRY_HOURS", default=6)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Uploads are private: no address serves MEDIA_URL, not even with DEBUG on; views that
# check permissions send each file (relations/files.py). In production they can leave the
# sending to the web server: "X-Accel-Redirect" (nginx; AMITY_SENDFILE_PREFIX is then the
# URI of an `internal` location aliased to MEDIA_ROOT) or "X-Sendfile" (Apache; the prefix
# is MEDIA_ROOT's path as the web server sees it, default MEDIA_ROOT).
AMITY_SENDFILE_HEADER = env.str("AMITY_SENDFILE_HEADER", default="") or None
AMITY_SENDFILE_PREFIX = env.str("AMITY_SENDFILE_PREFIX", default="")
if AMITY_SENDFILE_HEADER not in (None, "X-Accel-Redirect", "X-Sendfile"):
    raise ImproperlyConfigured("AMITY_SENDFILE_HEADER must be X-Accel-Redirect or X-Sendfile.")
if AMITY_SENDFILE_HEADER == "X-Accel-Redirect" and not AMITY_SENDFILE_PREFIX.startswith("/"):
    raise ImproperlyConfigured(
        "AMITY_SENDFILE_PREFIX must be the internal location, e.g. /protected/, "
        "when AMITY_SENDFILE_HEADER is X-Accel-Redirect."
    )

# Django 6 behaviour now: a web address typed without a scheme means https.
FORMS_URLFIELD_ASSUME_HTTPS = True

# Kosovo has no ISO 3166 code yet; XK is the one the EU and most registries use.
COUNTRIES_OVERRIDE = {"XK": "Kosovo"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The admin's import and export buttons need the model's own right ("add_partner",
# "view_partner"), as well as relations.import_data / relations.export_data that
# relations.roles.DataTransferRights adds; without these settings any staff user could.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# The audit trail is read-only for everyone, superusers included: the admin shows past
# versions without a "revert" button (and relations/admin.py refuses such posts).
SIMPLE_HISTORY_REVERT_DISABLED = True

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
# The dashboard lists active partners with no visit either way for this many years.
AMITY_QUIET_AFTER_YEARS = env.int("AMITY_QUIET_AFTER_YEARS", default=3)
if AMITY_QUIET_AFTER_YEARS < 1:
    raise ImproperlyConfigured("AMITY_QUIET_AFTER_YEARS must be 1 or more (years).")
# Summaries that are the same for every user (the dashboard's clashes and anniversaries,
# the reports) are worked out at most this often (0: on every load). See summaries.py.
AMITY_SUMMARY_CACHE_SECONDS = env.int("AMITY_SUMMARY_CACHE_SECONDS", default=60)

# In production the workers of a server share one cache in files, so a summary is worked
# out once a minute, not once per worker; CACHE_URL names one that several servers share,
# e.g. dbcache://amity_cache (after `createcachetable`) or redis://127.0.0.1:6379/1
# (needs the "redis" package). While debugging (and in tests) each process has its own.
CACHES = {
    "default": env.cache(
        "CACHE_URL",
        default="locmemcache://" if DEBUG else f"filecache://{VAR_DIR / 'cache'}",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    # Every handler masks passwords and passport numbers, whoever logs them.
    "filters": {"mask_secrets": {"()": "relations.logging.MaskSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (console while debugging, mail_admins, runserver's) do
        # not mask: its records go to ours instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # One line per login attempt is enough at INFO; axes repeats itself at start-up.
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
