"""The routes of Isso 0.14's client, backed by the same engine, pipeline and store.

Every route takes and answers Isso's shapes (:mod:`.shapes`, mapped from
threadkit's models in :mod:`.mapping`); the mapping of identities, modes,
nesting and votes is documented in ``docs/isso.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, Response, current_app, request
from threadkit_flask import get_state
from threadkit_flask.feeds import ATOM_TYPE, atom_feed
from threadkit_flask.posting import author_for_post
from threadkit_flask.thread_policy import check_may_post
from threadkit_flask.visitors import actor, is_moderator, request_context

from threadkit.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ThreadkitError,
    ValidationError,
)
from threadkit.models import Actor, Comment, SortOrder, Submission
from threadkit.tree import TreeNode

from . import http
from .mapping import isso_comment, isso_latest
from .shapes import IssoComment, IssoConfig, IssoThread, IssoVotes

__all__ = ["blueprint"]

blueprint = Blueprint("isso", __name__)
"""The Isso-compatible API; threadkit-server mounts it at ``/isso``."""

_SORTS = {"oldest": SortOrder.OLDEST, "newest": SortOrder.NEWEST, "upvotes": SortOrder.TOP}


# --- where a request's threads live -------------------------------------------------


def _prefix() -> str:
    """Return the request's site's thread key prefix on threadkit-server (``""`` elsewhere)."""
    config = current_app.extensions.get("threadkit_server")
    if config is None:
        return ""
    from threadkit_server.sites import current_site

    return current_site(config).prefix


def _uri() -> str:
    uri = request.args.get("uri", "")
    if not uri:
        raise ValidationError("required", "Name the page: ?uri=/path/of/the/page", field="uri")
    return uri


def _comment(comment_id: int, viewer: Actor) -> Comment:
    """Return a comment of this site the viewer may see; another site's is missing (404)."""
    comment = get_state().engine.get_comment(comment_id, viewer)
    if not comment.thread_key.startswith(_prefix()):
        raise NotFoundError("comment_not_found", f"There is no comment {comment_id}.")
    return comment


