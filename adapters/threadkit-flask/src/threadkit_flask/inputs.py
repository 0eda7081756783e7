"""Reading untrusted request input: ids in URLs, JSON bodies, form fields, query values.

Everything here either returns a clean value or raises a
:class:`~threadkit.errors.ThreadkitError` that becomes a 4xx response; no
input reaches the engine unchecked and none produces a 500.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from urllib.parse import unquote_to_bytes

from flask import request
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from threadkit.errors import NotFoundError, ValidationError
from threadkit.limits import COMMENT_MAX_BYTES
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
    "read_body",
    "too_large",
    "text_field",
]

HONEYPOT_FIELD = "homepage"
"""The comment form's trap field: hidden from people, filled in by bots."""


_READ_SIZE = 64 * 1024
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def read_body(cap: int, comment_max_bytes: int = COMMENT_MAX_BYTES) -> None:
    """Read the whole request body now, refusing one over ``cap`` bytes with 413.

    A body with a ``Content-Length`` over the cap is refused before a byte of
    it is read. A chunked body (no length) is read up to ``cap + 1`` bytes: one
    byte more than the cap is a 413 too, so a long comment is never cut short
    and its prefix parsed (Werkzeug's own limit stops reading *at* the cap,
    silently, for chunked bodies). The body read is put back as a plain
    in-memory stream, so form and JSON parsing see all of it. A form whose
    fields are not valid UTF-8 is refused with 400 ``invalid_utf8``.
    """
    current = request.max_content_length
    cap = cap if current is None else min(cap, current)
    request.max_content_length = cap
    request.max_form_memory_size = cap
    length = request.content_length
    if length is not None and length > cap:
        raise too_large(cap, comment_max_bytes)
    environ = request.environ
    if length is None and "wsgi.input_terminated" in environ:
        data = _read_at_most(environ["wsgi.input"], cap + 1)
        if len(data) > cap:
            raise too_large(cap, comment_max_bytes)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        # The length is now known: Werkzeug must not treat the body as a stream any more.
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
    if request.mimetype in _FORM_TYPES:
        _check_form_encoding(request.get_data(cache=True))


def _read_at_most(stream: io.RawIOBase, most: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while total < most:
        chunk = stream.read(min(_READ_SIZE, most - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def too_large(cap: int, comment_max_bytes: int) -> HTTPProblem:
    """Return the 413 problem for a request over ``cap``, saying what the limit is."""
    return HTTPProblem(
        413,
        "request_too_large",
        f"The request is larger than {cap:,} bytes, the most this site reads. That is room "
        f"for a comment of {comment_max_bytes:,} bytes (UTF-8) with its name, email and "
        "website; shorten the comment and send it again.",
    )


def _check_form_encoding(data: bytes) -> None:
    """Refuse form fields that are not UTF-8 (Werkzeug would keep them as ``%C0%80`` or U+FFFD)."""
    for name, value in _raw_form_fields(data):
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


def _raw_form_fields(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Yield each form field as raw bytes: ``(name, value)``, files left out."""
    if request.mimetype == "multipart/form-data":
        boundary = request.mimetype_params.get("boundary", "")
        yield from _multipart_fields(data, boundary.encode("latin-1", "replace"))
        return
    for pair in data.split(b"&"):
        name, _, value = pair.partition(b"=")
        yield (
            unquote_to_bytes(name.replace(b"+", b" ")),
            unquote_to_bytes(value.replace(b"+", b" ")),
        )


def _multipart_fields(data: bytes, boundary: bytes) -> Iterator[tuple[bytes, bytes]]:
    if not boundary:
        return
    decoder = MultipartDecoder(boundary, max_form_memory_size=len(data) + 1)
    decoder.receive_data(data)
    decoder.receive_data(None)
    name: bytes | None = None
    parts: list[bytes] = []
    try:
        event = decoder.next_event()
        while not isinstance(event, Epilogue | NeedData):
            if isinstance(event, Field):
                name, parts = event.name.encode("utf-8", "surrogateescape"), []
            elif isinstance(event, File):
                name = None
            elif isinstance(event, Data) and name is not None:
                parts.append(event.data)
                if not event.more_data:
                    yield name, b"".join(parts)
            event = decoder.next_event()
    except ValueError:
        return  # malformed: Werkzeug's own parser refuses it with 400


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
    # A malformed body's codes (invalid_json, invalid_utf8, ...) are 400 in threadkit.codes.
    return parse_json_object(request.get_data(cache=False))


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
