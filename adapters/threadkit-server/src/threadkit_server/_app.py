"""Build the Flask app and the outbox worker from a resolved ``ServerConfig``."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask
from threadkit_flask import ThreadKit
from threadkit_flask.config import DEFAULT_CSP
from threadkit_sqlalchemy import DatabaseConfigurationError, SqlCommentStore

from threadkit.cache import PageCache
from threadkit.clock import SystemClock
from threadkit.engine import CommentEngine
from threadkit.identity import AnonymousProvider
from threadkit.moderation import default_pipeline
from threadkit.outbox import OutboxWorker
from threadkit.ports import IdentityProvider, ModerationStep, Notifier
from threadkit.signing import TokenSigner

from . import admin, console, embed, embed_i18n, isso, page_i18n, sites
from .config import ConfigError, ServerConfig

__all__ = ["build_notifiers", "build_worker", "create_app_from", "server_csp"]

ORIGIN_SETTING = "--site (THREADKIT_SERVER_SITES, or a [[sites]] table in the config file)"
"""What a 403 for an origin not on the list tells the site owner to change."""


def _secret(config: ServerConfig) -> str:
    if config.secret_key:
        return config.secret_key
    if config.dev:
        return secrets.token_urlsafe(32)
    raise ConfigError(
        "a secret key is required: set --secret-key or THREADKIT_SERVER_SECRET_KEY "
        "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'), "
        "or run with --dev for a throwaway one"
    )


def server_csp(config: ServerConfig) -> str:
    """Return the Content-Security-Policy of the server's pages: only the sites may frame them."""
    ancestors = " ".join(["'self'", *(site.origin for site in config.sites)])
    return DEFAULT_CSP.replace("frame-ancestors 'self'", f"frame-ancestors {ancestors}")


def _store(config: ServerConfig) -> SqlCommentStore:
    try:
        return SqlCommentStore(config.db, upgrade=config.upgrade)
    except DatabaseConfigurationError as error:
        raise ConfigError(f"{error} (or start once with --upgrade)") from None


def _page_cache(config: ServerConfig) -> PageCache | None:
    """Redis for the encoded public pages when ``--redis`` is given (else each worker's LRU).

    The key prefix names the database, so two servers sharing one Redis with
    different databases never serve each other's pages.
    """
    if not config.redis:
        return None
    try:
        from threadkit_flask.redis_cache import RedisPageCache
    except ImportError:
        raise ConfigError(
            "--redis is set but the redis package is not installed: "
            "pip install 'threadkit-flask[redis]'"
        ) from None
    database = hashlib.sha256(config.db.encode("utf-8")).hexdigest()[:12]
    try:
        return RedisPageCache.from_url(config.redis, prefix=f"threadkit:{database}:")
    except ValueError as error:
        raise ConfigError(f"--redis: {error}") from None


def _social(config: ServerConfig) -> list[IdentityProvider]:
    if not config.logins:
        return []
    try:
        from threadkit_social import providers_from_config
    except ImportError:
        raise ConfigError(
            "logins are configured but threadkit-social is not installed: "
            "pip install threadkit-social"
        ) from None
    try:
        return list(providers_from_config(config.logins, prefix=""))
    except ValueError as error:
        raise ConfigError(f"login settings: {error}") from None


def _akismet(config: ServerConfig, store: SqlCommentStore) -> list[ModerationStep]:
    if not config.akismet_key:
        return []
    try:
        from threadkit_akismet import DEFAULT_ENDPOINT, AkismetStep
    except ImportError:
        raise ConfigError(
            "an Akismet key is set but threadkit-akismet is not installed: "
            "pip install threadkit-akismet"
        ) from None
    # The key is checked with Akismet once, here (a wrong key stops the start).
    endpoint = config.akismet_endpoint or DEFAULT_ENDPOINT
    return [AkismetStep(config.akismet_key, config.sites[0].origin, store=store, endpoint=endpoint)]


