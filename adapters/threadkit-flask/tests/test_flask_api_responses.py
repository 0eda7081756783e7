"""The JSON API's responses start with exactly the headers Werkzeug's own path would send."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Response
from hypothesis import given, settings
from hypothesis import strategies as st
from threadkit_flask.responses import ApiResponse

ENVIRON = {"REQUEST_METHOD": "POST", "SERVER_NAME": "example.org", "SERVER_PORT": "80"}

paths = st.one_of(
    st.sampled_from(
        ["/comments/api/comments/7", "//host/x", "/a b", "/caf\u00e9", "/x?y=1", "/%41", "", "x"]
    ),
    st.text(max_size=12).map(lambda text: "/" + text),
)
extra_headers = st.lists(
    st.tuples(
        st.sampled_from(
            [
                *("Location", "Content-Location", "location", "CONTENT-LOCATION"),
                *("content-length", "Vary", "X-A"),
            ]
        ),
        paths,
    ),
    max_size=3,
)


def started(response: Response) -> tuple[str, list[tuple[str, str]], bytes] | str:
    """What the WSGI server gets: status, headers and body; or the error starting it raised.

    Werkzeug itself refuses some ``Location`` values (``//[`` is an unclosed
    IPv6 host to ``urlsplit``): both responses must then refuse alike.
    """
    try:
        app_iter, status, headers = response.get_wsgi_response(dict(ENVIRON))
    except ValueError as error:
        return f"{type(error).__name__}: {error}"
    return status, headers, b"".join(app_iter)


def both(*args: Any, **kwargs: Any) -> tuple[Response, ApiResponse]:
    return Response(*args, **kwargs), ApiResponse(*args, **kwargs)


@settings(max_examples=500, deadline=None)
@given(
    status=st.sampled_from([200, 201, 202, 204, 301, 304, 400, 404]),
    headers=extra_headers,
    drop_length=st.booleans(),
)
def test_the_started_response_is_werkzeugs(
    status: int, headers: list[tuple[str, str]], drop_length: bool
) -> None:
    """Any status, any Location or Content-Location, with or without a length: Werkzeug's bytes."""
    try:
        stock, api = both(b'{"id":1}', status=status, headers=headers)
    except ValueError:
        return  # a header value Werkzeug refuses to hold: the same for both
    for response in (stock, api):
        if drop_length:
            del response.headers["Content-Length"]
    assert started(stock) == started(api)


def test_a_posted_comments_answer_takes_the_short_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """201 with a plain Location and a length: the headers are listed as set, not fixed up."""

    def no_fix_up(*args: object) -> object:
        raise AssertionError("Werkzeug's header fix-up ran")

    monkeypatch.setattr(Response, "get_wsgi_headers", no_fix_up)
    api = ApiResponse(
        b"{}",
        status=201,
        headers=[("Content-Type", "application/json"), ("Location", "/c/api/comments/3")],
    )
    assert (
        "201 CREATED",
        [
            ("Content-Type", "application/json"),
            ("Location", "/c/api/comments/3"),
            ("Content-Length", "2"),
        ],
        b"{}",
    ) == started(api)


def _stock_json_response(payload: bytes, status: int, headers: dict[str, str]) -> Response:
    """The JSON answer built header by header, as Werkzeug sets each one."""
    from threadkit_flask.views_json import JSON_TYPE

    response = Response(
        payload,
        status=status,
        headers=[("Content-Type", JSON_TYPE), ("Cache-Control", "no-store")],
        content_type=JSON_TYPE,
    )
    for name, value in headers.items():
        response.headers[name] = value
    return response


@settings(max_examples=200, deadline=None)
@given(
    payload=st.binary(max_size=20),
    status=st.sampled_from([200, 201, 202, 409]),
    headers=st.dictionaries(
        st.sampled_from(
            ["Location", "location", "Retry-After", "Cache-Control", "content-length", "ETag"]
        ),
        st.text("abc/1", max_size=5),
        max_size=3,
    ),
)
def test_json_answers_are_built_as_werkzeug_sets_their_headers(
    payload: bytes, status: int, headers: dict[str, str]
) -> None:
    """Extra headers appended, or replacing one already set: the same list and body."""
    from threadkit_flask.views_json import json_response

    expected = _stock_json_response(payload, status, headers)
    made = json_response(payload, status, headers)
    assert expected.headers.to_wsgi_list() == made.headers.to_wsgi_list()
    assert (expected.status, expected.get_data()) == (made.status, made.get_data())


@pytest.mark.parametrize("name", ["location", "LOCATION", "content-location"])
def test_a_url_header_set_in_another_case_goes_out_as_werkzeug_names_it(name: str) -> None:
    """Werkzeug sends ``Location`` / ``Content-Location`` whatever case a host set it in."""
    stock, api = both(b"{}", status=201, headers=[(name, "/c/api/comments/3")])
    assert started(stock) == started(api)


@pytest.mark.parametrize(
    "pairs", [[("X-A", "1")], [("X-A", "1"), ("x-a", "2")], [("Location", "/c/1"), ("ETag", "e")]]
)
def test_headers_handed_in_as_werkzeug_headers_are_set_as_before(
    pairs: list[tuple[str, str]],
) -> None:
    """A host's ``Headers`` (pairs when iterated, a name more than once) works as it always did."""
    from threadkit_flask.views_json import json_response
    from werkzeug.datastructures import Headers

    expected = _stock_json_response(b"{}", 201, Headers(pairs))  # type: ignore[arg-type]
    made = json_response(b"{}", 201, Headers(pairs))  # type: ignore[arg-type]
    assert expected.headers.to_wsgi_list() == made.headers.to_wsgi_list()
