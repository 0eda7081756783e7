"""Reading untrusted request input: ids in URLs, JSON bodies, form fields, query values.

Everything here either returns a clean value or raises a
:class:`~threadkit.errors.ThreadkitError` that becomes a 4xx response; no
input reaches the engine unchecked and none produces a 500.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import request

from threadkit.errors import NotFoundError, ValidationError
from threadkit.models import SortOrder
from threadkit.serialization import MAX_ID, parse_cursor, parse_json_object, parse_sort

from .problems import HTTPProblem

__all__ = [
    "HONEYPOT_FIELD",
    "author_fields",
    "comment_id",
    "form_text",
    "json_body",
    "query_cursor",
    "query_sort",
    "text_field",
]

HONEYPOT_FIELD = "homepage"
"""The comment form's trap field: hidden from people, filled in by bots."""


def comment_id(raw: str) -> int:
    """Parse a comment id from a URL segment; anything else is an unknown comment (404)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 19:
        value = int(raw)
        if 1 <= value <= MAX_ID:
            return value
    raise NotFoundError("comment_not_found", "There is no such comment.", field="comment_id")


def json_body() -> dict[str, object]:
    """Return the request's JSON object, refusing other media types (415) and bad JSON (400).

    The body is read only up to the per-request limit; a larger one is 413.
    """
    if request.mimetype != "application/json":
        raise HTTPProblem(
            415,
            "unsupported_media_type",
            "Send the request body as application/json.",
            field="Content-Type",
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HTTPProblem(
            415, "unsupported_charset", "Send JSON encoded as UTF-8.", field="Content-Type"
        )
    raw = request.get_data(cache=False)
    try:
        return parse_json_object(raw)
    except ValidationError as error:
        raise HTTPProblem(400, error.code, error.message, field=error.field) from None


def text_field(data: Mapping[str, object], name: str, *, required: bool = False) -> str:
    """Return ``data[name]`` as a string (``""`` if absent), refusing other JSON types (422)."""
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationError("required", f'"{name}" is required.', field=name)
        return ""
    if not isinstance(value, str):
        raise ValidationError("wrong_type", f'"{name}" must be a string.', field=name)
    if "\x00" in value:
        raise ValidationError(
            "invalid_character", f'"{name}" contains a NUL character.', field=name
        )
    return value


def author_fields(data: Mapping[str, object]) -> dict[str, str]:
    """Return the name / email / website fields a form identity provider reads."""
    return {name: text_field(data, name) for name in ("name", "email", "url")}


def form_text(name: str) -> str:
    """One form field as text (``""`` if absent); NUL characters are refused (422)."""
    value = request.form.get(name, "")
    if "\x00" in value:
        raise ValidationError("invalid_character", "Remove the NUL character.", field=name)
    return value


def query_sort() -> SortOrder | None:
    """Return the ``sort`` query parameter (422 if it is not a sort order)."""
    return parse_sort(request.args.get("sort"))


def query_cursor() -> str | None:
    """Return the ``cursor`` query parameter (422 if no store could have made it)."""
    return parse_cursor(request.args.get("cursor"))