def _whole_number(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise ValidationError(
            "invalid_limit", f"{name} must be a whole number (0 or more).", field=name
        )
    return int(raw)


def _public_config() -> IssoConfig:
    state = get_state()
    forms = state.form_providers()
    form = forms[0] if forms else None
    server = current_app.extensions.get("threadkit_server")
    return {
        "reply-to-self": False,
        "require-email": bool(getattr(form, "require_email", False)),
        "require-author": bool(getattr(form, "require_name", False)),
        "website-field": True,
        "reply-notifications": bool(getattr(server, "smtp_url", "")),
        "gravatar": False,
        "avatar": True,
        "feed": True,
    }


# --- reading ----------------------------------------------------------------------------


def _flatten(nodes: Iterable[TreeNode]) -> tuple[list[Comment], bool]:
    """Return every comment under ``nodes`` (depth first) and whether any replies were cut."""
    found: list[Comment] = []
    cut = False
    stack = list(reversed(list(nodes)))
    while stack:
        node = stack.pop()
        found.append(node.comment)
        cut = cut or node.more_replies > 0
        stack.extend(reversed(node.children))
    return found, cut


def _ordered(comments: list[Comment], sort: SortOrder) -> list[Comment]:
    if sort is SortOrder.NEWEST:
        return sorted(comments, key=lambda c: (c.created_at, c.id), reverse=True)
    if sort is SortOrder.TOP:
        return sorted(comments, key=lambda c: (c.downvotes - c.upvotes, c.created_at, c.id))
    return sorted(comments, key=lambda c: (c.created_at, c.id))


def _descendants(comment_id: int, viewer: Actor) -> list[Comment]:
    """Every reply under ``comment_id`` the viewer may see, at any depth (Isso shows one level)."""
    engine = get_state().engine
    found: list[Comment] = []
    cursor: str | None = None
    while True:
        page = engine.subtree(
            comment_id, viewer, cursor=cursor, total_limit=engine.policy.max_total_limit
        )
        found += _flatten(page.nodes)[0]
        cursor = page.next_cursor
        if cursor is None:
            return found


def _top_level(key: str, viewer: Actor, sort: SortOrder, wanted: int | None) -> list[TreeNode]:
    """Return the first ``wanted`` top-level comments (all: ``None``) with their replies."""
    engine = get_state().engine
    nodes: list[TreeNode] = []
    cursor: str | None = None
    while wanted is None or len(nodes) < wanted:
        page = engine.page(
            key,
            viewer,
            sort=sort,
            cursor=cursor,
            top_limit=engine.policy.max_top_limit,
            total_limit=engine.policy.max_total_limit,
        )
        nodes += page.nodes
        cursor = page.next_cursor
        if cursor is None:
            break
    return nodes


def _with_replies(
    node: TreeNode, viewer: Actor, sort: SortOrder, nested_limit: int | None
) -> IssoComment:
    replies, cut = _flatten(node.children)
    if cut:
        replies = _descendants(node.comment.id, viewer)
    replies = _ordered(replies, sort)
    shown = replies if nested_limit is None else replies[:nested_limit]
    item = isso_comment(node.comment)
    item["total_replies"] = len(replies)
    item["hidden_replies"] = len(replies) - len(shown)
    item["replies"] = [isso_comment(reply) for reply in shown]
    return item


@blueprint.get("/")
def fetch() -> Response:
    """Answer a thread's comments (``?uri=``), or one comment's replies (``&parent=``)."""
    key = _prefix() + _uri()
    sort = _SORTS.get(request.args.get("sort") or "oldest")
    if sort is None:
        raise ValidationError(
            "invalid_sort", "sort must be one of: newest, oldest, upvotes.", field="sort"
        )
    limit = _whole_number("limit")
    nested_limit = _whole_number("nested_limit")
    offset = _whole_number("offset") or 0
    parent = _whole_number("parent")
    viewer = actor()
    engine = get_state().engine
    empty = IssoThread(
        id=parent, total_replies=0, hidden_replies=0, replies=[], config=_public_config()
    )
    if engine.store.get_thread(key) is None:
        return http.answer(empty)
    if parent is not None:
        top = _comment(parent, viewer)
        if top.thread_key != key:
            raise NotFoundError("comment_not_found", f"Comment {parent} is not on {_uri()}.")
        replies = _ordered(_descendants(parent, viewer), sort)
        end = None if limit is None else offset + limit
        shown = replies[offset:end]
        return http.answer(
            IssoThread(
                id=parent,
                total_replies=len(replies),
                hidden_replies=max(0, len(replies) - len(shown) - offset),
                replies=[isso_comment(reply) for reply in shown],
                config=_public_config(),
            )
        )
    wanted = None if limit is None else offset + limit + 1  # one more: are there others?
    tops = _top_level(key, viewer, sort, wanted)
    end = None if limit is None else offset + limit
    shown_tops = tops[offset:end]
    known_tops = max(len(tops), engine.get_thread(key).top_level_count)
    items = [_with_replies(node, viewer, sort, nested_limit) for node in shown_tops]
    return http.answer(
        IssoThread(
            id=None,
            total_replies=sum(1 + item["total_replies"] for item in items)
            + max(0, known_tops - len(items)),
            hidden_replies=max(0, known_tops - len(shown_tops) - offset),
            replies=items,
            config=_public_config(),
        )
    )


@blueprint.get("/config")
def config() -> Response:
    """Answer the public configuration the client reads."""
    return http.answer({"config": _public_config()})


@blueprint.get("/id/<int:comment_id>")
def view(comment_id: int) -> Response:
    """One comment to its author or a moderator (``?plain=1``: its Markdown source, to edit)."""
    viewer = actor()
    comment = _comment(comment_id, viewer)
    if not viewer.moderator and viewer.key != comment.author.key:
        raise PermissionDeniedError("not_author", "Only its author may open a comment to edit.")
    shown = isso_comment(comment)
    if request.args.get("plain", "0") != "0":
        shown["text"] = comment.body_source
    return http.answer(shown)


# --- writing ----------------------------------------------------------------------------


def _object() -> dict[str, object]:
    data = http.json_value()
    if not isinstance(data, dict):
        raise ValidationError("not_object", "Send a JSON object.", field="$")
    return data


def _text(data: dict[str, object], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError("wrong_type", f"{name} must be a string or null.", field=name)
    return value


@blueprint.post("/new")
def new() -> Response:
    """Post a comment or a reply: 201 when published, 202 when held for moderation."""
    state = get_state()
    uri = _uri()
    key = _prefix() + uri
    data = _object()
    parent = data.get("parent")
    if parent is not None and (not isinstance(parent, int) or isinstance(parent, bool)):
        raise ValidationError("wrong_type", "parent must be an integer or null.", field="parent")
    if "text" not in data or data["text"] is None:
        raise ValidationError("required", "text is missing.", field="text")
    fields = {
        "name": _text(data, "author"),
        "email": _text(data, "email"),
        "url": _text(data, "website"),
    }
    check_may_post(state, key, None)
    author = author_for_post(state, fields)
    comment = state.engine.post(
        key,
        Submission(
            body=_text(data, "text"),
            parent_id=parent,
            notify_replies=data.get("notification") in (1, True),
        ),
        author,
        request_context(),
        moderator=is_moderator(),
        title=_text(data, "title"),
        url=uri,
    )
    shown = isso_comment(comment)
    response = http.answer(shown, 201 if shown["mode"] == 1 else 202)
    http.issue_cookie(response, comment.id, state.policy.edit_window)
    return response


@blueprint.put("/id/<int:comment_id>")
def edit(comment_id: int) -> Response:
    """Change a comment's text (its author within the edit window, or a moderator)."""
    state = get_state()
    viewer = actor()
    _comment(comment_id, viewer)
    data = _object()
    if "text" not in data or data["text"] is None:
        raise ValidationError("required", "text is missing.", field="text")
    comment = state.engine.edit(comment_id, _text(data, "text"), viewer)
    response = http.answer(isso_comment(comment))
    http.issue_cookie(response, comment.id, state.policy.edit_window)
    return response


@blueprint.delete("/id/<int:comment_id>")
def delete(comment_id: int) -> Response:
    """Delete a comment: ``null`` when it is gone, the placeholder (mode 4) when replies stay."""
    viewer = actor()
    _comment(comment_id, viewer)
    left = get_state().engine.delete(comment_id, viewer)
    response = http.answer(None if left is None else isso_comment(left))
    http.drop_cookie(response, comment_id)
    return response


def _vote(comment_id: int, value: int) -> Response:
    viewer = actor(create=True)
    comment = _comment(comment_id, viewer)
    try:
        comment = get_state().engine.vote(
            comment_id, viewer, 1 if value > 0 else -1, request_context()
        )
    except (PermissionDeniedError, ConflictError) as refused:
        # Isso answers a vote it does not count (one's own comment, a held one) with the
        # counts and why, still 200; too many votes stays a 429.
        return http.answer(
            IssoVotes(likes=comment.upvotes, dislikes=comment.downvotes, message=refused.message)
        )
    return http.answer(IssoVotes(likes=comment.upvotes, dislikes=comment.downvotes))


@blueprint.post("/id/<int:comment_id>/like")
def like(comment_id: int) -> Response:
    """Vote a comment up; answers its likes and dislikes."""
    return _vote(comment_id, 1)


@blueprint.post("/id/<int:comment_id>/dislike")
def dislike(comment_id: int) -> Response:
    """Vote a comment down; answers its likes and dislikes."""
    return _vote(comment_id, -1)


@blueprint.post("/count")
def count() -> Response:
    """Published-comment counts of the pages named by a JSON list of URIs, in its order."""
    uris = http.json_value()
    if not isinstance(uris, list) or not all(isinstance(uri, str) for uri in uris):
        raise ValidationError("wrong_type", "Send a JSON list of page URIs.", field="$")
    prefix = _prefix()
    counts = get_state().engine.counts([prefix + uri for uri in uris])
    return http.answer([counts.get(prefix + uri, 0) for uri in uris])


@blueprint.post("/preview")
def preview() -> Response:
    """Answer the HTML a comment's Markdown would become."""
    data = _object()
    if "text" not in data or data["text"] is None:
        raise ValidationError("required", "text is missing.", field="text")
    return http.answer({"text": get_state().engine.renderer.render(_text(data, "text"))})


@blueprint.get("/feed")
def feed() -> Response:
    """Answer the Atom feed of a page's newest published comments."""
    state = get_state()
    uri = _uri()
    key = _prefix() + uri
    thread = state.engine.store.get_thread(key)
    if thread is None:
        raise NotFoundError("thread_not_found", f"There are no comments on {uri} yet.")
    comments = state.engine.recent(
        min(state.settings.feed_limit, state.policy.max_recent), thread_key=key
    )
    document = atom_feed(
        feed_id=f"{request.host_url}isso/feed:{key}",
        title=f"Comments on {thread.title or uri}",
        self_url=request.url,
        alternate=None,
        comments=comments,
        threads={key: thread},
        updated=comments[0].created_at if comments else thread.created_at,
    )
    response = Response(document)
    response.headers["Content-Type"] = ATOM_TYPE
    return response


@blueprint.get("/latest")
def latest() -> Response:
    """Answer the site's newest published comments, ``?limit=N`` of them (required, 1 or more)."""
    limit = _whole_number("limit")
    if limit is None or limit < 1:
        raise ValidationError(
            "invalid_limit", "limit is required: a whole number, 1 or more.", field="limit"
        )
    state = get_state()
    prefix = _prefix()
    found = state.engine.recent(min(limit, state.policy.max_recent))
    return http.answer([isso_latest(c, prefix) for c in found if c.thread_key.startswith(prefix)])


_STYLESHEET = Path(__file__).with_name("isso.css")


@blueprint.get("/css/isso.css")
def stylesheet() -> Response:
    """Answer threadkit's stylesheet for Isso's markup (the client loads one from here)."""
    response = Response(_STYLESHEET.read_bytes(), mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


blueprint.before_request(http.check_request)
blueprint.after_request(http.cors)
blueprint.register_error_handler(ThreadkitError, http.isso_error)
