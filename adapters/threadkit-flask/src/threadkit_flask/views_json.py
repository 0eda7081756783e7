"""The JSON API under ``<prefix>/api``: read, post, reply, edit, delete, vote, moderate.

Shapes are :mod:`threadkit.serialization`'s public ones (the moderator view for
moderation routes). Every write needs ``Content-Type: application/json`` (when
it has a body) and the session's CSRF token in the CSRF header; ``GET
<prefix>/api/me`` hands the token out. Errors are ``application/problem+json``.
Every endpoint name starts with ``api_``; ``openapi.py`` describes each one.

Pages on another origin (listed in ``THREADKIT_CORS_ORIGINS``) ask ``POST
<prefix>/api/session`` for a bearer token and send it as ``Authorization:
Bearer <token>`` instead of a cookie and a CSRF token (:mod:`.bearer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, json, request
from threadkit_web import api
from threadkit_web import bearer as web_bearer
from threadkit_web import inputs as web_inputs
from threadkit_web import page_cache as web_cache
from threadkit_web.inputs import MAX_QUERY_LIMIT
from threadkit_web.state import WebState
from werkzeug.exceptions import HTTPException

from threadkit.models import Identity
from threadkit.serialization import encode_public, shapes

from . import bearer, csrf, inputs, page_cache, posting, problems, visitors
from .rendering import FlaskVisit
from .responses import ApiResponse
from .state import get_state
from .web import current_request

__all__ = ["JSON_TYPE", "MAX_QUERY_LIMIT", "json_response", "register", "session_token"]

JSON_TYPE = api.JSON_TYPE
"""Content-Type of every JSON API response that is not a problem."""

_OWN_HEADERS = frozenset({"content-type", "cache-control", "content-length"})


def json_response(
    payload: bytes | Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Wrap JSON bytes (or plain JSON values) in a UTF-8 JSON response."""
    if not isinstance(payload, bytes):
        payload = json.dumps(payload).encode("utf-8")
    # Every header given at construction, in the order setting them one by one
    # would leave (the length as the body sets it, then ``headers``): Werkzeug
    # raises (and catches) an exception for each header it looks for and does
    # not find, and checks each again when it is set.
    listed = [
        ("Content-Type", JSON_TYPE),
        ("Cache-Control", "no-store"),
        ("Content-Length", str(len(payload))),
    ]
    extra = headers or {}
    # keys(): a Werkzeug ``Headers`` handed in iterates as (name, value) pairs.
    names = {name.lower() for name in extra.keys()}  # noqa: SIM118  # see above
    if len(names) == len(extra) and names.isdisjoint(_OWN_HEADERS):
        listed.extend(extra.items())  # none replaces another: appended, as setting would
        extra = {}
    response = ApiResponse(None, status=status, headers=listed)
    response.response = [payload]  # what ``set_data`` keeps; its length is listed above
    for name, value in extra.items():
        response.headers[name] = value
    return response


def _answer(answer: api.Answer) -> Response:
    return json_response(answer.body, answer.status, answer.headers)


def _check_write(state: WebState, *, has_body: bool = True) -> dict[str, object]:
    """CSRF header check, then the JSON body (``{}`` for body-less writes)."""
    csrf.check_header(state.settings.csrf_header)
    return inputs.json_body() if has_body else {}


def _visit(state: WebState) -> FlaskVisit:
    return FlaskVisit(state)


def _idempotency_key() -> str | None:
    return current_request().header(posting.IDEMPOTENCY_HEADER)


def _shared_json(page: web_cache.PageRead) -> Response:
    """Answer a public reader from the page cache: 304 on a matching ETag, else the bytes."""
    tag, body = page_cache.cached_page(page)
    if body is None:
        return page_cache.not_modified(tag.etag, shared=True)
    return page_cache.public_headers(json_response(body), tag.etag, shared=True)


def api_thread(key: str) -> Response:
    """One page of a thread, as a tree (public readers get it from the page cache)."""
    state = get_state()
    query = api.ThreadQuery.read(current_request())
    actor = visitors.actor()
    if not page_cache.is_public_reader(actor):
        return json_response(api.thread_page(state, actor, key, query))
    return _shared_json(web_cache.public_thread(state, actor, key, query))


def api_post(key: str) -> Response:
    """Post a top-level comment (or a reply, with ``parent_id``) to a thread."""
    state = get_state()
    data = _check_write(state)
    return _answer(api.post(state, _visit(state), key, data, _idempotency_key()))


def api_preview() -> Response:
    """Render a comment's Markdown as posting would show it, storing nothing."""
    state = get_state()
    data = _check_write(state)
    return _answer(api.preview(state, data))


def api_comment(comment_id: str) -> Response:
    """One comment the reader may see."""
    state = get_state()
    return _answer(api.comment(state, _visit(state), comment_id))


def api_replies(comment_id: str) -> Response:
    """Return the replies under one comment ("N more replies"), as a tree.

    Public readers get it from the page cache, keyed by the thread's version.
    """
    total_limit = web_inputs.query_limit(current_request(), "total_limit")
    cid = inputs.comment_id(comment_id)
    cursor = inputs.query_cursor()
    actor = visitors.actor()
    state = get_state()
    page = (
        web_cache.public_replies(state, actor, cid, cursor, total_limit)
        if page_cache.is_public_reader(actor)
        else None
    )
    if page is None:  # not public, or no such comment (the engine answers 404)
        return json_response(api.replies_page(state, actor, cid, cursor, total_limit))
    return _shared_json(page)


