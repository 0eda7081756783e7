"""A Flask response that hands its headers to the WSGI server without Werkzeug's copy and fix-up.

Werkzeug answers a WSGI call by copying the response's headers into a new
``Headers`` (each one checked again), making ``Location`` and
``Content-Location`` URIs (``iri_to_uri``), fixing ``Content-Length`` for
the status, and listing the copy. For what the JSON API answers (a 2xx with
a body whose length is set, a ``Location`` that is a plain path) every
fix-up leaves the headers as they were: :class:`ApiResponse` then lists them
as they are. Anything else takes Werkzeug's own path, so the headers sent
are the same in every case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Response

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["ApiResponse"]

# A path ``iri_to_uri`` gives back unchanged: no scheme, host, query, fragment,
# percent sign or character it would quote (``//`` first would read as a host).
_PLAIN_PATH = re.compile(r"/(?!/)[A-Za-z0-9_.~/-]*")
_URL_HEADERS = frozenset({"location", "content-location"})
# Werkzeug writes a URL header back under this name, whatever case it was set in.
_URL_HEADER_NAMES = frozenset({"Location", "Content-Location"})


class ApiResponse(Response):
    """:class:`flask.Response` with a cheaper WSGI start for answers Werkzeug would not change."""

    def get_wsgi_response(
        self, environ: WSGIEnvironment
    ) -> tuple[Iterable[bytes], str, list[tuple[str, str]]]:
        """Return the app iterator, status and headers, as Werkzeug would for this environ."""
        headers = self._unchanged_headers()
        if headers is None:
            return super().get_wsgi_response(environ)
        return self.get_app_iter(environ), self.status, headers

    def _unchanged_headers(self) -> list[tuple[str, str]] | None:
        """Return the headers as a new list if Werkzeug would change none of them, else ``None``."""
        status = self.status_code
        if not 200 <= status < 300 or status == 204 or self.autocorrect_location_header:
            return None  # lengths removed or entity headers dropped; or a URL made absolute
        listed = self.headers.to_wsgi_list()
        has_length = False
        urls: set[str] = set()
        for name, value in listed:
            lower = name.lower()
            if lower == "content-length":
                has_length = True
            elif lower in _URL_HEADERS:
                # Werkzeug keeps one of each (the first, fixed up); a second is its case.
                if (
                    lower in urls
                    or name not in _URL_HEADER_NAMES
                    or _PLAIN_PATH.fullmatch(value) is None
                ):
                    return None
                urls.add(lower)
        return listed if has_length else None
