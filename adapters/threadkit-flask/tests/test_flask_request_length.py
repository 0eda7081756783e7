"""The body cap reads a request's length from the environ exactly as Werkzeug reads it."""

from __future__ import annotations

from flask import Flask, Request
from hypothesis import given, settings
from hypothesis import strategies as st
from threadkit_flask import inputs

lengths = st.one_of(
    st.none(),
    st.sampled_from(["", "0", "12", "-3", " 7 ", "1e3", "0x10", "99999999999", "٣"]),
    st.text(max_size=6),
)
encodings = st.one_of(st.none(), st.sampled_from(["chunked", "CHUNKED", "gzip", ""]))


@settings(max_examples=200, deadline=None)
@given(length=lengths, encoding=encodings)
def test_the_length_is_werkzeugs(length: str | None, encoding: str | None) -> None:
    """Any Content-Length and Transfer-Encoding: the length Werkzeug's property gives, cached."""
    environ: dict[str, object] = {"REQUEST_METHOD": "POST", "wsgi.input": None}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    if encoding is not None:
        environ["HTTP_TRANSFER_ENCODING"] = encoding
    expected = Request(dict(environ)).content_length
    fresh = Request(dict(environ))
    assert expected == inputs._content_length(fresh)
    assert "content_length" in fresh.__dict__  # cached, as the property caches it
    assert expected == fresh.content_length


def test_a_request_class_with_its_own_length_is_asked() -> None:
    """A host's request class that computes the length itself keeps doing so."""

    class Fixed(Request):
        @property
        def content_length(self) -> int | None:
            return 5

    app = Flask("own-length")
    app.request_class = Fixed
    with app.test_request_context(method="POST", data=b"{}") as ctx:
        assert 5 == inputs._content_length(ctx.request)