def api_reply(comment_id: str) -> Response:
    """Reply to one comment (its thread is the parent's)."""
    state = get_state()
    data = _check_write(state)
    return _answer(api.reply(state, _visit(state), comment_id, data, _idempotency_key()))


def api_edit(comment_id: str) -> Response:
    """Change a comment's text (author within the edit window, or a moderator)."""
    state = get_state()
    data = _check_write(state)
    return _answer(api.edit(state, _visit(state), comment_id, data))


def api_delete(comment_id: str) -> Response:
    """Delete a comment; the answer holds the placeholder left for its replies, or null."""
    state = get_state()
    _check_write(state, has_body=False)
    return _answer(api.delete(state, _visit(state), comment_id))


def api_vote(comment_id: str) -> Response:
    """Vote a comment up (1), down (-1) or withdraw the vote (0)."""
    state = get_state()
    data = _check_write(state)
    return _answer(api.vote(state, _visit(state), comment_id, data))


def api_moderate(comment_id: str) -> Response:
    """Apply a moderator's decision: approve, spam, ham (not spam) or delete."""
    state = get_state()
    data = _check_write(state)
    return _answer(api.moderate(state, _visit(state), comment_id, data))


def api_queue() -> Response:
    """Return the moderation queue (pending and spam comments by default), newest first."""
    state = get_state()
    return _answer(api.queue(state, _visit(state)))


def api_counts() -> Response:
    """Published-comment counts for many threads at once: ``?thread=a&thread=b``."""
    return _answer(api.counts(get_state(), current_request()))


def _csrf_token() -> str:
    """Return this session's CSRF token; ``""`` for a bearer-token request, which needs none."""
    return "" if bearer.has_bearer() else csrf.token()


def api_me() -> Response:
    """Who the reader is, whether they moderate, their CSRF token and the login choices."""
    state = get_state()
    return _answer(api.me(state, _visit(state), _csrf_token()))


def session_token(token: str, identity: Identity | None) -> shapes.SessionToken:
    """Return the answer that hands ``token`` (of ``identity``, or anonymous) to another origin.

    Its ``csrf_token`` is empty: a bearer-token request needs none.
    """
    state = get_state()
    return web_bearer.session_answer(state, _visit(state), token, identity)


def api_session() -> Response:
    """Give a page on an allowed origin a bearer token: a new anonymous one, or a renewal.

    No CSRF token is asked for: the answer is a token bound to the calling
    page's origin, and nothing of any cookie session is read or returned.
    """
    state, wrapped = get_state(), current_request()
    web_bearer.token_origin(state, wrapped)  # an unlisted page's 403 comes before the body
    if request.content_length:
        inputs.json_body()  # an optional, empty JSON object: still checked like any other
    token, identity = web_bearer.grant(state, wrapped)
    return json_response(encode_public(session_token(token, identity)))


def api_logout() -> Response:
    """Forget the redirect login and the remembered anonymous details."""
    _check_write(get_state(), has_body=False)
    visitors.forget_login()
    return json_response(encode_public(shapes.LoggedOut(None, False, _csrf_token())))


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def api_unknown(rest: str) -> Response:
    """Answer any other path or method under ``/api`` with a problem (404 or 405)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    name = get_state().blueprint_name
    allowed = []
    for method in _METHODS:
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != f"{name}.api_unknown":
            allowed.append(method)
    if allowed:
        return problems.problem_response(
            405,
            "method_not_allowed",
            f"Use {', '.join(allowed)} here.",
            headers={"Allow": ", ".join(allowed)},
        )
    return problems.problem_response(404, "no_such_route", "There is no such API route.")


def register(bp: Blueprint) -> None:
    """Add the JSON API routes to ``bp``."""
    add = bp.add_url_rule
    add("/api/threads/<key>", "api_thread", api_thread, methods=["GET"])
    add("/api/threads/<key>/comments", "api_post", api_post, methods=["POST"])
    add("/api/preview", "api_preview", api_preview, methods=["POST"])
    add("/api/comments/<comment_id>", "api_comment", api_comment, methods=["GET"])
    add("/api/comments/<comment_id>", "api_edit", api_edit, methods=["PATCH"])
    add("/api/comments/<comment_id>", "api_delete", api_delete, methods=["DELETE"])
    add("/api/comments/<comment_id>/replies", "api_replies", api_replies, methods=["GET"])
    add("/api/comments/<comment_id>/replies", "api_reply", api_reply, methods=["POST"])
    add("/api/comments/<comment_id>/vote", "api_vote", api_vote, methods=["PUT"])
    add("/api/comments/<comment_id>/moderation", "api_moderate", api_moderate, methods=["POST"])
    add("/api/moderation/queue", "api_queue", api_queue, methods=["GET"])
    add("/api/counts", "api_counts", api_counts, methods=["GET"])
    add("/api/me", "api_me", api_me, methods=["GET"])
    add("/api/logout", "api_logout", api_logout, methods=["POST"])
    add("/api/session", "api_session", api_session, methods=["POST"])
    # Last resort for JSON clients: unknown paths and methods get problems, not HTML.
    add("/api/<path:rest>", "api_unknown", api_unknown, methods=list(_METHODS))
