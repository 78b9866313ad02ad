"""Pegasus settings: one module, every value read from the environment (PEGASUS_*, DATABASE_URL).

PEGASUS_ENV is `development` (the default), `test` or `production`. Production refuses to start without
PEGASUS_SECRET_KEY and PEGASUS_ALLOWED_HOSTS, and turns on every protection `manage.py check --deploy` asks for.
"""

import os
import re
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PEGASUS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


def env_int(name: str, default: int, *, minimum: int) -> int:
    value = os.environ.get(name) or str(default)
    if not value.isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


# --- Environment -------------------------------------------------------------------------------------------
PEGASUS_ENV = os.environ.get("PEGASUS_ENV", "development")
if PEGASUS_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"PEGASUS_ENV must be development, test or production, not {PEGASUS_ENV!r}")
PRODUCTION = PEGASUS_ENV == "production"

SECRET_KEY = os.environ.get("PEGASUS_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("PEGASUS_SECRET_KEY must be set when PEGASUS_ENV=production")
    SECRET_KEY = "pegasus-development-only-key-not-for-production-use-0123456789abcdef"  # noqa: S105

DEBUG = env_bool("PEGASUS_DEBUG", default=PEGASUS_ENV == "development")
ALLOWED_HOSTS = env_list("PEGASUS_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("PEGASUS_ALLOWED_HOSTS must be set when PEGASUS_ENV=production")

# The date the estate is read "as at" when a page is not given one; empty means today. The demo sets
# 2019-05-23, the Investment Advisory & Monitoring meeting that considered PCD 579.
_as_at = os.environ.get("PEGASUS_AS_AT", "")
try:
    PEGASUS_AS_AT = date.fromisoformat(_as_at) if _as_at else None
except ValueError as exc:
    raise ImproperlyConfigured(f"PEGASUS_AS_AT must be a date YYYY-MM-DD, not {_as_at!r}") from exc

# Open contracting: the OCID prefix registered for the publisher (ocds- and six characters) and its name.
PEGASUS_OCID_PREFIX = os.environ.get("PEGASUS_OCID_PREFIX", "ocds-pgss01")
if not re.fullmatch(r"ocds-[a-z0-9]{6}", PEGASUS_OCID_PREFIX):
    raise ImproperlyConfigured(
        f"PEGASUS_OCID_PREFIX must be ocds- and six lower-case letters or digits, not {PEGASUS_OCID_PREFIX!r}"
    )
# Where the public pages are served from, for links in documents made away from a request (OCDS packages).
PEGASUS_PUBLIC_URL = os.environ.get("PEGASUS_PUBLIC_URL", "http://127.0.0.1:8000")
PEGASUS_OCDS_PUBLISHER = os.environ.get("PEGASUS_OCDS_PUBLISHER", "Mayor's Office for Policing and Crime")
# The OCDS 1.1.5 schema folder and the UK extension's, which exports are checked against; read from this machine,
# never fetched. Without them an export is recorded as not checked. By default, the published copies beside the
# project (../shared/data), where the development machines keep them.
PEGASUS_OCDS_SCHEMA_DIR = Path(
    os.environ.get("PEGASUS_OCDS_SCHEMA_DIR") or BASE_DIR.parent / "shared" / "data" / "ocds-schema-1.1.5"
)
PEGASUS_OCDS_EXTENSION_DIR = Path(
    os.environ.get("PEGASUS_OCDS_EXTENSION_DIR") or BASE_DIR.parent / "shared" / "data" / "ocds-uk-extension"
)

# --- Applications ------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # django-ninja's own static Swagger UI for /api/docs, rather than its default of scripts from a CDN, which the
    # Content-Security-Policy (and a machine without the internet) refuses.
    "ninja",
    "pegasus.core",
    "pegasus.estate",
    "pegasus.governance",
    "pegasus.publication",
    "pegasus.sourcing",
    "pegasus.procurement",
    "pegasus.evaluation",
    "pegasus.performance",
    "pegasus.finance",
    "pegasus.programme",
    "pegasus.ui",
    "pegasus.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP, Permissions-Policy, and no-store on every signed-in or API response; after WhiteNoise, so that static
    # files (which carry nothing confidential) stay cacheable.
    "pegasus.core.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads the body (the CSRF check does, in its process_view): refuses what is over the limits
    # below with a page that says so.
    "pegasus.core.request_limits.RequestLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pegasus.urls"
WSGI_APPLICATION = "pegasus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pegasus.web.context_processors.pegasus",
            ],
        },
    },
]

