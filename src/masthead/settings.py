"""Masthead settings.

What differs between a laptop and production comes from ``MASTHEAD_*`` environment variables,
each declared once below with what it does and its default. ``docs/settings.md`` lists them all
(a test keeps it in step).
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# MASTHEAD_VAR_DIR: where the SQLite database, media and caches live. Default: ./var
VAR_DIR = Path(_env("MASTHEAD_VAR_DIR", str(Path.cwd() / "var"))).resolve()

# MASTHEAD_DEBUG: Django's debug mode, for development only. Default: off.
DEBUG = _env_bool("MASTHEAD_DEBUG", False)

# MASTHEAD_PRODUCTION: production hardening (HTTPS-only cookies, HSTS, SSL redirect). Default: off.
PRODUCTION = _env_bool("MASTHEAD_PRODUCTION", False)

# MASTHEAD_SECRET_KEY: signing key; required in production. Default: a key kept in VAR_DIR.
SECRET_KEY = _env("MASTHEAD_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "MASTHEAD_PRODUCTION is on but MASTHEAD_SECRET_KEY is not set: "
            "set it to a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    _key_file = VAR_DIR / "secret_key"
    try:
        SECRET_KEY = _key_file.read_text().strip()
    except FileNotFoundError:
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        _key_file.write_text(SECRET_KEY)
        _key_file.chmod(0o600)

# MASTHEAD_ALLOWED_HOSTS: comma-separated host names the site answers to. Default: localhost names.
ALLOWED_HOSTS = [h.strip() for h in _env("MASTHEAD_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",") if h.strip()]

# MASTHEAD_SITE_URL: the public base URL, used in every absolute link (canonical, feeds, sitemaps,
# API). Default: the address `masthead serve` listens on (it sets this for its workers), else
# http://127.0.0.1:8000
SITE_URL = _env("MASTHEAD_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# MASTHEAD_SITE_NAME: the paper's name as readers see it. Default: Masthead Daily
SITE_NAME = _env("MASTHEAD_SITE_NAME", "Masthead Daily")

# MASTHEAD_DATABASE_URL: the database. Default: SQLite at VAR_DIR/masthead.sqlite3 (WAL mode).
DATABASES = {
    "default": dj_database_url.parse(
        _env("MASTHEAD_DATABASE_URL", f"sqlite:///{VAR_DIR / 'masthead.sqlite3'}"),
        conn_max_age=600,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    # WAL lets readers go on while a writer commits; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-masthead.sqlite3")}

# MASTHEAD_REPLICA_URL: a PostgreSQL streaming replica of the primary for anonymous readers' pages
# (masthead/replicas.py); editors, writes and commands use the primary. Default: none.
if _env("MASTHEAD_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(_env("MASTHEAD_REPLICA_URL"), conn_max_age=600)
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["masthead.replicas.Router"]
# MASTHEAD_REPLICA_MAX_LAG: the most a replica may lag, in seconds, and still serve reads; purges wait
# up to this long for the replica to replay a change. Default: 2.
REPLICA_MAX_LAG = float(_env("MASTHEAD_REPLICA_MAX_LAG", "2"))

# MASTHEAD_CACHE_URL: shared cache for pages and rate limits, e.g. redis://127.0.0.1:6379/0, and
# the channel that tells every process and host of a purge. Needed when several machines serve
# the site. Default: local memory of each process, purges told through a file in VAR_DIR.
_cache_url = _env("MASTHEAD_CACHE_URL")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    # Short socket timeouts: a Redis that is down must cost a reader milliseconds, not seconds (rediscache.py).
    CACHES = {"default": {"BACKEND": "masthead.rediscache.OutageTolerantRedisCache", "LOCATION": _cache_url,
                          "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}}}
elif _cache_url:
    raise ImproperlyConfigured(f"MASTHEAD_CACHE_URL={_cache_url!r} is not a redis:// URL; leave it empty for local memory.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 50000}}}

# MASTHEAD_PAGE_CACHE_SECONDS: how long an anonymous page may be served from the page cache
# without being purged. Publishing purges at once; this bounds everything else. Default: 300.
PAGE_CACHE_SECONDS = int(_env("MASTHEAD_PAGE_CACHE_SECONDS", "300"))

# MASTHEAD_PAGE_CACHE_BYTES: the most memory each server process gives to cached pages, in bytes;
# the least recently read pages go first. Default: 67108864 (64 MiB).
PAGE_CACHE_BYTES = int(_env("MASTHEAD_PAGE_CACHE_BYTES", str(64 << 20)))

# MASTHEAD_BROWSER_MAX_AGE: Cache-Control max-age for readers' browsers, in seconds. Default: 60.
BROWSER_MAX_AGE = int(_env("MASTHEAD_BROWSER_MAX_AGE", "60"))

# MASTHEAD_CDN_PURGE_URL: a CDN purge endpoint; each purge POSTs the surrogate keys there.
# Default: none (only the built-in page cache is purged).
MASTHEAD_PURGE = {"page-cache": {"BACKEND": "masthead.delivery.purge.pagecache"}}
if _env("MASTHEAD_CDN_PURGE_URL"):
    MASTHEAD_PURGE["cdn"] = {"BACKEND": "masthead.delivery.purge.http", "URL": _env("MASTHEAD_CDN_PURGE_URL")}
# MASTHEAD_VARNISH_URLS: comma-separated addresses of Varnish edges running deploy/varnish/masthead.vcl;
# each purge sends them one xkey PURGE naming the surrogate keys. Default: none.
if _env("MASTHEAD_VARNISH_URLS"):
    MASTHEAD_PURGE["varnish"] = {"BACKEND": "masthead.delivery.purge.varnish", "URLS": _env("MASTHEAD_VARNISH_URLS")}

# MASTHEAD_LIVE_POLL_SECONDS: how often an open live page asks for new updates, and how long
# every cache keeps that answer (one answer per time bucket for all readers). Default: 1
# (an update is on screen within about a second; bench/README.md, "Live coverage").
LIVE_POLL_SECONDS = max(1, int(_env("MASTHEAD_LIVE_POLL_SECONDS", "1")))

# MASTHEAD_LIVE_STREAMS: open live streams (Server-Sent Events, live/streams.py) each server process
# holds at most; past it a page is answered 503 with Retry-After and polls instead. A stream costs
# a socket and a few kB, no thread. Default: 10000 (the hard open-files limit must be above it).
LIVE_STREAMS = max(0, int(_env("MASTHEAD_LIVE_STREAMS", "10000")))

# MASTHEAD_FEED_FULL_TEXT: feeds carry each story's whole text, not only its summary. Default: on.
FEED_FULL_TEXT = _env_bool("MASTHEAD_FEED_FULL_TEXT", True)

# MASTHEAD_WEBSUB_HUB: a WebSub hub to notify when a story is published, changed or unpublished;
# feeds name it as their hub. Default: none.
WEBSUB_HUB = _env("MASTHEAD_WEBSUB_HUB")

# MASTHEAD_SITE_LOGO_URL: the paper's logo for structured data and link previews (at least 112 px
# wide, PNG or JPEG). Default: the bundled logo under /static/.
SITE_LOGO_URL = _env("MASTHEAD_SITE_LOGO_URL")

# MASTHEAD_SOURCE_URLS: the home pages of the agencies stories are credited to, as
# "Name=https://…" pairs separated by "|", e.g. "Press TV=https://www.presstv.ir|IRNA=https://en.irna.ir";
# structured data gives a story credited only to its source that organisation's address. Default: none.
SOURCE_URLS = dict(pair.split("=", 1) for pair in (p.strip() for p in _env("MASTHEAD_SOURCE_URLS").split("|"))
                   if "=" in pair)

# MASTHEAD_TWITTER_SITE: the paper's account for Twitter/X cards, e.g. @IranDaily. Default: none.
TWITTER_SITE = _env("MASTHEAD_TWITTER_SITE")
# MASTHEAD_COMMENTS_MODE: comments on articles without a mode of their own: open (shown at once),
# premoderated (a moderator approves each) or closed. Default: premoderated.
COMMENTS_MODE = _env("MASTHEAD_COMMENTS_MODE", "premoderated")
if COMMENTS_MODE not in {"open", "premoderated", "closed"}:
    raise ImproperlyConfigured(f"MASTHEAD_COMMENTS_MODE={COMMENTS_MODE!r}: use open, premoderated or closed.")

# MASTHEAD_COMMENT_MAX_LENGTH: the longest comment a reader may post, in characters. Default: 3000.
COMMENT_MAX_LENGTH = int(_env("MASTHEAD_COMMENT_MAX_LENGTH", "3000"))

# MASTHEAD_COMMENT_RATE_PER_IP: comments one address may post, COUNT/SECONDS. Default: 5/300.
COMMENT_RATE_PER_IP = _env("MASTHEAD_COMMENT_RATE_PER_IP", "5/300")

# MASTHEAD_COMMENT_RATE_PER_ARTICLE: comments one article may receive, COUNT/SECONDS. Default: 30/60.
COMMENT_RATE_PER_ARTICLE = _env("MASTHEAD_COMMENT_RATE_PER_ARTICLE", "30/60")

# MASTHEAD_CAPTCHA_FAILURES_PER_IP: wrong Security Keys one address may send before it must wait,
# COUNT/SECONDS (the brute-force throttle). Default: 10/600.
CAPTCHA_FAILURES_PER_IP = _env("MASTHEAD_CAPTCHA_FAILURES_PER_IP", "10/600")

# MASTHEAD_CAPTCHA_KEYS_PER_IP: new Security Keys (images) one address may ask for, COUNT/SECONDS. Default: 60/600.
CAPTCHA_KEYS_PER_IP = _env("MASTHEAD_CAPTCHA_KEYS_PER_IP", "60/600")

# MASTHEAD_CAPTCHA_SECONDS: how long a Security Key stays valid, in seconds. Default: 1200.
CAPTCHA_SECONDS = int(_env("MASTHEAD_CAPTCHA_SECONDS", "1200"))

# MASTHEAD_CAPTCHA_TEST_HOOK: serve each Security Key's answer at /comments/<id>/key/answer for
# browser tests. Refused when MASTHEAD_PRODUCTION is on. Default: off.
CAPTCHA_TEST_HOOK = _env_bool("MASTHEAD_CAPTCHA_TEST_HOOK", False)
if CAPTCHA_TEST_HOOK and PRODUCTION:
    raise ImproperlyConfigured("MASTHEAD_CAPTCHA_TEST_HOOK gives away every Security Key: it cannot be on with "
                               "MASTHEAD_PRODUCTION. Unset MASTHEAD_CAPTCHA_TEST_HOOK.")

# MASTHEAD_COMMENT_RETENTION_DAYS: after this many days `masthead prune_comments` erases comments'
# IP addresses and browsers and deletes rejected and spam comments. Default: 30.
COMMENT_RETENTION_DAYS = int(_env("MASTHEAD_COMMENT_RETENTION_DAYS", "30"))

# MASTHEAD_SERVER_THREADS: threads per server process that run Django; `masthead serve --threads`
# sets it. Request bodies are read before a thread is taken, so slow clients hold none. Default: 4.
SERVER_THREADS = int(_env("MASTHEAD_SERVER_THREADS", "4"))

# MASTHEAD_REQUEST_BODY_SECONDS: how long a client may take to send a request body (a comment, an
# upload) before it is answered 408. Default: 60.
REQUEST_BODY_SECONDS = float(_env("MASTHEAD_REQUEST_BODY_SECONDS", "60"))

# MASTHEAD_REQUEST_MAX_BYTES: the largest request body accepted, in bytes; larger ones are answered
# 413 before any of it is stored. Default: 104857600 (100 MiB, room for an e-paper PDF).
REQUEST_MAX_BYTES = int(_env("MASTHEAD_REQUEST_MAX_BYTES", "104857600"))

# MASTHEAD_CSP_IMAGE_HOSTS: space-separated origins, besides the site itself, that story images may
# load from under the readers' Content-Security-Policy (e.g. https://images.example.com for an
# imported archive whose images stayed on the old host). Default: none.
CSP_IMAGE_HOSTS = _env("MASTHEAD_CSP_IMAGE_HOSTS").split()

# MASTHEAD_PROXY_HOPS: how many proxies of our own stand in front of the app; the reader's address is
# taken from X-Forwarded-For that many entries from its end. Default: 0 (REMOTE_ADDR).
PROXY_HOPS = int(_env("MASTHEAD_PROXY_HOPS", "0"))

# MASTHEAD_SIGNIN_FAILURES_PER_ACCOUNT: failed newsroom sign-ins one account may take before every
# sign-in to it waits out the window, COUNT/SECONDS (OWASP ASVS 2.2.1: at most 100 an hour). Default: 5/300.
SIGNIN_FAILURES_PER_ACCOUNT = _env("MASTHEAD_SIGNIN_FAILURES_PER_ACCOUNT", "5/300")

# MASTHEAD_SIGNIN_FAILURES_PER_IP: failed newsroom sign-ins one address may make before it must wait,
# COUNT/SECONDS. Default: 20/3600.
SIGNIN_FAILURES_PER_IP = _env("MASTHEAD_SIGNIN_FAILURES_PER_IP", "20/3600")

# MASTHEAD_REQUIRE_2FA: editors, admins and superusers must sign in to the newsroom with a second
# factor (an authenticator app). Default: on with MASTHEAD_PRODUCTION, off otherwise.
REQUIRE_2FA = _env_bool("MASTHEAD_REQUIRE_2FA", PRODUCTION)

# MASTHEAD_API_TOKEN_DAYS: how many days a new API token works before it expires. Default: 90.
API_TOKEN_DAYS = int(_env("MASTHEAD_API_TOKEN_DAYS", "90"))

# Authenticator apps show the paper's name beside the account.
OTP_TOTP_ISSUER = SITE_NAME
# Wrong codes count in the sign-in throttle with wrong passwords (accounts/throttle.py); django-otp's own
# per-device back-off on top would refuse a right code typed a second after a wrong one.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The newsroom's device pages let a superuser remove a lost phone, never read its key or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# MASTHEAD_PG_BIN_DIR: the folder holding pg_dump, pg_restore and psql for `masthead backup` and
# `masthead restore` on PostgreSQL; they must match the server's major version.
# Default: /usr/lib/postgresql/<server major version>/bin (Debian's layout).
PG_BIN_DIR = _env("MASTHEAD_PG_BIN_DIR")

# MASTHEAD_EMAIL_URL: where mail goes out, smtp://user:pass@host:port (smtp+tls:// for STARTTLS,
# smtps:// for TLS from the start); the newsletter's confirmations and digests use it.
# Default: none (mail is written to files under VAR_DIR/mail, and nothing leaves the machine).
_email_url = _env("MASTHEAD_EMAIL_URL")
if _email_url:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(_email_url)
    if _email.scheme not in {"smtp", "smtp+tls", "smtps"} or not _email.hostname:
        raise ImproperlyConfigured(f"MASTHEAD_EMAIL_URL={_email_url!r} is not like smtp://user:pass@host:port "
                                   "(or smtp+tls://, smtps://).")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname
    EMAIL_PORT = _email.port or {"smtps": 465, "smtp+tls": 587}.get(_email.scheme, 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# MASTHEAD_EMAIL_FROM: the sender of the newsletter's mail, e.g. "Iran Daily <digest@iran-daily.com>".
# Default: "<MASTHEAD_SITE_NAME> <newsletter@localhost>".
EMAIL_FROM = _env("MASTHEAD_EMAIL_FROM", f"{SITE_NAME} <newsletter@localhost>")
DEFAULT_FROM_EMAIL = EMAIL_FROM

# MASTHEAD_PAPER_ADDRESS: the paper's postal address, printed in every newsletter's footer (the law
# in many countries asks for it in bulk mail). Default: none.
PAPER_ADDRESS = _env("MASTHEAD_PAPER_ADDRESS")

# MASTHEAD_NEWSLETTER_RATE_PER_IP: subscriptions one address may ask for, COUNT/SECONDS. Default: 10/3600.
NEWSLETTER_RATE_PER_IP = _env("MASTHEAD_NEWSLETTER_RATE_PER_IP", "10/3600")

# MASTHEAD_NEWSLETTER_RATE_PER_RECIPIENT: confirmation mails one mailbox may be sent, COUNT/SECONDS,
# so the form cannot be used to flood someone's inbox. Default: 3/86400.
NEWSLETTER_RATE_PER_RECIPIENT = _env("MASTHEAD_NEWSLETTER_RATE_PER_RECIPIENT", "3/86400")

# MASTHEAD_NEWSLETTER_CONFIRM_SECONDS: how long a confirmation link works, in seconds. Default: 172800 (two days).
NEWSLETTER_CONFIRM_SECONDS = int(_env("MASTHEAD_NEWSLETTER_CONFIRM_SECONDS", "172800"))

# MASTHEAD_ANYMAIL_WEBHOOK_SECRET: "user:password" a mail provider's webhook sends (basic auth) to report
# bounces and complaints at /newsletter/<provider>/tracking/; the webhooks answer 404 without it.
# MASTHEAD_MAILGUN_WEBHOOK_SIGNING_KEY: Mailgun's webhook signing key, checked on each of its calls.
# Default: none.
ANYMAIL = {key: value for key, value in {
    "WEBHOOK_SECRET": _env("MASTHEAD_ANYMAIL_WEBHOOK_SECRET"),
    "MAILGUN_WEBHOOK_SIGNING_KEY": _env("MASTHEAD_MAILGUN_WEBHOOK_SIGNING_KEY"),
}.items() if value}

# MASTHEAD_DIGEST_STORIES: how many stories the daily digest carries. Default: 8.
DIGEST_STORIES = int(_env("MASTHEAD_DIGEST_STORIES", "8"))

# MASTHEAD_DIGEST_CONNECTIONS: how many mail connections the digest is sent over at once, each with a
# thread of its own; a send killed half-way sends at most this many messages again. Default: 4
# (bench/README.md, "Several connections at once": 1, 2, 4 and 8 measured).
_digest_connections = _env("MASTHEAD_DIGEST_CONNECTIONS", "4").strip()
if not _digest_connections.isdigit() or int(_digest_connections) < 1:
    raise ImproperlyConfigured(f"MASTHEAD_DIGEST_CONNECTIONS={_digest_connections!r} is not a number of connections "
                               "(a whole number, 1 or more).")
DIGEST_CONNECTIONS = int(_digest_connections)

# MASTHEAD_READ_REPEAT_SECONDS: a reader's second read of a story within this many seconds is not
# counted again (recognised by a salted hash that is forgotten after the window). Default: 1800.
READ_REPEAT_SECONDS = int(_env("MASTHEAD_READ_REPEAT_SECONDS", "1800"))

# MASTHEAD_MOST_READ_SECONDS: how long the "Most read" and "Most commented" lists are kept before
# they are counted again, in seconds. Default: 300.
MOST_READ_SECONDS = int(_env("MASTHEAD_MOST_READ_SECONDS", "300"))

INSTALLED_APPS = [
    # Before the admin, so that its admin/base_site.html (the account link) is the one found.
    "masthead.accounts",
    "masthead.newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "masthead.delivery",
    "masthead.news",
    "masthead.newsroom.apps.NewsroomConfig",
    "masthead.media",
    "django.contrib.sitemaps",
    "masthead.syndication",
    "masthead.comments",
    "masthead.ingest",
    "masthead.epaper",
    "masthead.search.apps.SearchConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "masthead.backups",
    "masthead.newsletters",
    "masthead.live",

    "masthead.audience",
    "anymail",
]

MIDDLEWARE = [
    # First: a page-cache hit is answered here, before the rest of the stack runs.
    "masthead.delivery.middleware.DeliveryMiddleware",
    # Second: what is left may read from the replica when the reader is anonymous.
    "masthead.replicas.ReplicaMiddleware",
    # Before anything that resolves an address: /fa/ patterns match only while Persian is active.
    "masthead.editions.EditionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Inside the page cache, so that cached pages are stored with the policies; outside
    # WhiteNoise, so that static files (an SVG can hold script) carry them too; outside
    # XFrameOptionsMiddleware, whose header it follows for frame-ancestors.
    "masthead.delivery.policies.PolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "masthead.accounts.middleware.FirstTaskMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    # Readers' pages: Jinja2 (see masthead/templating.py), from masthead/jinja2/ and each app's jinja2/.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "masthead.templating.environment",
            "context_processors": ["masthead.news.context.site"],
        },
    },
    # The newsroom: Django's admin and its templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "masthead.news.context.site",
            ],
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
                )
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fa", "فارسی")]

# MASTHEAD_DIGEST_AT: when each edition's daily digest goes out, in GMT: "HH:MM" for every edition,
# or per edition "en=06:00,fa=02:30" (an edition left out goes at 06:00). `masthead send_digest
# --when-due` sends an edition's digest at its first run from that time on, once a day. Default: 06:00.
_digest_at = _env("MASTHEAD_DIGEST_AT", "06:00").strip()
DIGEST_AT = {code: (6, 0) for code, _name in LANGUAGES}
for _part in filter(None, (p.strip() for p in _digest_at.split(","))):
    _edition, _sep, _clock = _part.rpartition("=")
    _edition = _edition.strip()
    try:
        _hour, _minute = (int(n) for n in _clock.strip().split(":"))
        if not (0 <= _hour <= 23 and 0 <= _minute <= 59):
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(f"MASTHEAD_DIGEST_AT={_digest_at!r}: {_clock.strip()!r} is not a time of day "
                                   "like 06:00 (24-hour GMT)") from None
    if _sep and _edition not in DIGEST_AT:
        raise ImproperlyConfigured(f"MASTHEAD_DIGEST_AT={_digest_at!r}: there is no edition {_edition!r}; "
                                   f"the editions are {', '.join(DIGEST_AT)}")
    for _code in ([_edition] if _sep else list(DIGEST_AT)):
        DIGEST_AT[_code] = (_hour, _minute)

LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
# Dates Django renders itself (the newsroom's read-only fields, history, filters) in the house style.
FORMAT_MODULE_PATH = ["masthead.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Serve from the source folders too, so a checkout works before collectstatic has run.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "masthead.delivery.staticfiles.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# MASTHEAD_IMAGE_MAX_BYTES: the largest image file the media library accepts, in bytes. Default: 15000000.
IMAGE_MAX_BYTES = int(_env("MASTHEAD_IMAGE_MAX_BYTES", "15000000"))
# MASTHEAD_IMAGE_MAX_PIXELS: the largest image accepted, in pixels (width × height); guards against
# decompression bombs. Default: 50000000.
IMAGE_MAX_PIXELS = int(_env("MASTHEAD_IMAGE_MAX_PIXELS", "50000000"))
# MASTHEAD_EPAPER_WORKERS: how many processes render e-paper pages at once during an import
# (PDFium is not thread-safe, so pages are rendered in processes, not threads). Default: 2.
EPAPER_WORKERS = max(1, int(_env("MASTHEAD_EPAPER_WORKERS", "2")))
# MASTHEAD_IMAGE_SIZES: comma-separated WIDTHxHEIGHT sizes that renditions are made at (any other
# size answers 404, so no one can fill the disk). Default: 1300x731,980x551,650x365,480x270,320x180
_image_sizes = _env("MASTHEAD_IMAGE_SIZES", "1300x731,980x551,650x365,480x270,320x180")
if not re.fullmatch(r"\s*[1-9]\d{0,4}x[1-9]\d{0,4}\s*(,\s*[1-9]\d{0,4}x[1-9]\d{0,4}\s*)*,?\s*", _image_sizes):
    raise ImproperlyConfigured(f"MASTHEAD_IMAGE_SIZES={_image_sizes!r} is not a comma-separated list of "
                               "WIDTHxHEIGHT sizes in pixels, e.g. 1300x731,650x365,320x180.")
IMAGE_SIZES = [tuple(int(n) for n in size.strip().split("x")) for size in _image_sizes.split(",") if size.strip()]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

# Security: Django's protections on; production adds HTTPS-only cookies and HSTS.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("MASTHEAD_SSL_REDIRECT", True)  # MASTHEAD_SSL_REDIRECT: off behind a TLS-terminating proxy that already redirects. Default: on.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
