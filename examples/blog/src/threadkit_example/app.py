"""The example blog's app factory: Flask + threadkit on SQLite, seeded once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, abort, render_template
from threadkit_flask import ThreadKit
from threadkit_flask.visitors import current_identity
from threadkit_sqlalchemy import SqlCommentStore

from threadkit import Identity
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.identity import AnonymousProvider
from threadkit.moderation import FloodControl, KeywordList, LinkLimit, Pipeline, default_pipeline
from threadkit.ports import IdentityProvider, ModerationStep

from .demo_login import MODERATOR_KEY, DemoLoginProvider, register_demo_login_views
from .posts import POSTS, find_post
from .seed import seed
from .settings import Settings, load_settings

__all__ = ["create_app"]

SITE_NAME = "Crumb & Spoke"

comments = ThreadKit()


def _providers(settings: Settings) -> list[IdentityProvider]:
    providers: list[IdentityProvider] = [AnonymousProvider(require_name=True, require_email=False)]
    if settings.social:
        from threadkit_social import from_settings

        providers += from_settings(settings.social)
    else:
        providers.append(DemoLoginProvider(settings.secret_key))
    return providers


def _extra_steps(settings: Settings) -> list[ModerationStep]:
    if not settings.akismet_key:
        return []
    from threadkit_akismet import AkismetStep

    return [AkismetStep.from_key(settings.akismet_key, blog=settings.akismet_blog)]


def _is_moderator(identity: Identity | None) -> bool:
    return identity is not None and identity.key == MODERATOR_KEY


def create_app(
    config: Mapping[str, Any] | None = None, *, env: Mapping[str, str] | None = None
) -> Flask:
    """Build the example blog; ``config`` overrides Flask settings, ``env`` the environment."""
    settings = load_settings(env)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        THREADKIT_APP_SECURITY_HEADERS=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(config or {})

    store = SqlCommentStore(settings.database_url, upgrade=True)
    pipeline = default_pipeline(
        store,
        flood=FloodControl(
            store,
            per_ip_seconds=settings.flood_seconds,
            per_identity_seconds=settings.flood_seconds,
        ),
        keywords=KeywordList(hold=settings.hold_words, spam=settings.spam_words),
        links=LinkLimit(max_links=settings.max_links),
        extra=_extra_steps(settings),
    )
    # Small pages, so the long thread shows paging and "more replies" at work.
    policy = EnginePolicy(top_limit=10, total_limit=100)
    engine = CommentEngine(store, pipeline=pipeline, policy=policy)
    # Seeding writes through the same rules, minus the checks meant for strangers.
    seed(CommentEngine(store, pipeline=Pipeline()), long_thread_size=settings.seed_long_thread)

    providers = _providers(settings)
    notices: list[tuple[str, str | None]] = []
    if settings.akismet_key:
        from threadkit_akismet import PRIVACY_NOTICE, PRIVACY_URL

        notices.append((PRIVACY_NOTICE, PRIVACY_URL))
    comments.init_app(
        app, engine=engine, providers=providers, is_moderator=_is_moderator, notices=notices
    )
    for provider in providers:
        if isinstance(provider, DemoLoginProvider):
            register_demo_login_views(app, provider)

    @app.context_processor
    def site() -> dict[str, Any]:
        return {"site_name": SITE_NAME, "is_moderator": _is_moderator(current_identity())}

    @app.get("/")
    def index() -> str:
        return render_template("index.html", posts=POSTS)

    @app.get("/posts/<slug>")
    def show_post(slug: str) -> str:
        post = find_post(slug)
        if post is None:
            abort(404)
        return render_template("post.html", post=post)

    app.extensions["threadkit_example"] = {"store": store, "settings": settings}
    return app
