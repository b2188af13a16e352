"""Django settings, all from the environment (django-environ). See .env.example for every knob.

Embedded defaults run with nothing installed but Python: SQLite in ./var and Celery on the
kombu filesystem transport in ./var/broker. Production sets DATABASE_URL (PostgreSQL) and
CELERY_BROKER_URL (Redis).
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("CONNECTOR_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# "production" refuses to start on the fallback secret key or with DEBUG, and turns on secure
# cookies, the HTTPS redirect and HSTS (each can still be set below); "development" (the
# default) is the demo and the tests.
CONNECTOR_DEPLOYMENT = env.str("CONNECTOR_DEPLOYMENT", default="development").strip().lower()
if CONNECTOR_DEPLOYMENT not in ("development", "production"):
    raise ImproperlyConfigured(
        f"CONNECTOR_DEPLOYMENT must be development or production, not {CONNECTOR_DEPLOYMENT!r}"
    )
PRODUCTION = CONNECTOR_DEPLOYMENT == "production"
# The fallback key only exists so that a fresh checkout can run tests and the demo; bin/run
# writes a random one into .env and production must set its own.
_FALLBACK_SECRET_KEY = "insecure-development-key-set-DJANGO_SECRET_KEY"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _FALLBACK_SECRET_KEY
if PRODUCTION:
    if SECRET_KEY in (_FALLBACK_SECRET_KEY, "change-me") or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "CONNECTOR_DEPLOYMENT=production needs its own DJANGO_SECRET_KEY: at least 32 random "
            "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'. The "
            "fallback key is public: sessions signed with it can be forged."
        )
    if DEBUG:
        raise ImproperlyConfigured(
            "CONNECTOR_DEPLOYMENT=production refuses DJANGO_DEBUG=true: debug pages show settings "
            "and code to anyone who triggers an error."
        )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files, served from here: the API docs page loads nothing from a CDN.
    "drf_spectacular_sidecar",
    "connector",
    "stores",
    "fulfillment",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "connector.urls"
WSGI_APPLICATION = "connector.wsgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web share one SQLite file: WAL lets readers go on while one process
    # writes, IMMEDIATE transactions take the write lock up front (a deferred one that must
    # upgrade fails at once with "database is locked" instead of waiting), and the timeout
    # makes writers queue.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a web process or worker thread keeps its connection this many seconds
# instead of opening one per request or job (on PostgreSQL each is a new server process: with a
# few jobs per order that was a large share of the database's CPU). Checked before reuse, so a
# connection the server dropped is replaced, not an error. 0 closes after each (SQLite's default).
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DATABASE_CONN_MAX_AGE",
    default=60 if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" else 0,
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS only in production: plain http is redirected, and browsers are told (HSTS) to use https
# for a year. Behind a proxy that terminates TLS, set DJANGO_SECURE_PROXY_SSL_HEADER=true so that
# its X-Forwarded-Proto says the request was https (otherwise every request redirects).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The operations endpoints are called over the loopback or the private network by monitoring.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# Redis for the Acumatica request limiter shared by every process (connector/limits.py); without
# it the processes of this machine share a SQLite file under CONNECTOR_VAR_DIR.
REDIS_URL = env.str("REDIS_URL", default="")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    # The transport does not create its folders, and publishing into a missing one just hangs.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Otherwise kombu puts its exchange files in ./control, wherever the process started.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# A task lost with its worker goes back to the queue; our tasks are safe to run twice.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=16 * 60)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
# Which queue each job goes to: fulfillment/jobs.py ROUTES (set on the app in connector/celery.py).
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Connector ----------------------------------------------------------------------------------
# Fernet keys for stored Acumatica secrets, newest first. Required: without them the service
# refuses to start rather than store secrets it cannot read back.
CONNECTOR_CREDENTIALS_KEYS = env.list("CONNECTOR_CREDENTIALS_KEYS", default=[])
# The demo and the tests point stores at the sandbox on 127.0.0.1; production must not.
CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = env.bool(
    "CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS", default=False
)
ACUMATICA_CONNECT_TIMEOUT = env.float("ACUMATICA_CONNECT_TIMEOUT", default=10.0)
ACUMATICA_READ_TIMEOUT = env.float("ACUMATICA_READ_TIMEOUT", default=60.0)
# A whole answer must have arrived within this (a server dripping a byte now and then never trips
# the read timeout), and may be at most this long; longer ones are not read.
ACUMATICA_CALL_DEADLINE_SECONDS = env.float("ACUMATICA_CALL_DEADLINE_SECONDS", default=300.0)
ACUMATICA_MAX_ANSWER_BYTES = env.int("ACUMATICA_MAX_ANSWER_BYTES", default=64 * 1024 * 1024)
# How long a job waits for one of the licence seats the connector may use on an instance
# (its API users minus the reserve) before it stops and is tried again soon.
ACUMATICA_SEAT_WAIT_SECONDS = env.float("ACUMATICA_SEAT_WAIT_SECONDS", default=120.0)
# When the instances close an idle session (Acumatica's default is 10 minutes; an instance
# configured otherwise says so here): a killed worker's seat is counted until then.
ACUMATICA_SESSION_IDLE_SECONDS = env.float("ACUMATICA_SESSION_IDLE_SECONDS", default=600.0)
# Where the shared limiter and seats keep their counts: in Redis under this prefix (deployments
# sharing one Redis need different ones), else in this SQLite file.
ACUMATICA_LIMITS_PREFIX = env.str("ACUMATICA_LIMITS_PREFIX", default="connector:acumatica")
ACUMATICA_LIMITS_FILE = env.str(
    "ACUMATICA_LIMITS_FILE", default=str(VAR_DIR / "acumatica-limits.sqlite3")
)
SANDBOX_PORT = env.int("SANDBOX_PORT", default=8081)

# Order import and write-back: the one place these are defined, each with its default and what
# it means; fulfillment/importing/conf.py and fulfillment/writeback/conf.py only read them. Every
# one can be set in the environment under the same name (the default's type is the cast).
_FULFILLMENT_SETTINGS = {
    # Records per list request ($top).
    "FULFILLMENT_IMPORT_PAGE_SIZE": 500,
    # How far before the cursor each incremental scan starts again (late commits, ties, skew).
    "FULFILLMENT_IMPORT_LOOKBACK_SECONDS": 600,
    # A re-scan's dry run (shown before it is queued) reads at most this many records; the
    # re-scan itself reads them all.
    "FULFILLMENT_RESCAN_PREVIEW_MAX_RECORDS": 5000,
    # A run's hold on its store, renewed after each page: it only has to outlive one page (a
    # read timeout plus the limiter's wait), and bounds how long a killed worker blocks the store.
    "FULFILLMENT_IMPORT_LEASE_SECONDS": 300,
    # When more stores are due at one scheduler tick than this, the first this many are queued at
    # once and the rest spread (longest-waiting first, with jitter) over the spread that follows:
    # the scheduler's tick, so that they are all on their way before it looks again.
    "FULFILLMENT_SCHEDULE_BURST": 20,
    "FULFILLMENT_SCHEDULE_SPREAD_SECONDS": 25,
    # How long one import run waits in all for a busy instance (429, no slot in the shared
    # budget) before it stops with its cursor kept; below the task's soft time limit.
    "FULFILLMENT_IMPORT_BUSY_WAIT_SECONDS": 600,
    # After a failed run the scheduler waits base * 2^(failures - 1), at most cap.
    "FULFILLMENT_IMPORT_BACKOFF_BASE_SECONDS": 60,
    "FULFILLMENT_IMPORT_BACKOFF_CAP_SECONDS": 3600,
    # After a transient write-back failure the next attempt waits base * 2^(n-1) seconds (n =
    # failures in a row), at most cap, with jitter so that fulfillments that failed together
    # spread out.
    "FULFILLMENT_WRITEBACK_BACKOFF_BASE_SECONDS": 30,
    "FULFILLMENT_WRITEBACK_BACKOFF_CAP_SECONDS": 3600,
    # Transient failures in a row before the fulfillment is marked failed with the last cause.
    "FULFILLMENT_WRITEBACK_MAX_ATTEMPTS": 8,
    # The same Acumatica 500 message this many attempts in a row is a refusal, not a hiccup
    # (Acumatica answers business rules such as "cannot be confirmed" with 500 PXException).
    "FULFILLMENT_WRITEBACK_REFUSAL_REPEATS": 3,
    # A worker's hold on one fulfillment: longer than one attempt can last (a read timeout per
    # call, the confirm's polling), short enough that a killed worker's fulfillment resumes soon.
    "FULFILLMENT_WRITEBACK_LEASE_SECONDS": 600,
    # A write whose answer never came may still be running in Acumatica: its request queue
    # keeps a request up to 10 minutes (API.md §7). Until then nothing new is written for that
    # fulfillment (it may be looked for).
    "FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS": 600,
    # After a lost answer the next attempt looks for what the write made this soon: a write
    # that applied is finished in seconds; one not found waits out the window above.
    "FULFILLMENT_WRITEBACK_LOST_REPLY_RECHECK_SECONDS": 2,
    # How often a held fulfillment (no carrier mapping, store needs attention) is looked at again.
    "FULFILLMENT_WRITEBACK_HELD_RECHECK_SECONDS": 300,
    # ConfirmShipment's status URL: how often to poll it and for how long.
    "FULFILLMENT_WRITEBACK_CONFIRM_POLL_SECONDS": 1.0,
    "FULFILLMENT_WRITEBACK_CONFIRM_TIMEOUT_SECONDS": 120,
    # The units Acumatica keeps package weights and dimensions in (the company's weight and
    # linear UOM, shown on the Boxes form): the warehouse's figures are converted to these.
    "FULFILLMENT_WRITEBACK_WEIGHT_UOM": "LB",
    "FULFILLMENT_WRITEBACK_LENGTH_UOM": "IN",
    # Outbox rows the periodic sweep queues per run.
    "FULFILLMENT_WRITEBACK_DISPATCH_BATCH": 500,
    # A push notification also asks for a catch-up scan of the store's changes (it catches
    # what a notification Acumatica never delivered missed). It starts this many seconds after
    # the ask, at most one per store is on its way, and notifications arriving meanwhile share
    # it, so a busy store costs a scan a minute, not a scan per order.
    "FULFILLMENT_PUSH_CATCH_UP_SECONDS": 60,
    # One push import job per store is queued at a time; the notifications received while it
    # waits go with it. One queued longer than this is taken for lost (a broker or worker lost
    # it): the next notification, or the scheduler, queues another.
    "FULFILLMENT_PUSH_JOB_STALE_SECONDS": 300,
    # The largest push notification body accepted (413 above it).
    "FULFILLMENT_PUSH_MAX_BODY_BYTES": 1024 * 1024,
    # Events to the warehouse's webhooks (fulfillment/events): each POST's time limit (connect
    # and answer), the retries' back-off (full jitter: anywhere from 0 to base * 2^(n-1), at
    # most cap; a 429's Retry-After is honoured up to the cap), and how long a subscription may
    # fail (from its first failure after a success) before it is disabled with an alert.
    "FULFILLMENT_EVENTS_TIMEOUT_SECONDS": 5.0,
    "FULFILLMENT_EVENTS_BACKOFF_BASE_SECONDS": 2.0,
    "FULFILLMENT_EVENTS_BACKOFF_CAP_SECONDS": 3600.0,
    "FULFILLMENT_EVENTS_DISABLE_AFTER_SECONDS": 86400,
    # After a secret is rotated the previous one also signs (a second signature) this long.
    "FULFILLMENT_EVENTS_SECRET_GRACE_SECONDS": 86400,
    # Deliveries the periodic sweep re-queues per run.
    "FULFILLMENT_EVENTS_DISPATCH_BATCH": 1000,
}
for _name, _default in _FULFILLMENT_SETTINGS.items():
    globals()[_name] = env(_name, cast=type(_default), default=_default)

# --- Alerts and their emails (console/alerts.py, console/notify.py) -----------------------------
# EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.com:587) sends real mail; without it
# every email is written as a file under VAR_DIR/mail, so the demo's alerts can be read there.
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
    )
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="connector@localhost")
# Who gets alert emails besides active 3PL staff users with an email address.
CONNECTOR_ALERT_RECIPIENTS = env.list("CONNECTOR_ALERT_RECIPIENTS", default=[])
# New and closed alerts wait this long so one email carries many (critical ones: 60 s).
CONNECTOR_ALERT_EMAIL_BATCH_SECONDS = env.int("CONNECTOR_ALERT_EMAIL_BATCH_SECONDS", default=300)
# Links in emails start with this.
CONNECTOR_BASE_URL = env.str("CONNECTOR_BASE_URL", default="http://127.0.0.1:8000")

# --- Warehouse API (fulfillment/api) -------------------------------------------------------------
# Authentication and permissions are set on the API's views (API tokens); these are the rest.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["fulfillment.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fulfillment.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Acumatica ⇄ 3PL connector: warehouse API",
    "DESCRIPTION": (
        "Pull orders to ship, acknowledge them, post what shipped and follow its write-back to "
        "Acumatica. Authenticate with `Authorization: Token <key>`."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs describe the API, not anyone's data: readable without a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise fetch a validator badge from the internet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}
# Larger fulfillment bodies are refused with 413 before they are parsed.
FULFILLMENT_API_MAX_BODY_BYTES = env.int("FULFILLMENT_API_MAX_BODY_BYTES", default=1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Operations endpoints and call records (console.views.ops, stores.prune_calls) --------------
# Bearer token for /healthz and /metrics (monitoring, Prometheus). Empty: token access is off and
# only signed-in 3PL staff can open them.
CONNECTOR_OPS_TOKEN = env.str("CONNECTOR_OPS_TOKEN", default="")
# Acumatica call records (usage, "find any API call") are deleted after this many days.
CONNECTOR_CALL_RETENTION_DAYS = env.int("CONNECTOR_CALL_RETENTION_DAYS", default=14)
# /healthz reports the scheduler down when its last heartbeat (sent every 60 s) is older.
CONNECTOR_HEARTBEAT_MAX_AGE_SECONDS = env.int("CONNECTOR_HEARTBEAT_MAX_AGE_SECONDS", default=180)
# Reconciliation reports (console.reconciliation) are deleted after this many days; the daily
# reconciliation of each store looks back this many hours (a day and an hour's overlap).
CONNECTOR_RECONCILIATION_RETENTION_DAYS = env.int(
    "CONNECTOR_RECONCILIATION_RETENTION_DAYS", default=30
)
CONNECTOR_RECONCILIATION_WINDOW_HOURS = env.int("CONNECTOR_RECONCILIATION_WINDOW_HOURS", default=25)

# --- Credentials: hand-off links, secret age, abandoned drafts (stores.handoff, stores.drafts) ---
# The one-time link a 3PL sends a merchant to enter a draft store's credentials expires after
# this many hours.
CONNECTOR_HANDOFF_LINK_HOURS = env.int("CONNECTOR_HANDOFF_LINK_HOURS", default=72)
# The link's page answers this many requests per client IP, and per link, in each window; more
# get a 429 page (the Django cache counts them: set CACHE_URL to share it between processes).
CONNECTOR_HANDOFF_RATE_WINDOW_SECONDS = env.int(
    "CONNECTOR_HANDOFF_RATE_WINDOW_SECONDS", default=600
)
CONNECTOR_HANDOFF_MAX_REQUESTS_PER_IP = env.int("CONNECTOR_HANDOFF_MAX_REQUESTS_PER_IP", default=60)
CONNECTOR_HANDOFF_MAX_REQUESTS_PER_LINK = env.int(
    "CONNECTOR_HANDOFF_MAX_REQUESTS_PER_LINK", default=30
)
# The page's connection test panel polls its progress every second while a test runs: polls
# count apart, against this limit per link and window.
CONNECTOR_HANDOFF_MAX_POLLS_PER_LINK = env.int("CONNECTOR_HANDOFF_MAX_POLLS_PER_LINK", default=900)
# e.g. redis://127.0.0.1:6379/1; the default keeps counts in each process's memory.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://connector")}
# A store's Client Secret or password older than this many days gets one reminder email (to 3PL
# staff, CONNECTOR_ALERT_RECIPIENTS and the store's merchant users) and a warning on its page;
# 0: no reminders. Acumatica's shared secrets can be given an expiry date (SM303010).
CONNECTOR_SECRET_MAX_AGE_DAYS = env.int("CONNECTOR_SECRET_MAX_AGE_DAYS", default=90)
# Drafts never activated and untouched for this many days (a wizard given up) are deleted, audited
# (stores.drafts; daily). A draft waiting for, or given, the merchant's credentials link stays.
# 0: never.
CONNECTOR_DRAFT_ABANDONED_DAYS = env.int("CONNECTOR_DRAFT_ABANDONED_DAYS", default=30)
