"""The OpenAPI 3.1 document of every threadkit route: one document for every web adapter.

:data:`OPERATIONS` lists each route once (path relative to the prefix,
method, route name, summary); it is also the route table an adapter
registers (Flask's blueprint endpoints and Django's URL pattern names are the
``endpoint`` names), and the Flask suite checks it against the app's URL map
in both directions, so the document cannot drift from the code. Every schema
in it is generated from :mod:`threadkit.serialization.shapes`, the one
definition of the JSON the routes send and accept; a route whose answer
depends on who asks names both shapes (the reader's and the moderator's).
Errors are ``application/problem+json`` under ``/api`` and HTML pages elsewhere.

>>> doc = document("/comments")
>>> doc["servers"], doc["paths"]["/api/counts"]["get"]["operationId"]
([{'url': '/comments'}], 'api_counts')
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from threadkit import __version__
from threadkit.guards import IDEMPOTENCY_KEY_MAX
from threadkit.serialization import MAX_ID, shapes

from .inputs import IDEMPOTENCY_HEADER, MAX_QUERY_LIMIT

__all__ = [
    "OPERATIONS",
    "PERSONAL_DATA_SCHEMAS",
    "UNDOCUMENTED",
    "Operation",
    "document",
    "document_bytes",
]

_JSON = "application/json"
_PROBLEM = "application/problem+json"


@attrs.frozen
class Operation:
    """One route: where, which method, which endpoint, and what it does."""

    path: str
    method: str
    endpoint: str
    summary: str
    request: str | None = None  # schema name of a JSON body
    form: tuple[str, ...] = ()  # form fields of an HTML form post
    response: str | None = None  # schema name of a JSON answer
    moderator_response: str | None = None  # schema name of a moderator's answer, when it differs
    status: int = 200
    media: str = _JSON
    query: tuple[str, ...] = ()
    required_query: tuple[str, ...] = ()  # query parameters that must be given (not in query)
    write: bool = False
    idempotent: bool = False  # takes an Idempotency-Key header


def _op(*args: Any, **kwargs: Any) -> Operation:
    return Operation(*args, **kwargs)


def _new_comment_op(path: str, name: str, summary: str) -> Operation:
    """Return a route that creates a comment: every such route takes and answers the same."""
    return Operation(
        path,
        "post",
        name,
        summary,
        request="NewComment",
        response="Comment",
        status=201,
        write=True,
        idempotent=True,
    )


OPERATIONS: tuple[Operation, ...] = (
    # JSON API
    _op(
        "/api/threads/{key}",
        "get",
        "api_thread",
        "One page of a thread, as a tree.",
        response="ThreadPage",
        moderator_response="ModeratorThreadPage",
        query=("sort", "cursor", "limit", "total_limit"),
    ),
    _new_comment_op("/api/threads/{key}/comments", "api_post", "Post a comment to a thread."),
    _op(
        "/api/preview",
        "post",
        "api_preview",
        "Render a comment's Markdown as it would be shown, storing nothing.",
        request="Edit",
        response="Preview",
        write=True,
    ),
    _op(
        "/api/comments/{comment_id}",
        "get",
        "api_comment",
        "One comment.",
        response="Comment",
        moderator_response="ModeratorComment",
    ),
    _op(
        "/api/comments/{comment_id}",
        "patch",
        "api_edit",
        "Edit a comment's text.",
        request="Edit",
        response="Comment",
        moderator_response="ModeratorComment",
        write=True,
    ),
    _op(
        "/api/comments/{comment_id}",
        "delete",
        "api_delete",
        "Delete a comment (a placeholder stays if it has replies).",
        response="Deleted",
        moderator_response="ModeratorDeleted",
        write=True,
    ),
    _op(
        "/api/comments/{comment_id}/replies",
        "get",
        "api_replies",
        "The replies under a comment, as a tree.",
        response="SubtreePage",
        moderator_response="ModeratorSubtreePage",
        query=("cursor", "total_limit"),
    ),
    _new_comment_op("/api/comments/{comment_id}/replies", "api_reply", "Reply to a comment."),
    _op(
        "/api/comments/{comment_id}/vote",
        "put",
        "api_vote",
        "Vote a comment up or down.",
        request="Vote",
        response="Comment",
        write=True,
    ),
    _op(
        "/api/comments/{comment_id}/moderation",
        "post",
        "api_moderate",
        "Apply a moderator's decision.",
        request="Moderation",
        response="ModeratorDeleted",
        write=True,
    ),
    _op(
        "/api/moderation/queue",
        "get",
        "api_queue",
        "The moderation queue (moderators).",
        response="ModeratorCommentRows",
        query=("status", "cursor"),
    ),
    _op(
        "/api/counts",
        "get",
        "api_counts",
        "Comment counts of many threads at once.",
        response="Counts",
        required_query=("thread",),
    ),
    _op(
        "/api/me",
        "get",
        "api_me",
        "The current reader, CSRF token and login choices.",
        response="Me",
    ),
    _op(
        "/api/logout",
        "post",
        "api_logout",
        "Forget the reader's login.",
        response="LoggedOut",
        write=True,
    ),
    _op(
        "/api/session",
        "post",
        "api_session",
        "A bearer token for a page on an allowed origin (new, or a renewal of the one sent).",
        response="SessionToken",
    ),
    # feeds and this document
    _op(
        "/feeds/recent.atom",
        "get",
        "feed_recent",
        "Atom feed of recent comments.",
        media="application/atom+xml",
    ),
    _op(
        "/feeds/threads/{key}.atom",
        "get",
        "feed_thread",
        "Atom feed of one thread.",
        media="application/atom+xml",
    ),
    _op("/openapi.json", "get", "openapi", "This document.", media=_JSON),
    _op("/avatars/{seed}.svg", "get", "avatar", "An identicon (SVG).", media="image/svg+xml"),
    # login
    _op(
        "/auth/{name}/login",
        "get",
        "auth_login",
        "Start a login with a provider.",
        status=302,
        query=("next",),
    ),
    _op("/auth/{name}/callback", "get", "auth_callback", "The provider's callback.", status=303),
    _op(
        "/auth/logout",
        "post",
        "auth_logout",
        "Log out (HTML form).",
        status=303,
        form=("csrf_token", "next"),
    ),
    # server-rendered pages and form posts
    _op(
        "/threads/{key}/comments",
        "post",
        "post",
        "Post a comment from the HTML form.",
        status=303,
        form=(
            "csrf_token",
            "next",
            "body",
            "parent_id",
            "name",
            "email",
            "url",
            "notify_replies",
            "notify_thread",
            "homepage",
            "thread_meta",
            "idempotency_key",
        ),
    ),
    _op(
        "/comments/{comment_id}",
        "get",
        "comment_page",
        "A comment and its replies (HTML).",
        media="text/html",
        query=("cursor", "next"),
    ),
    _op(
        "/comments/{comment_id}/edit",
        "get",
        "edit",
        "The edit form (HTML).",
        media="text/html",
        query=("next", "fragment"),
    ),
    _op(
        "/comments/{comment_id}/edit",
        "post",
        "edit",
        "Save an edit (HTML form).",
        status=303,
        form=("csrf_token", "next", "body"),
    ),
    _op(
        "/comments/{comment_id}/delete",
        "get",
        "delete",
        "Confirm a deletion (HTML).",
        media="text/html",
        query=("next",),
    ),
    _op(
        "/comments/{comment_id}/delete",
        "post",
        "delete",
        "Delete (HTML form).",
        status=303,
        form=("csrf_token", "next"),
    ),
    _op(
        "/comments/{comment_id}/vote",
        "post",
        "vote",
        "Vote (HTML form).",
        status=303,
        form=("csrf_token", "next", "value"),
    ),
    _op(
        "/moderation",
        "get",
        "queue",
        "The moderation queue (HTML).",
        media="text/html",
        query=("status", "cursor"),
    ),
    _op(
        "/moderation/{comment_id}",
        "post",
        "moderate",
        "Moderate (HTML form).",
        status=303,
        form=("csrf_token", "next", "decision"),
    ),
    _op(
        "/moderate/{token}",
        "get",
        "moderate_link",
        "Confirm a one-click moderation link.",
        media="text/html",
    ),
    _op(
        "/moderate/{token}",
        "post",
        "moderate_link",
        "Apply a one-click moderation link.",
        media="text/html",
        form=("csrf_token",),
    ),
    _op(
        "/unsubscribe/{token}",
        "get",
        "unsubscribe",
        "Confirm unsubscribing from replies.",
        media="text/html",
    ),
    _op(
        "/unsubscribe/{token}",
        "post",
        "unsubscribe",
        "Unsubscribe (RFC 8058 one-click; the token authorizes).",
        media="text/html",
        form=("List-Unsubscribe",),
    ),
    _op(
        "/subscribe/{token}",
        "get",
        "subscribe",
        "Ask to confirm a pending thread subscription (double opt-in).",
        media="text/html",
    ),
    _op(
        "/subscribe/{token}",
        "post",
        "subscribe",
        "Confirm a pending thread subscription (the token authorizes).",
        media="text/html",
        form=("csrf_token",),
    ),
    _op(
        "/fragments/threads/{key}",
        "get",
        "fragment_thread",
        "HTML fragment: the next page of comments.",
        media="text/html",
        query=("sort", "cursor", "next"),
    ),
    _op(
        "/fragments/comments/{comment_id}",
        "get",
        "fragment_comment",
        "HTML fragment: one comment.",
        media="text/html",
        query=("next",),
    ),
    _op(
        "/fragments/comments/{comment_id}/replies",
        "get",
        "fragment_replies",
        "HTML fragment: the replies under a comment.",
        media="text/html",
        query=("cursor", "next"),
    ),
    # A commenter's data (personal_data.py)
    _op(
        "/api/personal-data",
        "get",
        "api_personal_data",
        "Everything written with one email (moderators).",
        response="PersonalData",
        required_query=("email",),
    ),
    _op(
        "/api/personal-data/erase",
        "post",
        "api_personal_data_erase",
        "Erase everything written with one email (moderators).",
        request="EmailRequest",
        response="Erased",
        write=True,
    ),
    _op(
        "/moderation/personal-data",
        "post",
        "personal_data",
        "Download (JSON) or erase one email's data (HTML form, moderators).",
        media="text/html",
        form=("csrf_token", "email", "action"),
    ),
    _op("/my-data", "get", "request_data", "Ask for your data by email.", media="text/html"),
    _op(
        "/my-data",
        "post",
        "request_data",
        "Send a signed link to your email.",
        media="text/html",
        form=("csrf_token", "email"),
    ),
    _op("/my-data/{token}", "get", "my_data", "Your data, from a mailed link.", media="text/html"),
    _op(
        "/my-data/{token}",
        "post",
        "my_data",
        "Download or erase your data.",
        media="text/html",
        form=("csrf_token", "action"),
    ),
)
"""Every route of an adapter except those in :data:`UNDOCUMENTED`."""

UNDOCUMENTED = frozenset({"static", "api_unknown"})
"""Endpoints that are not operations: static files and the API's catch-all for errors."""


