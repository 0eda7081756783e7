"""What every threadkit view shares: CSRF, errors as problems or pages, and safe headers.

:func:`threadkit_view` wraps a view: the global CSRF middleware skips it and
the view's own check (:mod:`threadkit_django.csrf`) runs on writes; a
:class:`~threadkit.errors.ThreadkitError` becomes ``application/problem+json``
on the JSON API and threadkit's error page elsewhere, with its status
(``Retry-After`` when waiting helps); every answer is ``no-store`` unless the
view says otherwise, ``nosniff``, and carries ``THREADKIT_CSP``; the JSON API
follows ``THREADKIT_CORS_ORIGINS`` (:mod:`threadkit_django.cors`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from threadkit_web import api, inputs, problems
from threadkit_web.context import TemplateHelper

from threadkit import limits
from threadkit.errors import ThreadkitError

from . import cors, csrf
from .state import get_state
from .web import visit_of

__all__ = ["JSON_TYPE", "answer", "html", "json_response", "problem_response", "threadkit_view"]

JSON_TYPE = api.JSON_TYPE
"""Content-Type of every JSON answer that is not a problem."""

_SAFE = ("GET", "HEAD", "OPTIONS")

View = Callable[..., HttpResponse]


def json_response(
    payload: bytes | Any, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """Wrap JSON bytes (or plain JSON values) in a UTF-8 JSON response."""
    if not isinstance(payload, bytes):
        payload = json.dumps(payload).encode("utf-8")
    response = HttpResponse(payload, status=status, content_type=JSON_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def answer(result: api.Answer) -> HttpResponse:
    """Wrap one of :mod:`threadkit_web.api`'s answers in a JSON response."""
    return json_response(result.body, result.status, dict(result.headers))


def problem_response(problem: problems.Problem) -> HttpResponse:
    """Answer with one ``application/problem+json`` problem."""
    response = HttpResponse(
        problem.content(), status=problem.status, content_type=problem.content_type
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response


def html(body: str, status: int = 200) -> HttpResponse:
    """Answer with an HTML page."""
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _error_page(request: HttpRequest, error: ThreadkitError) -> HttpResponse:
    visit = visit_of(request)
    tk = TemplateHelper(get_state().web, visit)
    response = html(visit.render("threadkit/error.html", error=error, tk=tk), error.http_status)
    for name, value in problems.from_error(error).headers.items():
        response[name] = value
    return response


def _check_size(request: HttpRequest) -> None:
    """Refuse (413) a body over the cap before anything reads it, as every adapter does.

    The cap is ``THREADKIT_MAX_BODY_BYTES``, else derived from the engine's comment
    limit so that any comment within it fits, however it is escaped.
    """
    raw = str(request.META.get("CONTENT_LENGTH") or "")
    if not raw.isdigit():
        return  # no declared length: Django's DATA_UPLOAD_MAX_MEMORY_SIZE still caps it
    state = get_state().web
    comment_max = state.policy.max_body_bytes
    cap = state.settings.max_body_bytes or limits.request_cap(comment_max)
    if int(raw) > cap:
        raise inputs.too_large(cap, comment_max)


def _secure(response: HttpResponse) -> None:
    """Add nosniff, the CSP and a referrer policy, as on the Flask adapter's own routes."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    csp = get_state().web.settings.csp
    if csp:
        response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("Referrer-Policy", "same-origin")


def threadkit_view(*, api: bool, check: Literal["form", "header"] | None = None) -> Callable[
    [View], View
]:
    """Wrap a view: CSRF on writes (``check``), errors as problems (``api``) or pages."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                found = cors.before(request) if api else None  # a refusal or a preflight
                _check_size(request)
                if found is None:
                    if check is not None and request.method not in _SAFE:
                        header = get_state().web.settings.csrf_header
                        csrf.check(request, header=header, form=check == "form")
                    found = view(request, *args, **kwargs)
                response = found
            except ThreadkitError as error:
                if api:
                    language = visit_of(request).language()
                    response = problem_response(problems.from_error(error, language))
                else:
                    response = _error_page(request, error)
            response.headers.setdefault("Cache-Control", "no-store")
            _secure(response)
            if api:
                cors.add_headers(request, response)
            return response

        return csrf_exempt(wrapped)

    return decorate
