"""Settings for JusticeLib, read from the environment.

Defaults are safe for production (DEBUG off); development turns DEBUG on explicitly (`make dev`,
`make test`). HTTPS-only settings (redirect, secure cookies, HSTS) follow BEHIND_TLS_PROXY, so that
`make run` serves as production would yet still answers over plain HTTP on the loopback. Without
DATABASE_URL the app uses the private PostgreSQL cluster that `make db` runs inside the project,
on a Unix socket in var/postgres.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and os.environ.get("SECRET_KEY_FILE"):
    # A key kept in a file outside the repository: the Makefile generates var/secret_key once (mode
    # 0600) and names it here, so that sessions survive restarts without a key in the environment.
    # Settings only read it: generating a key belongs to whoever deploys, not to every import.
    key_file = Path(os.environ["SECRET_KEY_FILE"])
    try:
        SECRET_KEY = key_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ImproperlyConfigured(f"SECRET_KEY_FILE {key_file} cannot be read: {error}") from None
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY or SECRET_KEY_FILE (or DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "pgtrigger",
    "pghistory",
    "history",
    "studies",
    "evaluation",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: whether this request may read a replica.
    "justicelib.routers.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A page's language from its URL (/es/…), the admin's from the browser (justicelib/i18n.py).
    "justicelib.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Attaches the signed-in user and the URL to the history events a request writes.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the views' exceptions first: a database outage becomes a 503 page.
    "justicelib.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "justicelib.urls"
WSGI_APPLICATION = "justicelib.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "justicelib.i18n.language_alternates",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Without DATABASE_URL: the project's private cluster (see the Makefile's `db` target).
PRIVATE_CLUSTER_SOCKET_DIR = BASE_DIR / "var" / "postgres"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured(
            "JusticeLib runs on PostgreSQL only: DATABASE_URL must be postgres://"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("JUSTICELIB_DB_NAME", "justicelib"),
            "USER": "postgres",
            "HOST": str(PRIVATE_CLUSTER_SOCKET_DIR),
        }
    }
# Persistent connections: a new connection per request costs more than most of our queries.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Read replicas (README, "Scaling out"): DATABASE_REPLICA_URLS, comma-separated postgres:// URLs,
# become the aliases replica_1, replica_2, …; justicelib/routers.py sends a visitor's reads there
# and everything else to the primary. In the test suite each is a mirror of the test database.
for number, replica_url in enumerate(
    filter(None, (url.strip() for url in os.environ.get("DATABASE_REPLICA_URLS", "").split(","))),
    start=1,
):
    replica = dj_database_url.parse(replica_url)
    if not replica["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must be postgres:// URLs")
    DATABASES[f"replica_{number}"] = replica
for alias, database in DATABASES.items():
    database.setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    database.setdefault("CONN_HEALTH_CHECKS", True)
    if alias != "default":
        database["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["justicelib.routers.PrimaryReplicaRouter"]
# How long after a browser's write its reads stay on the primary (a replica's lag, with margin).
REPLICA_LAG_SECONDS = int(os.environ.get("REPLICA_LAG_SECONDS", "5"))
if os.environ.get("TEST_DB_NAME"):
    # Lets several test runs share one server without sharing a test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

# Each gunicorn worker's own memory cache: cached facet counts and visitors' list pages (keyed by
# the library version, so never stale; studies/pagecache.py). A list page is 30–60 KB: 2,000
# pages are at most ~100 MB a worker. Several web hosts would share one cache instead (README,
# "Scaling out").
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "2000"))},
    }
}
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# History (django-pghistory): requests that write get a context (reads need none), and each
# event keeps the moment it was written rather than its transaction's start, so that the events
# of one save are ordered.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English (British spelling) unprefixed, Spanish under /es/ for readers in Guatemala and the
# Dominican Republic (justicelib/urls.py). The interface's catalogue is locale/es; its compiled
# .mo is committed, since CI installs no gettext (tests/i18n checks the two agree).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish numbers as Guatemala and the Dominican Republic write them: Django's `es` formats use a
# decimal comma (Spain's usage), but both countries use a decimal point and a thousands comma
# (“1,234.5”); dates stay Django's Spanish ones (“septiembre de 2023”).
FORMAT_MODULE_PATH = ["justicelib.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Overridable so that a test can serve collected files as production does without touching these.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    # Uploads are stored under generated names, never the uploader's (studies/files.py).
    "default": {"BACKEND": "studies.files.GeneratedNameStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; plain files while developing and testing.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# HTTPS-only behaviour needs HTTPS: on when a proxy terminates TLS (and says so in
# X-Forwarded-Proto), off otherwise, whatever DEBUG is. `make run` (DEBUG off, plain HTTP on the
# loopback) leaves it off; the README's production variables turn it on, and with them
# `check --deploy` is clean (tests/test_deploy.py).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS_PROXY)
SESSION_COOKIE_SECURE = BEHIND_TLS_PROXY
CSRF_COOKIE_SECURE = BEHIND_TLS_PROXY
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if BEHIND_TLS_PROXY else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = BEHIND_TLS_PROXY
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Hostile input: uploaded files, Content-Security-Policy, login throttling ------------------
# (one block, so that it merges cleanly with other changes to this file)
import datetime  # noqa: E402 -- imports kept inside this block on purpose

from django.utils.csp import CSP  # noqa: E402

# Study files: the largest PDF accepted (bytes). Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE
# (Django's default, 2.5 MB) are streamed to a temporary file, never held in memory; a proxy in
# front should also cap request bodies (nginx: client_max_body_size) a little above this.
STUDY_FILE_MAX_BYTES = int(os.environ.get("STUDY_FILE_MAX_BYTES", str(100 * 1024 * 1024)))

# Every page: no inline script or style, nothing from other origins, no framing. Django fills in
# the header (django.middleware.csp); study files get a stricter one in their view.

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
    "justicelib.security.PermissionsPolicyMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")
# Browser features the site never uses, refused for it and anything it might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, or
# from one address, the admin login refuses for AXES_COOLOFF_TIME and says so; attempts are kept
# in the database, so every gunicorn worker sees the same count.
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one alone locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "justicelib.security.locked_out_response"
# The client's address: X-Forwarded-For only behind our own proxy, which appends the address it
# saw (the last entry); otherwise anyone could pick an address per attempt and never be locked.
TRUST_X_FORWARDED_FOR = env_bool("BEHIND_TLS_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "justicelib.security.client_ip_address"

# --- Interoperability: the site's own address, OAI-PMH --------------------------------------
# (one block, so that it merges cleanly with other changes to this file)
# Every absolute URL the site hands out (feeds, sitemap, robots.txt, JSON-LD, citations, OAI-PMH
# identifiers, Link headers) starts with SITE_URL, never with the request's Host header: a record
# harvested once keeps its address, and a forged Host cannot plant links to another site.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Named in OAI-PMH's Identify (required there); webmaster@<SITE_URL's host> when unset.
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
INSTALLED_APPS.append("oai")
# The organisation in each program's IATI activity (/programs/<slug>/iati.xml): its registered
# IATI organisation identifier and name. The default marks the file as not yet registered.
IATI_ORGANISATION_REF = os.environ.get("IATI_ORGANISATION_REF", "XX-UNREGISTERED")
IATI_ORGANISATION_NAME = os.environ.get("IATI_ORGANISATION_NAME", "").strip() or "JusticeLib"

# --- Search index (searchindex app) ----------------------------------------------------------
# (one block, so that it merges cleanly with other changes to this file)
# Who answers the public list's matching, ranking and facet counts: "postgres" (the database's
# own search) or "tantivy" (an index in SEARCH_INDEX_DIR derived from PostgreSQL, kept current
# by `manage.py search_index_worker`; PostgreSQL answers whatever it cannot).
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "tantivy")
if SEARCH_BACKEND not in ("postgres", "tantivy"):
    raise ImproperlyConfigured(f"SEARCH_BACKEND is {SEARCH_BACKEND!r}: use postgres or tantivy.")
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", BASE_DIR / "var" / "search-index"))
# An outbox entry older than this (seconds) means the worker is down: PostgreSQL answers then.
SEARCH_INDEX_MAX_LAG = float(os.environ.get("SEARCH_INDEX_MAX_LAG", "60"))
# Apply pending outbox entries before each search, in the request's own transaction: for the
# test suite, whose writes never commit (never in production).
SEARCH_INDEX_SYNC = False
INSTALLED_APPS.append("searchindex")