PERSONAL_DATA_SCHEMAS: dict[str, Any] = {
    "PersonalData": {
        "type": "object",
        "description": "Every comment written with one email (full, private fields included)"
        " and the votes of the identities that wrote them, {comment id: +1 or -1},"
        " and the threads the email subscribed to.",
        "required": ["identity_key", "comments", "votes", "subscriptions"],
        "properties": {
            "identity_key": {"type": "string"},
            "comments": {"type": "array", "items": {"type": "object"}},
            "votes": {"type": "object", "additionalProperties": {"type": "integer"}},
            "subscriptions": {"type": "array", "items": {"type": "object"}},
        },
    },
    "EmailRequest": {
        "type": "object",
        "required": ["email"],
        "properties": {"email": {"type": "string"}},
    },
    "Erased": {
        "type": "object",
        "required": ["email", "erased"],
        "properties": {"email": {"type": "string"}, "erased": {"type": "integer"}},
    },
}
"""The JSON shapes of the personal-data API (moderators), for the document."""

_PREVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A comment's Markdown rendered and sanitized as posting would show it.",
    "required": ["body_html"],
    "properties": {"body_html": {"type": "string"}},
}

_SCHEMAS = shapes.json_schemas()
"""The JSON Schema of every shape, generated once from the shape definitions."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_QUERY_DOCS = {
    "sort": ("Sort order: oldest, newest or top.", _ref("SortOrder")),
    "cursor": ("next_cursor of the previous page.", {"type": "string"}),
    "email": ("An email address.", {"type": "string"}),
    "limit": (
        "Top-level comments per page (default 20; the engine's max_top_limit, 200 by"
        " default, caps it).",
        {"type": "integer", "minimum": 1, "maximum": MAX_QUERY_LIMIT},
    ),
    "total_limit": (
        "Comments per page at most, replies included (default 500; the engine's"
        " max_total_limit, 2000 by default, caps it). Larger pages read a whole"
        " thread in fewer requests.",
        {"type": "integer", "minimum": 1, "maximum": MAX_QUERY_LIMIT},
    ),
    "status": ("pending or spam (repeatable).", {"enum": ["pending", "spam"]}),
    "thread": ("A thread key (repeatable).", {"$ref": "#/components/schemas/ThreadKey"}),
    "next": ("Same-origin path to go back to.", {"type": "string"}),
    "fragment": ("Return only the form, for scripts.", {"type": "string"}),
}

_ERRORS = {
    "400": "Malformed request (bad JSON, invalid UTF-8, NUL byte).",
    "401": "Needs an identity.",
    "403": "Not allowed, or the CSRF token is missing.",
    "404": "Unknown thread or comment.",
    "409": "Conflicts with the current state (e.g. edit window over).",
    "413": "Request body too large.",
    "415": "Not application/json.",
    "422": "A field is invalid; `field` names it.",
    "429": "Too many posts; see Retry-After.",
    "503": "Storage unavailable; try again.",
}


_CONTROL = r"\x00-\x1f\x7f-\x9f"  # Unicode category Cc
_THREAD_KEY_PATTERN = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"
"""Not blank, no control characters: what the engine's thread key rule accepts."""

_PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "key": {"$ref": "#/components/schemas/ThreadKey"},
    "comment_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "name": {"type": "string", "minLength": 1},
    "token": {"type": "string", "minLength": 1},
    "seed": {"type": "string", "minLength": 1},
}


def _success_schema(op: Operation) -> dict[str, Any]:
    """Return the schema of a JSON answer: one shape, or the reader's or the moderator's."""
    assert op.response is not None
    if op.moderator_response is None:
        return _ref(op.response)
    return {
        "anyOf": [_ref(op.response), _ref(op.moderator_response)],
        "description": f"{op.moderator_response} when the reader is a moderator.",
    }


def _error_content(op: Operation) -> dict[str, Any]:
    """Return how an operation's errors are written: problem+json under /api, else HTML."""
    if op.endpoint.startswith("api_"):
        return {_PROBLEM: {"schema": _ref("Problem")}}
    return {"text/html": {"schema": {"type": "string"}}}


def _parameters(op: Operation, csrf_header: str) -> list[dict[str, Any]]:
    """Return an operation's path, query and header parameters."""
    params: list[dict[str, Any]] = []
    for name, path_schema in _PATH_PARAMETERS.items():
        if "{" + name + "}" in op.path:
            params.append({"name": name, "in": "path", "required": True, "schema": path_schema})
    for name in (*op.required_query, *op.query):
        description, schema = _QUERY_DOCS[name]
        params.append(
            {
                "name": name,
                "in": "query",
                "required": name in op.required_query,
                "schema": schema,
                "description": description,
            }
        )
    if op.write:
        params.append(
            {
                "name": csrf_header,
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "The CSRF token from GET /api/me.",
            }
        )
    if op.idempotent:
        params.append(
            {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": False,
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": IDEMPOTENCY_KEY_MAX,
                    "pattern": "^[!-~]+$",
                },
                "description": "A new random key per comment (e.g. a UUID). Sending the"
                " same key again within the engine's idempotency_ttl (24 hours by"
                " default) returns the comment it first made (same status and body)"
                " instead of posting twice; the same key with another comment is a"
                " 422 (idempotency_key_reused).",
            }
        )
    return params


