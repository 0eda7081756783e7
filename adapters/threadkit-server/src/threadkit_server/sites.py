"""Several sites on one server: which site a request is for, and each site's own threads.

A JSON API request's site is chosen by its ``Origin`` header (a request without
one, or from the server's own pages, is for the first site). Thread keys are
stored as ``<site id>:<key>``: the embed on ``https://a.example`` asks for
``post-42`` and reads and writes ``a.example:post-42``, so two sites' "post-42"
never meet. A comment id of another site's thread is a 404, and the
moderation queue and counts show only the request's site. Routes outside the
API (feeds, the moderation pages, emailed links) take and show the stored key.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request
from threadkit_flask import get_state
from threadkit_flask.bearer import request_origin
from threadkit_flask.inputs import comment_id, query_cursor
from threadkit_flask.views_json import json_response
from threadkit_flask.visitors import actor
from threadkit_flask.web import current_request
from threadkit_web.inputs import query_statuses

from threadkit.errors import NotFoundError, ValidationError
from threadkit.models import Identity
from threadkit.serialization import encode_public, shapes

from .config import ServerConfig, Site

__all__ = ["current_site", "install", "moderator_check"]

_SITE_KEY = "threadkit_server.site"
_KEY_ENDPOINTS = frozenset({"threadkit.api_thread", "threadkit.api_post"})
_ADMIN_PROVIDER = "admin"


def current_site(config: ServerConfig) -> Site:
    """Return the site of the current request: by its ``Origin``, else the first site."""
    cached = request.environ.get(_SITE_KEY)
    if isinstance(cached, Site):
        return cached
    site = config.site_for(request_origin()) or config.sites[0]
    request.environ[_SITE_KEY] = site
    return site


def moderator_check(config: ServerConfig) -> Callable[[Identity | None], bool]:
    """Return the ``is_moderator`` rule: the admin login, a global or the site's moderator."""

    def is_moderator(identity: Identity | None) -> bool:
        if identity is None:
            return False
        if identity.provider == _ADMIN_PROVIDER:
            return True
        allowed = set(config.moderators) | set(current_site(config).moderators)
        if identity.key in allowed:
            return True
        return identity.verified and bool(identity.email) and identity.email in allowed

    return is_moderator


def _is_api() -> bool:
    prefix = get_state().settings.url_prefix
    return request.path.startswith(prefix + "/api/")


def _namespace_keys(endpoint: str | None, values: dict[str, object] | None) -> None:
    if endpoint in _KEY_ENDPOINTS and values is not None and isinstance(values.get("key"), str):
        values["key"] = current_site(_config()).prefix + str(values["key"])


def _config() -> ServerConfig:
    from flask import current_app

    config: ServerConfig = current_app.extensions["threadkit_server"]
    return config


def _check_comment_site() -> None:
    """Answer a comment id from another site's thread as a missing comment (404)."""
    values = request.view_args or {}
    if not _is_api() or "comment_id" not in values:
        return
    try:
        wanted = comment_id(str(values["comment_id"]))
    except ValidationError:
        return  # the view answers the malformed id
    stored = get_state().engine.store.get_comment(wanted)
    if stored is not None and not stored.thread_key.startswith(current_site(_config()).prefix):
        raise NotFoundError("comment_not_found", f"There is no comment {wanted}.")


def api_counts() -> Response:
    """Return counts of this site's threads by the keys asked for: ``?thread=a&thread=b``."""
    keys = request.args.getlist("thread")
    if not keys:
        raise ValidationError("required", "Name at least one thread.", field="thread")
    prefix = current_site(_config()).prefix
    stored = get_state().engine.counts([prefix + key for key in keys])
    counts = {key: stored.get(prefix + key, 0) for key in keys}
    return json_response(encode_public(shapes.Counts(counts)))


def api_queue() -> Response:
    """Return this site's moderation queue (pending and spam by default), newest first."""
    state = get_state()
    rows = state.engine.queue(
        actor(),
        query_statuses(current_request()),
        limit=state.settings.queue_page_size,
        cursor=query_cursor(),
    )
    prefix = current_site(_config()).prefix
    mine = [comment for comment in rows.comments if comment.thread_key.startswith(prefix)]
    return json_response(encode_public(type(rows)(mine, rows.next_cursor), moderator=True))


def install(app: Flask, config: ServerConfig) -> None:
    """Choose each API request's site and keep every site's threads to itself."""
    app.extensions["threadkit_server"] = config
    app.url_value_preprocessor(_namespace_keys)
    app.before_request(_check_comment_site)
    app.view_functions["threadkit.api_counts"] = api_counts
    app.view_functions["threadkit.api_queue"] = api_queue
