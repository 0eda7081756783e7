"""Reading untrusted request input in Flask: the body under its cap, then the shared parsers.

Parsing (JSON objects, form encodings, ids, query values) is the shared web
layer's (:mod:`threadkit_web.inputs`); this module reads Flask's request into
it. Everything either returns a clean value or raises a
:class:`~threadkit.errors.ThreadkitError` that becomes a 4xx response.
"""

from __future__ import annotations

import io

from flask import Request, request
from threadkit_web import inputs as web_inputs
from threadkit_web.inputs import (
    HONEYPOT_FIELD,
    author_fields,
    comment_id,
    text_field,
    too_large,
)
from werkzeug.datastructures import EnvironHeaders
from werkzeug.sansio.request import Request as SansIORequest
from werkzeug.sansio.utils import get_content_length

from threadkit.limits import COMMENT_MAX_BYTES
from threadkit.models import SortOrder

from .web import current_request, flask_request

__all__ = [
    "HONEYPOT_FIELD",
    "author_fields",
    "comment_id",
    "form_text",
    "json_body",
    "query_cursor",
    "query_sort",
    "read_body",
    "text_field",
    "too_large",
]

_READ_SIZE = 64 * 1024
_WERKZEUG_CONTENT_LENGTH = SansIORequest.__dict__["content_length"]


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
    real = flask_request()  # once: every read through the proxy looks the request up again
    current = real.max_content_length
    cap = cap if current is None else min(cap, current)
    real.max_content_length = cap
    real.max_form_memory_size = cap
    length = _content_length(real)
    if length is not None and length > cap:
        raise too_large(cap, comment_max_bytes)
    environ = real.environ
    if length is None and "wsgi.input_terminated" in environ:
        data = _read_at_most(environ["wsgi.input"], cap + 1)
        if len(data) > cap:
            raise too_large(cap, comment_max_bytes)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        # The length is now known: Werkzeug must not treat the body as a stream any more.
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
    if real.mimetype in web_inputs.FORM_TYPES:
        web_inputs.check_form_encoding(
            real.get_data(cache=True), real.mimetype, real.mimetype_params
        )


def _content_length(real: Request) -> int | None:
    """Return ``real.content_length``, from the environ when it is Werkzeug's own property.

    Werkzeug reads it through the request's headers, where a request without
    ``Transfer-Encoding`` (nearly all) costs an exception raised and caught;
    the environ holds the same two values. The result is cached on the request
    as the property caches it.
    """
    if (
        type(real).content_length is not _WERKZEUG_CONTENT_LENGTH
        or "content_length" in real.__dict__
        or type(real.headers) is not EnvironHeaders
    ):
        return real.content_length
    environ = real.environ
    length = get_content_length(
        environ.get("CONTENT_LENGTH"), environ.get("HTTP_TRANSFER_ENCODING")
    )
    real.content_length = length  # the cached property's own slot
    return length


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


def json_body() -> dict[str, object]:
    """Return the request's JSON object, refusing other media types (415) and bad JSON (400)."""
    real = flask_request()
    return web_inputs.json_object(real.get_data(cache=False), real.mimetype, real.mimetype_params)


def form_text(name: str) -> str:
    """One form field as text (``""`` if absent); NUL characters are refused (422)."""
    return web_inputs.form_text(request.form, name)


def query_sort() -> SortOrder | None:
    """Return the ``sort`` query parameter (422 if it is not a sort order)."""
    return web_inputs.query_sort(current_request())


def query_cursor() -> str | None:
    """Return the ``cursor`` query parameter (422 if no store could have made it)."""
    return web_inputs.query_cursor(current_request())
