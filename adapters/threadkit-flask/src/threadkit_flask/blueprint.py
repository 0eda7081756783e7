"""The blueprint that carries every threadkit route, built afresh for each app.

Routes come from the view modules (``views_json``, ``views_html``, ``auth``,
``feeds``, ``openapi``); this module adds what they share: the per-request
body size limit, error responses (problem+json for the API, HTML pages for the
rest), security headers and CORS.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from threadkit_web import assets
from werkzeug.exceptions import HTTPException

from threadkit import limits
from threadkit.errors import ThreadkitError

from . import (
    auth,
    avatars,
    feeds,
    inputs,
    openapi,
    personal_data,
    problems,
    rendering,
    views_html,
    views_json,
)
from .security import add_cors_headers, add_security_headers
from .state import ThreadKitState, get_state

__all__ = ["is_api_request", "make_blueprint", "request_cap"]

def is_api_request() -> bool:
    """Whether the current request is for a JSON API route (answered with problem+json)."""
    endpoint = request.endpoint or ""
    return endpoint.split(".")[-1].startswith("api_") or request.path.startswith(
        get_state().settings.url_prefix + "/api/"
    )


def request_cap(state: ThreadKitState | None = None) -> int:
    """Return the largest request body threadkit's routes read, in bytes.

    ``THREADKIT_MAX_BODY_BYTES`` if set, else derived from the engine's comment
    limit so that any comment within it fits, however it is escaped.
    ``state`` defaults to the current app's.
    """
    state = state if state is not None else get_state()
    configured = state.settings.max_body_bytes
    return configured if configured is not None else limits.request_cap(state.policy.max_body_bytes)


def _read_body() -> None:
    state = get_state()
    inputs.read_body(request_cap(state), state.policy.max_body_bytes)


def _finish(response: Response) -> Response:
    state = get_state()
    settings = state.settings
    add_security_headers(response, settings.csp)
    if settings.cors_origins and is_api_request():
        add_cors_headers(response, settings.cors_origins, settings.csrf_header)
    return response


def _threadkit_error(error: ThreadkitError) -> Response | tuple[str, int]:
    if is_api_request():
        return problems.from_threadkit_error(error)
    page = render_template(
        "threadkit/error.html", error=error, tk=rendering.TemplateHelper(get_state())
    )
    return page, error.http_status


def _http_error(error: HTTPException) -> Response | HTTPException | tuple[str, int]:
    if is_api_request():
        return problems.from_http_exception(error)
    if error.code == 413:  # Werkzeug's form limits (e.g. too many parts): threadkit's page
        return _threadkit_error(
            problems.HTTPProblem(
                413,
                "request_too_large",
                "The form sent more than this site reads (more fields than a comment form "
                f"has, or over {request_cap():,} bytes). Send it again from the page.",
            )
        )
    return error


def make_blueprint(name: str = "threadkit") -> Blueprint:
    """Build the blueprint with all routes, templates and static files."""
    bp = Blueprint(
        name,
        __name__,
        template_folder=str(assets.TEMPLATES),
        static_folder=str(assets.STATIC),
        static_url_path="/static",
    )
    bp.before_request(_read_body)
    bp.after_request(_finish)
    bp.register_error_handler(ThreadkitError, _threadkit_error)
    bp.register_error_handler(HTTPException, _http_error)
    views_json.register(bp)
    views_html.register(bp)
    auth.register(bp)
    avatars.register(bp)
    feeds.register(bp)
    openapi.register(bp)
    personal_data.register(bp)
    return bp