# --- Data --------------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'pegasus.sqlite3'}",
        conn_max_age=int(os.environ.get("PEGASUS_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; the timeout waits for a lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Long jobs (the lot optimiser, large imports) run in `pegasus db_worker` from the database queue; tests run them
# in the calling thread.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if PEGASUS_ENV == "test"
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Files shared by every app server and worker ---------------------------------------------------------
# Ticket uploads, stored ticket datasets and Part 2 attachments go through Django's default storage: a folder under
# var/media on one host (`filesystem`), or an S3-compatible bucket when several hosts serve Pegasus (`s3`; the
# credentials come from the standard AWS_* variables or the host's role). The bucket must not be public: files are
# read only through the pages that check who may read them. Readers that need a local path (DuckDB) use a copy in
# PEGASUS_CACHE_DIR (default var/cache), this host's own.
PEGASUS_STORAGE = os.environ.get("PEGASUS_STORAGE") or ("s3" if os.environ.get("PEGASUS_S3_BUCKET") else "filesystem")
if PEGASUS_STORAGE not in {"filesystem", "s3"}:
    raise ImproperlyConfigured(f"PEGASUS_STORAGE must be filesystem or s3, not {PEGASUS_STORAGE!r}")
PEGASUS_CACHE_DIR = os.environ.get("PEGASUS_CACHE_DIR", "")


def s3_storage_options(*, bucket: str, endpoint_url: str | None, region: str | None) -> dict:
    """django-storages S3 options: private objects, and a name already taken is never overwritten (a corrected
    decision shares its Part 2 attachments' files with the version it corrects)."""
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "max_memory_size": 2 * 1024 * 1024,  # a file read back (a Part 2 attachment) beyond 2 MB spools to disk
    }


if PEGASUS_STORAGE == "s3":
    if not os.environ.get("PEGASUS_S3_BUCKET"):
        raise ImproperlyConfigured("PEGASUS_S3_BUCKET must be set when PEGASUS_STORAGE=s3")
    FILE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_storage_options(
            bucket=os.environ["PEGASUS_S3_BUCKET"],
            endpoint_url=os.environ.get("PEGASUS_S3_ENDPOINT_URL"),
            region=os.environ.get("PEGASUS_S3_REGION"),
        ),
    }
else:
    FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # under MEDIA_ROOT

# --- Authentication and roles ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "pegasus.core.backends.PegasusBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # sends each role on to its own start page
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (`pegasus.core.throttle` has the rules): failures count per name and address together, so nobody
# can lock out another person; after PEGASUS_LOGIN_FAILURE_LIMIT of them in an hour each further try of that name from
# that address waits PEGASUS_LOGIN_RETRY_SECONDS after the last failure (the owner gets in once it has passed); and
# PEGASUS_LOGIN_ADDRESS_FAILURE_LIMIT failures an hour from one address, for any names, hold that address back.
AXES_FAILURE_LIMIT = env_int("PEGASUS_LOGIN_FAILURE_LIMIT", 5, minimum=1)
PEGASUS_LOGIN_RETRY_SECONDS = env_int("PEGASUS_LOGIN_RETRY_SECONDS", 60, minimum=0)
PEGASUS_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("PEGASUS_LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
AXES_COOLOFF_TIME = timedelta(hours=1)  # the window in which failures count
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "pegasus.core.sign_in.SignInThrottle"
AXES_RESET_ON_SUCCESS = True  # the name's count at that address only; the address's own count stands
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused tries test no password, so they do not count
AXES_LOCKOUT_CALLABLE = "pegasus.web.account.sign_in_locked"
# The client's address: REMOTE_ADDR, unless Pegasus runs behind PEGASUS_TRUSTED_PROXIES reverse proxies (a load
# balancer, then nginx: 2), each appending to X-Forwarded-For; the client is then the entry the outermost one added,
# and anything further left, which the client wrote, is ignored. Set it to exactly the number of proxies, and let no
# request reach Pegasus except through them; too high a number lets a client choose its own address. An IPv6 address
# counts as its /64, the block one subscriber is given.
PEGASUS_TRUSTED_PROXIES = env_int("PEGASUS_TRUSTED_PROXIES", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "pegasus.core.sign_in.request_client_address"
AXES_ENABLED = env_bool("PEGASUS_AXES_ENABLED", True)

# Sessions live in the database (every app server reads the same ones) so that signing out, a password change and
# disabling a user end them on the server; each row carries its user's id (`pegasus.core.sessions` says why). A page
# costs one query more than with signed cookies: the session's row. Expired rows go with `pegasus clearsessions`.
SESSION_ENGINE = "pegasus.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60

# --- Internationalisation ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION  # serve build/frontend directly outside production, no collectstatic
# What `node frontend/build.mjs` made (npm packages and the compiled stylesheet). In production `pegasus
# collectstatic --no-input` copies it and the apps' static files under hashed names into STATIC_ROOT and writes the
# manifest every page's {% static %} reads: without it every page answers 500 (a deploy check says so).
PEGASUS_FRONTEND_DIR = Path(os.environ.get("PEGASUS_FRONTEND_DIR") or BASE_DIR / "build" / "frontend")
STATICFILES_DIRS = [PEGASUS_FRONTEND_DIR]
# Source maps are read by a developer's browser tools, not by users: compressing them (6 MB) is most of the time
# collectstatic takes.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
STORAGES = {
    "default": FILE_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Security ----------------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("PEGASUS_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("PEGASUS_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("PEGASUS_CSRF_TRUSTED_ORIGINS", [])

# --- Uploads -----------------------------------------------------------------------------------------------
# Each upload has its own limits, stated on its form (pegasus.core.intake): 5 MB for estate and market-price
# imports, 10 MB for OCDS data, 20 MB for Part 2 papers, 500 MB for ticket files. A request body larger than the
# largest of them is refused before it is read; form fields without files are held in memory up to 2.5 MB, and a
# file above 2.5 MB is streamed to a temporary file rather than held in memory.
PEGASUS_MAX_REQUEST_BYTES = 501 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# --- Tests -------------------------------------------------------------------------------------------------
if PEGASUS_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test's client builds the middleware afresh, and WhiteNoise would index every static file each time (most
    # of a page test's time); it finds a file when one is asked for instead, as in development.
    WHITENOISE_AUTOREFRESH = True
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PEGASUS_LOG_LEVEL", "WARNING")},
}
