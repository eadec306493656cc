"""Django settings, read from environment variables (documented in docs/operator-guide.md)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} must be set.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name} must be an integer.") from exc


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


DEBUG = env_bool("ONEWINDOW_DEBUG", False)
DATA_DIR = Path(env_str("ONEWINDOW_DATA_DIR", str(PROJECT_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET = "insecure-development-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG or os.environ.get("CI") else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET and not os.environ.get("CI"):
    raise ImproperlyConfigured("SECRET_KEY must be set when ONEWINDOW_DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "onewindow.accounts",
    "onewindow.catalog",
    "onewindow.bundles",
    "onewindow.centers",
    "onewindow.cases",
    "onewindow.approvals",
    "onewindow.notifications",
    "onewindow.integrations.elicense",
    "onewindow.licenses",
    "onewindow.inspections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onewindow.accounts.middleware.KioskSignInTimeout",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "onewindow.lib.middleware.MethodNotAllowedPage",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"
ASGI_APPLICATION = "onewindow.asgi.application"

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
                "django.template.context_processors.i18n",
                "onewindow.catalog.views.site_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'onewindow.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; the demo serves several workers.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Every request reads its session: from Redis, written through to the database (which alone
    # would cost a query per request). Without Redis the cache is per process, so sessions stay
    # in the database only: a sign-out must end the session in every worker.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "onewindow.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Under /api/ a refused CSRF check answers in the API's JSON; elsewhere with the site's page.
CSRF_FAILURE_VIEW = "onewindow.api.csrf_failure"
LOGIN_REDIRECT_URL = "public:home"
LOGOUT_REDIRECT_URL = "public:home"

# A sign-in on a self-service terminal ends when the browser closes and after this many seconds
# without a request; the page warns half a minute before (accounts/middleware.py, kiosk_idle.js).
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 180)
if KIOSK_IDLE_SECONDS < 60:
    raise ImproperlyConfigured("Environment variable KIOSK_IDLE_SECONDS must be 60 or more.")

# Login throttling: failures count for LOGIN_LOCK_SECONDS from the first one, and this many of one
# username from one address lock that pair for LOGIN_LOCK_SECONDS. A lock per username alone would
# let anyone lock anyone out, so a username is locked only by guessing from many addresses.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_SECONDS = env_int("LOGIN_LOCK_SECONDS", 900)
LOGIN_MAX_FAILURES_PER_USERNAME = env_int("LOGIN_MAX_FAILURES_PER_USERNAME", 50)
# A whole office may sign in from one address, so the per-address limit is higher.
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 50)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
# Uploaded materials are private: never served as static files, only through permission-checked views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Working days: what to do for a year whose holiday schedule is not published yet
# ("weekends": count Monday to Friday and warn; "error": refuse).
WORKDAYS_FALLBACK = env_str("WORKDAYS_FALLBACK", "weekends")
# Branches due within this many working days are shown as "nearly due".
DUE_SOON_WORKDAYS = env_int("DUE_SOON_WORKDAYS", 3)
# A permit granted on the applicant's commitment is checked on site within this many working days
# of the decision (事后核查; 消防: 20).
COMMITMENT_CHECK_WORKDAYS = env_int("COMMITMENT_CHECK_WORKDAYS", 20)
if not 1 <= COMMITMENT_CHECK_WORKDAYS <= 250:
    raise ImproperlyConfigured("Environment variable COMMITMENT_CHECK_WORKDAYS must be between 1 and 250.")

SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the server append to X-Forwarded-For; the client's address, which the
# per-address limits count, is that many entries from its right. 0 trusts no header: REMOTE_ADDR.
ONEWINDOW_TRUSTED_PROXIES = env_int("ONEWINDOW_TRUSTED_PROXIES", 0)
if ONEWINDOW_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("Environment variable ONEWINDOW_TRUSTED_PROXIES must be 0 or more.")

# SMS and email: this many failed provider calls make a message 发送失败 (notifications.services).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)

# PDF rendering: a TrueType CJK font ReportLab can embed.
PDF_FONT_PATH = env_str("PDF_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

# Outside systems: dotted paths to adapter classes (local implementations by default).
ELICENSE_LIBRARY = env_str("ELICENSE_LIBRARY", "onewindow.integrations.elicense.local.LocalLibrary")
SMS_GATEWAY = env_str("SMS_GATEWAY", "onewindow.integrations.sms.local.LocalSmsGateway")
EMAIL_GATEWAY = env_str("EMAIL_GATEWAY", "onewindow.integrations.email.local.LocalEmailGateway")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@onewindow.local")

# Comprehensive licences (GB/T 36904 identifier parts, validity rule, issuer, public address for QR codes).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
LICENCE_TYPE_CODE = env_str("LICENCE_TYPE_CODE", "11100000000013338W011")
LICENCE_ISSUER_CODE = env_str("LICENCE_ISSUER_CODE", "11429006MB1950012M")
LICENCE_ISSUER_NAME = env_str("LICENCE_ISSUER_NAME", "天门市行政审批局")
# "earliest": the earliest expiry among the permits; "years:N": N years from issue.
LICENCE_VALIDITY_RULE = env_str("LICENCE_VALIDITY_RULE", "earliest")

# Licence signature (PAdES). Empty LICENCE_SIGNING_CERT: a local demo CA in LICENCE_DEMO_PKI_DIR signs.
LICENCE_SIGNING_CERT = env_str("LICENCE_SIGNING_CERT", "")
LICENCE_SIGNING_KEY = env_str("LICENCE_SIGNING_KEY", "")
LICENCE_SIGNING_KEY_PASSWORD = env_str("LICENCE_SIGNING_KEY_PASSWORD", "")
LICENCE_SIGNING_CHAIN = env_str("LICENCE_SIGNING_CHAIN", "")
LICENCE_TRUST_ROOTS = env_str("LICENCE_TRUST_ROOTS", "")
LICENCE_DEMO_PKI_DIR = env_str("LICENCE_DEMO_PKI_DIR", str(DATA_DIR / "pki"))

# Public verification requests per client address per minute.
VERIFY_RATE_LIMIT_PER_MINUTE = env_int("VERIFY_RATE_LIMIT_PER_MINUTE", 60)

CITY_NAME = env_str("ONEWINDOW_CITY_NAME", "天门市")
CENTRE_NAME = env_str("ONEWINDOW_CENTRE_NAME", "天门市政务服务中心")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "onewindow.lib.logfilters.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
