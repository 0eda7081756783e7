"""Every ``THREADKIT_*`` configuration key a web adapter reads, in one place.

:func:`read_settings` turns any mapping of settings (Flask's ``app.config``,
Django's ``django.conf.settings`` read into a dict) into a frozen
:class:`Settings`; the table in ``docs/flask.md`` lists the same keys.

The keys (all optional), with their defaults:

``THREADKIT_URL_PREFIX`` (``"/comments"``)
    Where every route lives; the JSON API is under ``<prefix>/api``.
``THREADKIT_MAX_BODY_BYTES`` (``None``: derived)
    Largest request body any threadkit route reads; bigger gets 413,
    chunked or not. By default ``threadkit.limits.request_cap`` of the
    engine's ``max_body_bytes``: room for any comment within the limit.
``THREADKIT_CSRF_HEADER`` (``"X-Threadkit-CSRF"``)
    Header that JSON writes carry the CSRF token in.
``THREADKIT_CORS_ORIGINS`` (empty)
    Origins (``"https://example.org"``) allowed to call the JSON API
    from the browser; empty turns CORS off. When set, an API request
    from a page on any other origin (but the app's own) gets 403
    ``origin_not_allowed``, and these origins may ask
    ``POST <prefix>/api/session`` for bearer tokens.
``THREADKIT_ORIGIN_SETTING`` (``"THREADKIT_CORS_ORIGINS"``)
    The setting that 403 tells the site owner to change.
``THREADKIT_TOKEN_TTL`` (30 days)
    How long a bearer token lives (timedelta or seconds).
``THREADKIT_CSP`` (:data:`DEFAULT_CSP`)
    Content-Security-Policy of threadkit's own responses (``""``: none).
``THREADKIT_EMBED_SECURITY_HEADERS`` (True)
    Also send that CSP and ``X-Content-Type-Options: nosniff`` with
    every host page that renders a thread and has none of its own.
``THREADKIT_APP_SECURITY_HEADERS`` (False)
    Send them with every response of the app that has none.
``THREADKIT_HARDEN_SESSION_COOKIE`` (True)
    With Flask's default session, make the cookie ``SameSite=Lax``
    when ``SESSION_COOKIE_SAMESITE`` is unset and ``Secure`` when the
    request came over https.
``THREADKIT_SECRET_KEY`` (the app's ``SECRET_KEY``)
    Signs moderation and unsubscribe links.
``THREADKIT_MODERATE_LINK_TTL`` (7 days), ``THREADKIT_UNSUBSCRIBE_LINK_TTL`` (365)
    How long emailed links stay valid (timedelta or seconds).
``THREADKIT_FEED_LIMIT`` (50) / ``THREADKIT_QUEUE_PAGE_SIZE`` (50)
    Entries per Atom feed and per moderation queue page.
``THREADKIT_INCLUDE_ASSETS`` (True)
    ``threadkit.thread()`` includes the stylesheet and script tags;
    set False and call ``threadkit.assets()`` in your ``<head>``.
``THREADKIT_BASE_URL`` (None: ``SERVER_NAME``)
    The site's origin (``"https://blog.example.org"``) that login
    callbacks, feed links and emailed links are built on; never
    taken from the request's ``Host`` header.
``THREADKIT_THREAD_POLICY`` (``"rendered"``)
    Which threads take comments: ``"rendered"`` (existing ones, or
    one a page rendered), ``"existing"``, ``"any"`` or a callable
    ``key -> bool``. See :mod:`threadkit_web.thread_policy`.
``THREADKIT_ALLOW_EMPTY_PIPELINE`` (False)
    Run an engine whose moderation pipeline has no steps.
``THREADKIT_RESERVED_NAMES`` (empty)
    Names (``["Demo Moderator", "Admin"]``) that an unverified
    commenter may not post under, nor anything that reads like them;
    given to the pipeline's ``ImpersonationGuard``.
``THREADKIT_LOCALE`` (None)
    The readers' language: a tag or a callable returning one (or
    ``None``). Unset: ``Accept-Language``, else English. The adapter reads
    it (the choice is per request), so it is not part of :class:`Settings`.

>>> read_settings({"THREADKIT_URL_PREFIX": "/c/", "THREADKIT_FEED_LIMIT": 20}).url_prefix
'/c'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import attrs

from .names import parse_reserved_names

__all__ = [
    "DEFAULT_CSP",
    "DEFAULTS",
    "THREAD_POLICIES",
    "Settings",
    "ThreadPolicy",
    "read_settings",
]

ThreadPolicy = str | Callable[[str], bool]
"""Which thread keys take comments: a name from :data:`THREAD_POLICIES`, or ``key -> bool``."""

THREAD_POLICIES = ("rendered", "existing", "any")
"""Named thread policies: threads a page rendered or that exist, only existing ones, any key."""

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' https: data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)
"""A Content-Security-Policy the bundled JavaScript and CSS work under (no inline code)."""

DEFAULTS: Mapping[str, Any] = {
    "THREADKIT_URL_PREFIX": "/comments",
    "THREADKIT_MAX_BODY_BYTES": None,
    "THREADKIT_CSRF_HEADER": "X-Threadkit-CSRF",
    "THREADKIT_CORS_ORIGINS": (),
    "THREADKIT_CSP": DEFAULT_CSP,
    "THREADKIT_EMBED_SECURITY_HEADERS": True,
    "THREADKIT_APP_SECURITY_HEADERS": False,
    "THREADKIT_HARDEN_SESSION_COOKIE": True,
    "THREADKIT_SECRET_KEY": None,
    "THREADKIT_MODERATE_LINK_TTL": timedelta(days=7),
    "THREADKIT_UNSUBSCRIBE_LINK_TTL": timedelta(days=365),
    "THREADKIT_FEED_LIMIT": 50,
    "THREADKIT_QUEUE_PAGE_SIZE": 50,
    "THREADKIT_INCLUDE_ASSETS": True,
    "THREADKIT_BASE_URL": None,
    "THREADKIT_THREAD_POLICY": "rendered",
    "THREADKIT_ALLOW_EMPTY_PIPELINE": False,
    "THREADKIT_RESERVED_NAMES": (),
    "THREADKIT_TOKEN_TTL": timedelta(days=30),
    "THREADKIT_ORIGIN_SETTING": "THREADKIT_CORS_ORIGINS",
}
"""Default value of every key; ``init_app`` fills in the ones the app left unset."""


@attrs.frozen
class Settings:
    """The extension's configuration for one app, read once by ``init_app``.

    ``url_prefix`` is where every route lives (JSON API under
    ``<prefix>/api``); ``max_body_bytes`` caps each request body (larger
    bodies get 413, chunked or not; ``None``: derived from the engine's comment
    limit by :func:`threadkit.limits.request_cap`); ``csrf_header`` is the header JSON
    writes carry the anti-CSRF token in; ``cors_origins`` is the allowlist
    that turns CORS on for the JSON API (empty: off); ``csp`` is the
    Content-Security-Policy sent with the extension's pages, with the host's
    pages that render a thread when ``embed_security_headers`` is true (the
    default) and with every response of the app when
    ``app_security_headers`` is true;
    ``harden_session_cookie`` makes the session cookie ``SameSite=Lax`` and
    ``Secure`` over https; ``secret_key`` signs emailed links (default: the
    app's ``SECRET_KEY``); the ``*_ttl`` values say how long those links live;
    ``feed_limit`` and ``queue_page_size`` size feeds and the moderation
    queue; ``include_assets`` makes ``threadkit.thread()`` emit the stylesheet
    and script tags itself; ``base_url`` is the origin absolute links are
    built from (``None``: ``SERVER_NAME``, never the request's ``Host``);
    ``thread_policy`` decides which thread keys accept comments;
    ``allow_empty_pipeline`` lets an engine without moderation steps run;
    ``reserved_names`` are names only a verified login may post under;
    ``token_ttl`` is how long a bearer token from ``POST <prefix>/api/session``
    lives; ``origin_setting`` is the setting a 403 for an origin not on
    ``cors_origins`` tells the site owner to change.
    """

    url_prefix: str = "/comments"
    max_body_bytes: int | None = None
    csrf_header: str = "X-Threadkit-CSRF"
    cors_origins: frozenset[str] = frozenset()
    csp: str = DEFAULT_CSP
    embed_security_headers: bool = True
    app_security_headers: bool = False
    harden_session_cookie: bool = True
    secret_key: str | bytes | None = None
    moderate_link_ttl: timedelta = timedelta(days=7)
    unsubscribe_link_ttl: timedelta = timedelta(days=365)
    feed_limit: int = 50
    queue_page_size: int = 50
    include_assets: bool = True
    base_url: str | None = None
    thread_policy: ThreadPolicy = "rendered"
    allow_empty_pipeline: bool = False
    reserved_names: tuple[str, ...] = ()
    token_ttl: timedelta = timedelta(days=30)
    origin_setting: str = "THREADKIT_CORS_ORIGINS"


def _seconds(value: object, key: str) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    raise TypeError(f"{key} must be a timedelta or a number of seconds, got {value!r}")


def _positive_int(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TypeError(f"{key} must be a positive integer, got {value!r}")
    return value


def _optional_positive_int(value: object, key: str) -> int | None:
    return None if value is None else _positive_int(value, key)


def _origins(value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = [value] if value else []
    if not isinstance(value, Iterable):
        raise TypeError(f"THREADKIT_CORS_ORIGINS must be a list of origins, got {value!r}")
    return frozenset(str(origin).rstrip("/") for origin in value)


def _base_url(value: object) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ValueError(
            "THREADKIT_BASE_URL must be the site's origin, such as 'https://blog.example.org' "
            f"(scheme and host, optional port, no path), got {value!r}"
        )
    return text


def _thread_policy(value: object) -> ThreadPolicy:
    if callable(value) or value in THREAD_POLICIES:
        return value
    raise ValueError(
        f"THREADKIT_THREAD_POLICY must be one of {', '.join(map(repr, THREAD_POLICIES))} "
        f"or a callable taking a thread key and returning a bool, got {value!r}"
    )


def read_settings(config: Mapping[str, Any]) -> Settings:
    """Build :class:`Settings` from a mapping of settings, with defaults for missing keys."""

    def get(key: str) -> Any:
        return config.get(key, DEFAULTS[key])

    def checked(check: Callable[[object, str], Any], key: str) -> Any:
        # Each check names the key in its error, so the site owner knows what to fix.
        return check(get(key), key)

    prefix = str(get("THREADKIT_URL_PREFIX")).rstrip("/")
    if prefix and not prefix.startswith("/"):
        raise ValueError(f"THREADKIT_URL_PREFIX must start with '/', got {prefix!r}")
    return Settings(
        url_prefix=prefix,
        max_body_bytes=checked(_optional_positive_int, "THREADKIT_MAX_BODY_BYTES"),
        csrf_header=str(get("THREADKIT_CSRF_HEADER")),
        cors_origins=_origins(get("THREADKIT_CORS_ORIGINS")),
        csp=str(get("THREADKIT_CSP")),
        embed_security_headers=bool(get("THREADKIT_EMBED_SECURITY_HEADERS")),
        app_security_headers=bool(get("THREADKIT_APP_SECURITY_HEADERS")),
        harden_session_cookie=bool(get("THREADKIT_HARDEN_SESSION_COOKIE")),
        secret_key=get("THREADKIT_SECRET_KEY"),
        moderate_link_ttl=checked(_seconds, "THREADKIT_MODERATE_LINK_TTL"),
        unsubscribe_link_ttl=checked(_seconds, "THREADKIT_UNSUBSCRIBE_LINK_TTL"),
        feed_limit=checked(_positive_int, "THREADKIT_FEED_LIMIT"),
        queue_page_size=checked(_positive_int, "THREADKIT_QUEUE_PAGE_SIZE"),
        include_assets=bool(get("THREADKIT_INCLUDE_ASSETS")),
        base_url=_base_url(get("THREADKIT_BASE_URL")),
        thread_policy=_thread_policy(get("THREADKIT_THREAD_POLICY")),
        allow_empty_pipeline=bool(get("THREADKIT_ALLOW_EMPTY_PIPELINE")),
        reserved_names=parse_reserved_names(get("THREADKIT_RESERVED_NAMES")),
        token_ttl=checked(_seconds, "THREADKIT_TOKEN_TTL"),
        origin_setting=str(get("THREADKIT_ORIGIN_SETTING")),
    )
