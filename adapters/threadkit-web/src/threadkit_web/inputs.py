"""Reading untrusted request input: ids in URLs, JSON bodies, form fields, query values.

Everything here takes plain values (bytes, a media type and its parameters, a
mapping) or a :class:`~threadkit_web.request.WebRequest`, and either returns a
clean value or raises a :class:`~threadkit.errors.ThreadkitError` that becomes a
4xx response; no input reaches the engine unchecked and none produces a 500.
Reading the body itself, and capping its size, is the adapter's job (it knows
its server); :func:`too_large` is the problem it raises.

>>> json_object(b'{"body": "Hi"}', "application/json", {"charset": "utf-8"})
{'body': 'Hi'}
>>> check_form_encoding(b"name=%C0%80", "application/x-www-form-urlencoded", {})
Traceback (most recent call last):
threadkit_web.problems.HTTPProblem: ...
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from urllib.parse import unquote_to_bytes

from threadkit.errors import NotFoundError, ValidationError
from threadkit.models import SortOrder, Status
from threadkit.serialization import MAX_ID, parse_cursor, parse_json_object, parse_sort

from .problems import HTTPProblem
from .request import WebRequest

__all__ = [
    "FORM_TYPES",
    "HONEYPOT_FIELD",
    "IDEMPOTENCY_FIELD",
    "IDEMPOTENCY_HEADER",
    "MAX_QUERY_LIMIT",
    "SUBMISSION_FIELDS",
    "author_fields",
    "check_form_encoding",
    "comment_id",
    "form_submission",
    "form_text",
    "json_object",
    "query_cursor",
    "query_limit",
    "query_sort",
    "query_statuses",
    "raw_form_fields",
    "text_field",
    "too_large",
]

HONEYPOT_FIELD = "homepage"
"""The comment form's trap field: hidden from people, filled in by bots."""

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
"""The media types of an HTML form post."""

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The JSON API's request header that makes a post safe to retry."""

IDEMPOTENCY_FIELD = "idempotency_key"
"""The comment form's hidden field with the same job."""

MAX_QUERY_LIMIT = 99_999
"""The largest ``limit`` or ``total_limit`` a query may name (the engine then caps it lower)."""


def too_large(cap: int, comment_max_bytes: int) -> HTTPProblem:
    """Return the 413 problem for a request over ``cap``, saying what the limit is."""
    return HTTPProblem(
        413,
        "request_too_large",
        f"The request is larger than {cap:,} bytes, the most this site reads. That is room "
        f"for a comment of {comment_max_bytes:,} bytes (UTF-8) with its name, email and "
        "website; shorten the comment and send it again.",
    )


def check_form_encoding(body: bytes, mimetype: str, params: Mapping[str, str]) -> None:
    """Refuse form fields that are not UTF-8 (400 ``invalid_utf8``); other bodies pass.

    Frameworks would keep such a value as ``%C0%80`` or U+FFFD, a comment the
    writer never typed.
    """
    if mimetype not in FORM_TYPES:
        return
    for name, value in raw_form_fields(body, mimetype, params):
        try:
            value.decode("utf-8")
            continue
        except UnicodeDecodeError:
            field = name.decode("utf-8", "replace")
        raise HTTPProblem(
            400,
            "invalid_utf8",
            f'The form field "{field}" is not valid UTF-8 text. Send the form again '
            "from the page (browsers always send UTF-8).",
            field=field,
        )


def raw_form_fields(
    body: bytes, mimetype: str, params: Mapping[str, str]
) -> Iterator[tuple[bytes, bytes]]:
    """Yield each field of a form body as raw bytes: ``(name, value)``, files left out."""
    if mimetype == "multipart/form-data":
        boundary = params.get("boundary", "")
        yield from _multipart_fields(body, boundary.encode("latin-1", "replace"))
        return
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        yield (
            unquote_to_bytes(name.replace(b"+", b" ")),
            unquote_to_bytes(value.replace(b"+", b" ")),
        )


