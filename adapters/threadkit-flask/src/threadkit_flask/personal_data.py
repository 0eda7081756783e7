"""A commenter's data: moderators export or erase by email; commenters ask by email themselves.

Routes (under the extension's URL prefix):

* ``GET /api/personal-data?email=...`` (moderators): everything written with
  that email, as JSON (the engine's :class:`~threadkit.engine.PersonalData`).
* ``POST /api/personal-data/erase`` with ``{"email": ...}`` (moderators,
  CSRF header): erase it; answers ``{"erased": <comments>}``.
* ``POST /moderation/personal-data`` (moderators, the form on the queue
  page): ``action=export`` downloads the JSON, ``action=erase`` erases.
* ``GET/POST /my-data``: a commenter types their email; if any comment was
  written with it, a signed link valid for ``THREADKIT_DATA_LINK_TTL``
  (default one hour) is mailed to that address through ``THREADKIT_MAILER``
  (any object with ``send(email.message.EmailMessage)``, such as
  ``threadkit_notify.SmtpMailer``) from ``THREADKIT_MAIL_FROM``. The answer
  is the same whether or not the address is known.
* ``GET/POST /my-data/<token>``: the link shows their comments with
  "Download" and "Erase" buttons (POST with the CSRF token).

What they do is :mod:`threadkit_web.personal_data`'s (the same on every
adapter); this module routes, checks CSRF and reads the Flask config.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from threadkit_web import personal_data as shared
from threadkit_web.context import require_moderator
from threadkit_web.openapi import PERSONAL_DATA_SCHEMAS
from threadkit_web.personal_data import DEFAULTS, Mailer

from . import csrf, inputs, rendering
from .external import external_url_for
from .i18n import current_locale
from .state import get_state

__all__ = ["DEFAULTS", "OPENAPI_SCHEMAS", "Mailer", "register"]

OPENAPI_SCHEMAS = PERSONAL_DATA_SCHEMAS
"""The JSON shapes of the moderator API, for the OpenAPI document."""


def _mail_settings() -> shared.MailSettings:
    return shared.read_mail_settings(current_app.config.get)


def _require_moderator() -> None:
    require_moderator(rendering.FlaskVisit(get_state()))


def _download(document: bytes) -> Response:
    response = Response(document, mimetype="application/json")
    response.headers.update(shared.DOWNLOAD_HEADERS)
    return response


def _page(template: str, status: int = 200, **context: Any) -> Response:
    state = get_state()
    context.setdefault("tk", rendering.TemplateHelper(state))
    context.setdefault("viewer", rendering.current_viewer(state))
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_answer(outcome: shared.Outcome) -> Response:
    if outcome.download is not None:
        return _download(outcome.download)
    return _page(
        "threadkit/personal_data.html",
        stage="erased",
        email=outcome.email,
        erased=outcome.erased,
    )


# ---------------------------------------------------------------- moderators


def api_export() -> Response:
    """Everything written with ``?email=``, as JSON; moderators only."""
    _require_moderator()
    return _download(shared.export_json(get_state(), request.args.get("email", "")))


def api_erase() -> Response:
    """Erase everything written with the body's ``email``; moderators only."""
    _require_moderator()
    csrf.check_header(get_state().settings.csrf_header)
    email = inputs.text_field(inputs.json_body(), "email", required=True)
    return jsonify(shared.erase(get_state(), email))


def moderation_form() -> Response:
    """Handle the queue page's form: download (``action=export``) or erase one email's data."""
    _require_moderator()
    csrf.check_form()
    form = request.form
    state = get_state()
    return _form_answer(
        shared.apply_form(state, form.get("email", ""), form.get("action", ""), download="export")
    )


# ---------------------------------------------------------------- the commenter


def request_link() -> Response:
    """Ask for a link by email (GET shows the form, POST sends the link)."""
    if request.method == "POST":
        csrf.check_form()
    settings = _mail_settings()
    shared.check_mailer(settings)
    if request.method == "GET":
        return _page("threadkit/personal_data.html", stage="ask")
    state = get_state()

    def link_for(token: str) -> str:
        return external_url_for(f"{state.blueprint_name}.my_data", token=token)

    language = current_locale()
    email = shared.send_link(state, settings, request.form.get("email", ""), link_for, language)
    return _page("threadkit/personal_data.html", stage="sent", email=email)


def my_data(token: str) -> Response:
    """Show the data behind an emailed link; POST ``action=download`` or ``action=erase``."""
    if request.method == "POST":
        csrf.check_form()
    state = get_state()
    email = shared.email_of(state, token)
    if request.method == "POST":
        action = request.form.get("action", "")
        return _form_answer(shared.apply_form(state, email, action, download="download"))
    return _page(
        "threadkit/personal_data.html",
        stage="show",
        email=email,
        data=state.engine.export_email(email),
        token=token,
        action=url_for(f"{state.blueprint_name}.my_data", token=token),
    )


def register(bp: Blueprint) -> None:
    """Add the personal-data routes to ``bp``."""
    add = bp.add_url_rule
    add("/api/personal-data", "api_personal_data", api_export, methods=["GET"])
    add("/api/personal-data/erase", "api_personal_data_erase", api_erase, methods=["POST"])
    add("/moderation/personal-data", "personal_data", moderation_form, methods=["POST"])
    add("/my-data", "request_data", request_link, methods=["GET", "POST"])
    add("/my-data/<token>", "my_data", my_data, methods=["GET", "POST"])
