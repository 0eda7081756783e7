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

Erasing keeps threads readable: a comment with replies becomes a placeholder,
the others go, and the thread's counts follow (see ``docs/personal-data.md``).
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from threadkit_web.context import require_moderator
from threadkit_web.openapi import PERSONAL_DATA_SCHEMAS
from werkzeug.wrappers import Response as BaseResponse

from threadkit.errors import (
    NotFoundError,
    ValidationError,
)
from threadkit.serialization import dumps
from threadkit.text import clean_email

from . import csrf, inputs, rendering
from .external import external_url_for
from .state import get_state

__all__ = ["DEFAULTS", "OPENAPI_SCHEMAS", "Mailer", "register"]

DEFAULTS: dict[str, Any] = {
    "THREADKIT_MAILER": None,
    "THREADKIT_MAIL_FROM": None,
    "THREADKIT_DATA_LINK_TTL": timedelta(hours=1),
}
"""The configuration keys this module reads, and their defaults."""

_PURPOSE = "personal-data"

OPENAPI_SCHEMAS = PERSONAL_DATA_SCHEMAS
"""The JSON shapes of the moderator API, for the OpenAPI document."""


class Mailer(Protocol):
    """Sends one email (``threadkit_notify.SmtpMailer`` fits)."""

    def send(self, message: EmailMessage) -> None:
        """Send ``message`` or raise."""
        ...


def _config(key: str) -> Any:
    return current_app.config.get(key, DEFAULTS[key])


def _require_moderator() -> None:
    require_moderator(rendering.FlaskVisit(get_state()))


def _download(email: str) -> Response:
    data = get_state().engine.export_email(email)
    response = Response(dumps(data), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="comments-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(template: str, status: int = 200, **context: Any) -> Response:
    state = get_state()
    context.setdefault("tk", rendering.TemplateHelper(state))
    context.setdefault("viewer", rendering.current_viewer(state))
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- moderators


def api_export() -> Response:
    """Everything written with ``?email=``, as JSON; moderators only."""
    _require_moderator()
    email = clean_email(request.args.get("email", ""))
    return _download(email)


def api_erase() -> Response:
    """Erase everything written with the body's ``email``; moderators only."""
    _require_moderator()
    csrf.check_header(get_state().settings.csrf_header)
    email = clean_email(inputs.text_field(inputs.json_body(), "email", required=True))
    erased = get_state().engine.erase_email(email)
    return jsonify({"email": email, "erased": erased})


def moderation_form() -> BaseResponse:
    """Handle the queue page's form: download (``action=export``) or erase one email's data."""
    _require_moderator()
    csrf.check_form()
    email = clean_email(request.form.get("email", ""))
    action = request.form.get("action", "")
    if action == "export":
        return _download(email)
    if action != "erase":
        raise ValidationError("invalid", 'action must be "export" or "erase".', field="action")
    erased = get_state().engine.erase_email(email)
    return _page("threadkit/personal_data.html", stage="erased", email=email, erased=erased)


# ---------------------------------------------------------------- the commenter


def _require_mailer() -> Mailer:
    mailer: Mailer | None = _config("THREADKIT_MAILER")
    if mailer is None or not _config("THREADKIT_MAIL_FROM"):
        raise NotFoundError(
            "not_found",
            "This site does not take data requests by email (no mailer is set up);"
            " ask the site's owner instead.",
        )
    return mailer


def request_link() -> Response:
    """Ask for a link by email (GET shows the form, POST sends the link)."""
    if request.method == "POST":
        csrf.check_form()
    mailer = _require_mailer()
    if request.method == "GET":
        return _page("threadkit/personal_data.html", stage="ask")
    email = clean_email(request.form.get("email", ""))
    state = get_state()
    if state.engine.export_email(email).comments:
        token = state.signer.dumps(
            _PURPOSE,
            {"email": email},
            now=state.clock.now(),
            ttl=_config("THREADKIT_DATA_LINK_TTL"),
        )
        link = external_url_for(f"{state.blueprint_name}.my_data", token=token)
        _send_link(mailer, email, link)
    return _page("threadkit/personal_data.html", stage="sent", email=email)


def _send_link(mailer: Mailer, email: str, link: str) -> None:
    message = EmailMessage()
    message["From"] = _config("THREADKIT_MAIL_FROM")
    message["To"] = email
    message["Subject"] = "Your comments: download or erase them"
    ttl: timedelta = _config("THREADKIT_DATA_LINK_TTL")
    minutes = int(ttl.total_seconds() // 60)
    message.set_content(
        "Someone (hopefully you) asked to see the comments written with this address.\n\n"
        f"Open this link within {minutes} minutes to download or erase them:\n\n{link}\n\n"
        "If you did not ask, ignore this email; nothing changes.\n"
    )
    mailer.send(message)


def my_data(token: str) -> BaseResponse:
    """Show the data behind an emailed link; POST ``action=download`` or ``action=erase``."""
    if request.method == "POST":
        csrf.check_form()
    state = get_state()
    data = state.signer.loads(_PURPOSE, token, now=state.clock.now())
    email = data.get("email")
    if not isinstance(email, str):
        raise ValidationError("invalid_token", "This link is not valid.")
    if request.method == "POST":
        action = request.form.get("action", "")
        if action == "download":
            return _download(email)
        if action != "erase":
            raise ValidationError(
                "invalid", 'action must be "download" or "erase".', field="action"
            )
        erased = state.engine.erase_email(email)
        return _page("threadkit/personal_data.html", stage="erased", email=email, erased=erased)
    found = state.engine.export_email(email)
    return _page(
        "threadkit/personal_data.html",
        stage="show",
        email=email,
        data=found,
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
