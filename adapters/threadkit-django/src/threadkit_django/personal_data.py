"""A commenter's data: moderators export or erase it by email, commenters ask for it by email.

* ``GET api/personal-data?email=`` (moderators): everything written with that
  email, as JSON; ``POST api/personal-data/erase`` with ``{"email": ...}``
  (moderators, CSRF header) erases it.
* ``POST moderation/personal-data`` (moderators, the queue page's form, CSRF):
  ``action=export`` downloads, ``action=erase`` erases.
* ``my-data`` (GET the form, POST an email, CSRF): if a comment was written
  with that address, a signed link good for ``THREADKIT_DATA_LINK_TTL`` (an
  hour) is mailed to it through ``THREADKIT_MAILER`` from
  ``THREADKIT_MAIL_FROM`` (top-level Django settings, as on Flask); the
  answer never says whether the address was known. Without a mailer the
  page is a 404 that says to ask the site's owner.
* ``my-data/<token>``: the mailed link shows the comments, with Download and
  Erase buttons (POST, CSRF); a changed or expired link is a 422 page.

What each does is :mod:`threadkit_web.personal_data`'s, the same as on Flask.
"""

from __future__ import annotations

from typing import Any

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from threadkit_web import inputs
from threadkit_web import personal_data as shared
from threadkit_web.context import TemplateHelper, require_moderator, viewer_of

from .origin import absolute
from .responses import JSON_TYPE, html, json_response, threadkit_view
from .state import URL_NAMESPACE, get_state
from .web import visit_of

__all__ = ["api_erase", "api_export", "moderation_form", "my_data", "request_data"]

_PAGE = "threadkit/personal_data.html"


def _mail_settings() -> shared.MailSettings:
    settings = django.conf.settings
    return shared.read_mail_settings(lambda key, default: getattr(settings, key, default))


def _download(document: bytes) -> HttpResponse:
    response = HttpResponse(document, content_type=JSON_TYPE)
    for name, value in shared.DOWNLOAD_HEADERS.items():
        response[name] = value
    return response


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    visit, state = visit_of(request), get_state().web
    context.setdefault("tk", TemplateHelper(state, visit))
    context.setdefault("viewer", viewer_of(state, visit))
    return html(visit.render(_PAGE, **context), status)


def _answer(request: HttpRequest, outcome: shared.Outcome) -> HttpResponse:
    if outcome.download is not None:
        return _download(outcome.download)
    return _page(request, stage="erased", email=outcome.email, erased=outcome.erased)


@require_http_methods(["GET"])
@threadkit_view(api=True)
def api_export(request: HttpRequest) -> HttpResponse:
    """GET everything written with ``?email=``, as JSON; moderators only."""
    require_moderator(visit_of(request))
    return _download(shared.export_json(get_state().web, request.GET.get("email", "")))


@require_http_methods(["POST"])
@threadkit_view(api=True, check="header")
def api_erase(request: HttpRequest) -> HttpResponse:
    """POST ``{"email": ...}``: erase everything written with it; moderators only."""
    require_moderator(visit_of(request))
    wrapped = visit_of(request).request
    body = inputs.json_object(wrapped.body(), wrapped.mimetype, wrapped.mimetype_params)
    email = inputs.text_field(body, "email", required=True)
    return json_response(shared.erase(get_state().web, email))


@require_http_methods(["POST"])
@threadkit_view(api=False, check="form")
def moderation_form(request: HttpRequest) -> HttpResponse:
    """Handle the queue page's form: download (``action=export``) or erase one email's data."""
    require_moderator(visit_of(request))
    email, action = request.POST.get("email", ""), request.POST.get("action", "")
    return _answer(request, shared.apply_form(get_state().web, email, action, download="export"))


@require_http_methods(["GET", "POST"])
@threadkit_view(api=False, check="form")
def request_data(request: HttpRequest) -> HttpResponse:
    """Ask for a link by email: GET shows the form, POST mails the link (if the address wrote)."""
    settings = _mail_settings()
    shared.check_mailer(settings)
    if request.method == "GET":
        return _page(request, stage="ask")

    def link_for(token: str) -> str:
        return absolute(request, reverse(f"{URL_NAMESPACE}:my_data", kwargs={"token": token}))

    state = get_state().web
    language = visit_of(request).language()
    email = shared.send_link(state, settings, request.POST.get("email", ""), link_for, language)
    return _page(request, stage="sent", email=email)


@require_http_methods(["GET", "POST"])
@threadkit_view(api=False, check="form")
def my_data(request: HttpRequest, token: str) -> HttpResponse:
    """Answer the mailed link: GET shows the data; POST ``action=download`` or ``erase``."""
    state = get_state().web
    email = shared.email_of(state, token)
    if request.method == "POST":
        action = request.POST.get("action", "")
        return _answer(request, shared.apply_form(state, email, action, download="download"))
    return _page(
        request,
        stage="show",
        email=email,
        data=state.engine.export_email(email),
        token=token,
        action=reverse(f"{URL_NAMESPACE}:my_data", kwargs={"token": token}),
    )
