"""The JSON API under ``<prefix>/api``: routing onto :mod:`threadkit_web.api`'s handlers.

The handlers, shapes and problems are the ones every adapter answers with; this
module only routes by method, reads the JSON body, and checks Django's CSRF
token in the ``THREADKIT_CSRF_HEADER`` header on writes (``GET <prefix>/api/me``
hands the token out). ``<prefix>/openapi.json`` is the shared OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from threadkit_web import api, inputs, openapi, problems

from . import bearer, page_cache
from .responses import answer, json_response, problem_response, threadkit_view
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
    "openapi_document",
]


def _body(request: HttpRequest) -> dict[str, object]:
    wrapped = visit_of(request).request
    return inputs.json_object(wrapped.body(), wrapped.mimetype, wrapped.mimetype_params)


def _not_allowed(allowed: str) -> HttpResponse:
    response = problem_response(problems.from_status(405, f"Use {allowed} here."))
    response["Allow"] = allowed
    return response


def _post_unless_get(
    request: HttpRequest, post: Callable[[dict[str, object], str | None], api.Answer]
) -> HttpResponse | None:
    """Answer a POST with ``post`` (the JSON body, the idempotency key), another non-GET with 405.

    ``None`` for a GET: the caller answers it.
    """
    if request.method == "POST":
        return answer(post(_body(request), request.headers.get(inputs.IDEMPOTENCY_HEADER)))
    if request.method != "GET":
        return _not_allowed("GET, POST")
    return None


@threadkit_view(api=True, check="header")
def api_thread(request: HttpRequest, key: str) -> HttpResponse:
    """GET one page of a thread as a tree; POST a comment (a reply with ``parent_id``)."""
    state, visit = get_state().web, visit_of(request)
    posted = _post_unless_get(request, lambda data, idem: api.post(state, visit, key, data, idem))
    if posted is not None:
        return posted
    return page_cache.thread_json(request, key, api.ThreadQuery.read(visit.request))


@threadkit_view(api=True, check="header")
def api_comment(request: HttpRequest, comment_id: str) -> HttpResponse:
    """GET one comment, PATCH its text, or DELETE it."""
    state, visit = get_state().web, visit_of(request)
    if request.method == "GET":
        return answer(api.comment(state, visit, comment_id))
    if request.method == "PATCH":
        return answer(api.edit(state, visit, comment_id, _body(request)))
    if request.method == "DELETE":
        return answer(api.delete(state, visit, comment_id))
    return _not_allowed("GET, PATCH, DELETE")


@threadkit_view(api=True, check="header")
def api_replies(request: HttpRequest, comment_id: str) -> HttpResponse:
    """GET the replies under a comment; POST a reply to it."""
    state, visit = get_state().web, visit_of(request)
    posted = _post_unless_get(
        request, lambda data, idem: api.reply(state, visit, comment_id, data, idem)
    )
    if posted is not None:
        return posted
    cid = inputs.comment_id(comment_id)
    cursor = inputs.query_cursor(visit.request)
    total = inputs.query_limit(visit.request, "total_limit")
    return page_cache.replies_json(request, cid, cursor, total)


@threadkit_view(api=True, check="header")
def api_vote(request: HttpRequest, comment_id: str) -> HttpResponse:
    """PUT a vote: up (1), down (-1) or withdrawn (0)."""
    if request.method != "PUT":
        return _not_allowed("PUT")
    return answer(api.vote(get_state().web, visit_of(request), comment_id, _body(request)))


@threadkit_view(api=True, check="header")
def api_moderate(request: HttpRequest, comment_id: str) -> HttpResponse:
    """POST a moderator's decision: approve, spam, ham (not spam) or delete."""
    if request.method != "POST":
        return _not_allowed("POST")
    return answer(api.moderate(get_state().web, visit_of(request), comment_id, _body(request)))


@threadkit_view(api=True, check="header")
def api_preview(request: HttpRequest) -> HttpResponse:
    """POST a comment's Markdown: the HTML posting it would show, nothing stored."""
    if request.method != "POST":
        return _not_allowed("POST")
    return answer(api.preview(get_state().web, _body(request)))


@threadkit_view(api=True)
def api_queue(request: HttpRequest) -> HttpResponse:
    """GET the moderation queue (pending and spam by default), newest first."""
    return answer(api.queue(get_state().web, visit_of(request)))


@threadkit_view(api=True)
def api_counts(request: HttpRequest) -> HttpResponse:
    """GET published-comment counts of many threads: ``?thread=a&thread=b``."""
    return answer(api.counts(get_state().web, visit_of(request).request))


@threadkit_view(api=True)
def api_me(request: HttpRequest) -> HttpResponse:
    """GET who the reader is, whether they moderate, and the CSRF token and header to send."""
    visit = visit_of(request)
    # A bearer-token request needs no CSRF token, and gets no CSRF cookie either.
    token = "" if bearer.has_bearer(request) else visit.csrf_token()
    return answer(api.me(get_state().web, visit, token))


@threadkit_view(api=True)
def api_unknown(request: HttpRequest, rest: str) -> HttpResponse:
    """Answer any other path under the API with a 404 problem, never an HTML page."""
    return problem_response(problems.from_status(404, "There is no such API route."))


@threadkit_view(api=True)
def openapi_document(request: HttpRequest) -> HttpResponse:
    """GET the OpenAPI document of the JSON API (the one every adapter serves)."""
    state = get_state().web
    key_length = state.policy.max_thread_key_length
    return json_response(
        openapi.document_bytes(
            state.settings.url_prefix, state.settings.csrf_header, max_key_length=key_length
        )
    )