_DISPOSITION = re.compile(rb'^content-disposition:(.*)$', re.I | re.M)
_PARAM = re.compile(rb';\s*(name|filename)\*?="?([^";]*)"?', re.I)


def _multipart_fields(data: bytes, boundary: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Split a multipart body at its boundary (RFC 7578); a malformed one yields what it can."""
    if not boundary:
        return
    for part in data.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            return  # the closing delimiter
        head, found, value = part.partition(b"\r\n\r\n")
        disposition = _DISPOSITION.search(head) if found else None
        if disposition is None:
            continue
        params = {key.lower(): item for key, item in _PARAM.findall(disposition[1])}
        if b"name" in params and b"filename" not in params:
            yield params[b"name"], value.removesuffix(b"\r\n")


def comment_id(raw: str) -> int:
    """Parse a comment id from a URL segment; anything else is an unknown comment (404)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 19:
        value = int(raw)
        if 1 <= value <= MAX_ID:
            return value
    raise NotFoundError("comment_not_found", "There is no such comment.", field="comment_id")


def json_object(body: bytes, mimetype: str, params: Mapping[str, str]) -> dict[str, object]:
    """Return the JSON object in ``body``, refusing other media types (415) and bad JSON (400)."""
    if mimetype != "application/json":
        raise HTTPProblem(
            415,
            "unsupported_media_type",
            "Send the request body as application/json.",
            field="Content-Type",
        )
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HTTPProblem(
            415, "unsupported_charset", "Send JSON encoded as UTF-8.", field="Content-Type"
        )
    # A malformed body's codes (invalid_json, invalid_utf8, ...) are 400 in threadkit.codes.
    return parse_json_object(body)


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


SUBMISSION_FIELDS = ("body", "parent_id", "notify_replies", "notify_thread")
"""The comment form's fields ``parse_form_submission`` reads (besides the honeypot)."""


def form_submission(form: Mapping[str, str]) -> dict[str, str]:
    """Return what ``parse_form_submission`` reads from a posted comment form."""
    found = {name: form.get(name, "") for name in SUBMISSION_FIELDS}
    found["honeypot"] = form.get(HONEYPOT_FIELD, "")
    return found


def form_text(form: Mapping[str, str], name: str) -> str:
    """One form field as text (``""`` if absent); NUL characters are refused (422)."""
    value = form.get(name, "")
    if "\x00" in value:
        raise ValidationError("invalid_character", "Remove the NUL character.", field=name)
    return value


def query_sort(request: WebRequest) -> SortOrder | None:
    """Return the ``sort`` query parameter (422 if it is not a sort order)."""
    return parse_sort(request.arg("sort"))


def query_cursor(request: WebRequest) -> str | None:
    """Return the ``cursor`` query parameter (422 if no store could have made it)."""
    return parse_cursor(request.arg("cursor"))


def query_limit(request: WebRequest, name: str) -> int | None:
    """Return a whole-number query parameter from 1 to ``MAX_QUERY_LIMIT``, or ``None`` when absent.

    The engine clamps it to its policy's maximum (``max_top_limit`` for
    ``limit``, ``max_total_limit`` for ``total_limit``).
    """
    raw = request.arg(name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19) or not (
        1 <= int(raw) <= MAX_QUERY_LIMIT
    ):
        raise ValidationError(
            "invalid_limit",
            f"{name} must be a whole number from 1 to {MAX_QUERY_LIMIT}.",
            field=name,
        )
    return int(raw)


def query_statuses(request: WebRequest) -> tuple[Status, ...]:
    """Return the moderation queue's ``status`` values (default: pending and spam; 422 else)."""
    statuses: list[Status] = []
    for raw in request.arg_list("status") or ["pending", "spam"]:
        if raw not in ("pending", "spam"):
            raise ValidationError(
                "invalid_status", 'status must be "pending" or "spam".', field="status"
            )
        statuses.append(Status(raw))
    return tuple(dict.fromkeys(statuses))
