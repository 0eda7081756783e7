"""The JSON API under ``<prefix>/api``: the Flask adapter's routes, shapes and problems.

Shapes are :mod:`threadkit.serialization`'s public ones; every write needs
``Content-Type: application/json`` (when it has a body) and Django's CSRF
token in the ``X-Threadkit-CSRF`` header (``GET <prefix>/api/me`` hands it
out); errors are ``application/problem+json`` (:mod:`threadkit_web.problems`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from threadkit_web import inputs, problems

from threadkit.engine import Decision
from threadkit.errors import ValidationError
from threadkit.serialization import encode_public, parse_submission, parse_vote, shape_of, shapes

from . import posting, visitors
from .http import json_response, problem_response, threadkit_view
from .state import get_state
from .web import visit_of

__all__ = [
    "api_comment",
    "api_counts",
    "api_me",
    "api_moderate",
    "api_queue",
    "api_replies",
    "api_thread",
    "api_unknown",
    "api_vote",
]

_Handler = Callable[[HttpRequest, str], HttpResponse]


def _body(request: HttpRequest) -> dict[str, object]:
    wrapped = visit_of(request).request
    return inputs.json_object(wrapped.body(), wrapped.mimetype, wrapped.mimetype_params)


def _not_allowed(allowed: str) -> HttpResponse:
    response = problem_response(problems.from_status(405, f"Use {allowed} here."))
    response["Allow"] = allowed
    return response


def _created(request: HttpRequest, comment_id: int, payload: bytes) -> HttpResponse:
    location = visit_of(request).urls.url("api_comment", comment_id=comment_id)
    return json_response(payload, 201, {"Location": location})


def _post(request: HttpRequest, key: str, data: dict[str, object]) -> HttpResponse:
    comment = posting.post_comment(
        request,
        key,
        parse_submission(data),
        inputs.author_fields(data),
        inputs.text_field(data, "thread_meta") or None,
        request.headers.get(posting.IDEMPOTENCY_HEADER),
    )
    return _created(request, comment.id, encode_public(comment))


@threadkit_view(api=True, check="header")
def api_thread(request: HttpRequest, key: str) -> HttpResponse:
    """GET one page of a thread as a tree; POST a comment (or a reply, with ``parent_id``)."""
    if request.method == "POST":
        return _post(request, key, _body(request))
    if request.method != "GET":
        return _not_allowed("GET, POST")
    wrapped = visit_of(request).request
    actor = visitors.actor(request)
    page = get_state().engine.page(
        key,
        actor,
        sort=inputs.query_sort(wrapped),
        cursor=inputs.query_cursor(wrapped),
        top_limit=inputs.query_limit(wrapped, "limit"),
        total_limit=inputs.query_limit(wrapped, "total_limit"),
    )
    return json_response(encode_public(page, moderator=actor.moderator))


@threadkit_view(api=True, check="header")
def api_comment(request: HttpRequest, comment_id: str) -> HttpResponse:
    """GET one comment, PATCH its text, or DELETE it."""
    cid = inputs.comment_id(comment_id)
    engine = get_state().engine
    actor = visitors.actor(request)
    if request.method == "GET":
        found = engine.get_comment(cid, actor)
        return json_response(encode_public(found, moderator=actor.moderator))
    if request.method == "PATCH":
        body = inputs.text_field(_body(request), "body", required=True)
        edited = engine.edit(cid, body, actor)
        return json_response(encode_public(edited, moderator=actor.moderator))
    if request.method == "DELETE":
        left = engine.delete(cid, actor)
        answer = shapes.ModeratorDeleted if actor.moderator else shapes.Deleted
        shown = None if left is None else shape_of(left, moderator=actor.moderator)
        return json_response(encode_public(answer(shown)))
    return _not_allowed("GET, PATCH, DELETE")


@threadkit_view(api=True, check="header")
def api_replies(request: HttpRequest, comment_id: str) -> HttpResponse:
    """GET the replies under a comment; POST a reply to it."""
    cid = inputs.comment_id(comment_id)
    engine = get_state().engine
    actor = visitors.actor(request)
    if request.method == "POST":
        data = _body(request)
        parent = engine.get_comment(cid, actor)
        data["parent_id"] = parent.id
        return _post(request, parent.thread_key, data)
    if request.method != "GET":
        return _not_allowed("GET, POST")
    wrapped = visit_of(request).request
    page = engine.subtree(
        cid,
        actor,
        cursor=inputs.query_cursor(wrapped),
        total_limit=inputs.query_limit(wrapped, "total_limit"),
    )
    return json_response(encode_public(page, moderator=actor.moderator))


@threadkit_view(api=True, check="header")
def api_vote(request: HttpRequest, comment_id: str) -> HttpResponse:
    """PUT a vote: up (1), down (-1) or withdrawn (0)."""
    if request.method != "PUT":
        return _not_allowed("PUT")
    data = _body(request)
    if "value" not in data:
        raise ValidationError("required", '"value" is required.', field="value")
    comment = get_state().engine.vote(
        inputs.comment_id(comment_id),
        visitors.actor(request, create=True),
        parse_vote(data["value"]),
        visitors.request_context(request),
    )
    return json_response(encode_public(comment))


@threadkit_view(api=True, check="header")
def api_moderate(request: HttpRequest, comment_id: str) -> HttpResponse:
    """POST a moderator's decision: approve, spam, ham (not spam) or delete."""
    if request.method != "POST":
        return _not_allowed("POST")
    raw = inputs.text_field(_body(request), "decision", required=True)
    try:
        decision = Decision(raw)
    except ValueError:
        choices = ", ".join(d.value for d in Decision)
        raise ValidationError(
            "invalid_decision", f"decision must be one of {choices}.", field="decision"
        ) from None
    cid = inputs.comment_id(comment_id)
    result = get_state().engine.moderate(cid, decision, visitors.actor(request))
    shown = None if result is None else shape_of(result, moderator=True)
    return json_response(encode_public(shapes.ModeratorDeleted(shown)))