def _request_body(op: Operation) -> dict[str, Any] | None:
    """Return an operation's JSON body or HTML form fields, or ``None`` without a body."""
    if op.request:
        return {"required": True, "content": {_JSON: {"schema": _ref(op.request)}}}
    if not op.form:
        return None
    fields = {"type": "object", "properties": {name: {"type": "string"} for name in op.form}}
    return {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": fields}},
    }


def _operation(op: Operation, csrf_header: str) -> dict[str, Any]:
    success: dict[str, Any] = {"description": op.summary}
    if op.response:
        success["content"] = {_JSON: {"schema": _success_schema(op)}}
    elif op.status == 200:
        success["content"] = {op.media: {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {str(op.status): success}
    errors = _error_content(op)
    for status, text in _ERRORS.items():
        responses[status] = {"description": text, "content": errors}
    result: dict[str, Any] = {
        "operationId": op.endpoint
        if op.method != "post" or op.endpoint.startswith("api_")
        else f"{op.endpoint}_{op.method}",
        "summary": op.summary,
        "parameters": _parameters(op, csrf_header),
        "responses": responses,
        "x-endpoint": op.endpoint,
    }
    body = _request_body(op)
    if body is not None:
        result["requestBody"] = body
    return result


def document(
    prefix: str, csrf_header: str = "X-Threadkit-CSRF", *, max_key_length: int | None = None
) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document for routes mounted at ``prefix``.

    ``max_key_length`` is the engine's ``max_thread_key_length`` (the served
    document passes it; ``None`` leaves thread keys' length unsaid).
    """
    thread_key: dict[str, Any] = {
        "type": "string",
        "pattern": _THREAD_KEY_PATTERN,
        "description": "A thread key: not blank, no control characters.",
    }
    if max_key_length is not None:
        thread_key["maxLength"] = max_key_length
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, csrf_header)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "threadkit comments",
            "version": __version__,
            "description": (
                "Comments: threads, replies, votes, moderation. Errors are "
                "application/problem+json with a stable `code`. Writes need the CSRF "
                f"token (GET /api/me) in the {csrf_header} header, unless they come from "
                "a page on an allowed origin with `Authorization: Bearer <token>` (POST "
                "/api/session) and no session cookie."
            ),
        },
        "servers": [{"url": prefix or "/"}],
        "paths": paths,
        "components": {
            "schemas": {
                **_SCHEMAS,
                **PERSONAL_DATA_SCHEMAS,
                "Preview": _PREVIEW_SCHEMA,
                "ThreadKey": thread_key,
            }
        },
    }


def document_bytes(
    prefix: str, csrf_header: str = "X-Threadkit-CSRF", *, max_key_length: int | None = None
) -> bytes:
    """Return :func:`document` as the JSON bytes an adapter serves (keys sorted)."""
    doc = document(prefix, csrf_header, max_key_length=max_key_length)
    return json.dumps(doc, sort_keys=True).encode("utf-8")