def _smtp(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    security = {"smtp": "starttls", "smtps": "ssl", "smtp+plain": "none"}.get(parts.scheme)
    if security is None or not parts.hostname:
        raise ConfigError(
            f"--smtp-url must look like smtp://user:password@host:587 (or smtps://, "
            f"smtp+plain://), got {url!r}"
        )
    return {
        "host": parts.hostname,
        "port": parts.port,
        "security": security,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
    }


def build_notifiers(config: ServerConfig, store: SqlCommentStore, secret: str) -> list[Notifier]:
    """Return the email and webhook notifiers the configuration asks for (none: ``[]``)."""
    if not (config.smtp_url or config.webhook_url):
        return []
    try:
        import threadkit_notify as notify
    except ImportError:
        raise ConfigError(
            "notifications are configured but threadkit-notify is not installed: "
            "pip install threadkit-notify"
        ) from None
    found: list[Notifier] = []
    if config.smtp_url:
        if not config.mail_from:
            raise ConfigError("--smtp-url needs --mail-from (THREADKIT_SERVER_MAIL_FROM)")
        mailer = notify.SmtpMailer(**_smtp(config.smtp_url))
        links = notify.Links(TokenSigner(secret), config.base_url + config.url_prefix)
        if config.notify:
            found.append(
                notify.ModeratorEmailNotifier(
                    mailer, store, links, sender=config.mail_from, moderators=list(config.notify)
                )
            )
        replies = notify.ReplyEmailNotifier(mailer, store, links, sender=config.mail_from)
        thread = notify.ThreadEmailNotifier(
            mailer, store, links, sender=config.mail_from, replies=replies
        )
        found += [replies, thread]
    if config.webhook_url:
        if not config.webhook_secret:
            raise ConfigError(
                "--webhook-url needs --webhook-secret (THREADKIT_SERVER_WEBHOOK_SECRET)"
            )
        found.append(notify.WebhookNotifier(config.webhook_url, config.webhook_secret, store))
    return found


def build_worker(config: ServerConfig) -> OutboxWorker | None:
    """Return the outbox worker that delivers the configured notifications (``None``: none)."""
    secret = _secret(config)
    store = _store(config)
    notifiers = build_notifiers(config, store, secret)
    if not notifiers:
        return None
    return OutboxWorker(store, notifiers, clock=SystemClock())


def create_app_from(config: ServerConfig) -> Flask:
    """Build the comment server's Flask app from a resolved configuration."""
    if not config.sites:
        raise ConfigError(
            "no site is configured: add --site https://your.blog (THREADKIT_SERVER_SITES, "
            "or a [[sites]] table in the config file)"
        )
    secret = _secret(config)
    store = _store(config)
    # The link limit is a per-site setting (SiteRules reads it from the store on each post).
    site_rules = console.SiteRules(store)
    pipeline = default_pipeline(store, links=None, extra=[site_rules, *_akismet(config, store)])
    engine = CommentEngine(
        store, pipeline=pipeline, notifiers=build_notifiers(config, store, secret)
    )
    # No app static route: with the default URL prefix ("") it would shadow the Flask
    # adapter's /static (threadkit.css, login-handoff.js: the popup login's hand-off).
    app = Flask("threadkit_server", static_folder=None)
    app.secret_key = secret
    app.config.update(
        THREADKIT_BASE_URL=config.base_url,
        THREADKIT_URL_PREFIX=config.url_prefix,
        THREADKIT_CORS_ORIGINS=[site.origin for site in config.sites],
        THREADKIT_ORIGIN_SETTING=ORIGIN_SETTING,
        # Static pages cannot create threads first: any key of an allowed site takes comments.
        THREADKIT_THREAD_POLICY="any",
        THREADKIT_CSP=server_csp(config),
        THREADKIT_APP_SECURITY_HEADERS=True,
        THREADKIT_REDIS_URL=config.redis,
    )
    providers: list[IdentityProvider] = [AnonymousProvider()]
    if config.admin_password:
        providers.append(admin.provider())
    providers.extend(_social(config))
    ThreadKit(
        app,
        engine=engine,
        providers=providers,
        is_moderator=sites.moderator_check(config),
        page_cache=_page_cache(config),
    )
    sites.install(app, config)
    embed.install(app)
    embed_i18n.install(app)
    page_i18n.install(app)
    admin.install(app, config)
    console.install(app, config)
    isso.install(app)
    return app