@threadkit_view(api=True)
def api_queue(request: HttpRequest) -> HttpResponse:
    """GET the moderation queue (pending and spam by default), newest first."""
    state = get_state()
    wrapped = visit_of(request).request
    rows = state.engine.queue(
        visitors.actor(request),
        inputs.query_statuses(wrapped),
        limit=state.settings.queue_page_size,
        cursor=inputs.query_cursor(wrapped),
    )
    return json_response(encode_public(rows, moderator=True))


@threadkit_view(api=True)
def api_counts(request: HttpRequest) -> HttpResponse:
    """GET published-comment counts of many threads: ``?thread=a&thread=b``."""
    keys = request.GET.getlist("thread")
    if not keys:
        raise ValidationError("required", "Name at least one thread.", field="thread")
    return json_response(encode_public(shapes.Counts(get_state().engine.counts(keys))))


@threadkit_view(api=True)
def api_me(request: HttpRequest) -> HttpResponse:
    """GET who the reader is, whether they moderate, and the CSRF token and header to send."""
    state = get_state()
    logged_in = visitors.logged_in_identity(request)
    identity = logged_in or visitors.anonymous_identity(request)
    shown = None
    if identity is not None and (logged_in is not None or identity.name):
        shown = shape_of(identity)
    providers = [shapes.Provider(p.name, p.kind) for p in state.providers.values()]
    me = shapes.Me(
        shown,
        logged_in is not None,
        visitors.is_moderator(request),
        visit_of(request).csrf_token(),
        state.settings.csrf_header,
        providers,
    )
    return json_response(encode_public(me))


@threadkit_view(api=True)
def api_unknown(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under the API: a 404 problem, never an HTML page."""
    return problem_response(
        problems.from_status(404, "There is no such API route.")
    )
