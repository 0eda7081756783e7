"""Request parsing, problems, languages and settings of the shared layer, from plain values."""

from __future__ import annotations

import json

import pytest
from threadkit_web import i18n, inputs, problems
from threadkit_web.settings import read_settings
from web_support import PlainRequest

from threadkit.errors import RateLimitedError, ThreadkitError, ValidationError
from threadkit.models import Status

_MULTIPART = (
    b"--XX\r\n"
    b'Content-Disposition: form-data; name="body"\r\n\r\n'
    b"caf\xc3\xa9\r\n"
    b"--XX\r\n"
    b'Content-Disposition: form-data; name="upload"; filename="a.bin"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
    b"\xff\xfe\r\n"
    b"--XX--\r\n"
)


def _error(call: object, *args: object) -> tuple[int, str, str | None]:
    with pytest.raises(ThreadkitError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.http_status, caught.value.code, caught.value.field


def test_multipart_fields_are_read_and_files_left_out() -> None:
    """A multipart form yields its text fields as raw bytes; a file part is skipped."""
    fields = list(inputs.raw_form_fields(_MULTIPART, "multipart/form-data", {"boundary": "XX"}))
    assert [(b"body", "café".encode())] == fields
    inputs.check_form_encoding(_MULTIPART, "multipart/form-data", {"boundary": "XX"})


def test_a_form_field_that_is_not_utf8_is_a_400_naming_it() -> None:
    """%C0%80 in a urlencoded field, or raw bytes in a multipart one, is 400 invalid_utf8."""
    bad = _MULTIPART.replace(b"caf\xc3\xa9", b"caf\xe9")
    assert [(400, "invalid_utf8", "name"), (400, "invalid_utf8", "body")] == [
        _error(inputs.check_form_encoding, b"name=%C0%80", inputs.FORM_TYPES[0], {}),
        _error(inputs.check_form_encoding, bad, "multipart/form-data", {"boundary": "XX"}),
    ]


def test_json_bodies_must_be_json_objects_in_utf8() -> None:
    """Another media type or charset is 415; an object comes back as a dict."""
    assert {"a": 1} == inputs.json_object(b'{"a": 1}', "application/json", {})
    assert [(415, "unsupported_media_type"), (415, "unsupported_charset")] == [
        _error(inputs.json_object, b"{}", "text/plain", {})[:2],
        _error(inputs.json_object, b"{}", "application/json", {"charset": "latin-1"})[:2],
    ]


def test_query_values_are_checked() -> None:
    """Limit must be 1..MAX_QUERY_LIMIT; status pending/spam; both default sensibly."""
    assert 5 == inputs.query_limit(PlainRequest(query="limit=5"), "limit")
    assert inputs.query_limit(PlainRequest(), "limit") is None
    assert (422, "invalid_limit", "limit") == _error(
        inputs.query_limit, PlainRequest(query="limit=0"), "limit"
    )
    assert (Status.PENDING, Status.SPAM) == inputs.query_statuses(PlainRequest())
    assert (Status.SPAM,) == inputs.query_statuses(PlainRequest(query="status=spam&status=spam"))
    assert (422, "invalid_status", "status") == _error(
        inputs.query_statuses, PlainRequest(query="status=approved")
    )


def test_a_rate_limit_problem_says_when_to_retry() -> None:
    """A 429 carries Retry-After (whole seconds, at least 1) in a header and the body."""
    problem = problems.from_error(RateLimitedError("rate_limited", "Slow down.", retry_after=0.2))
    body = json.loads(problem.content())
    assert (429, {"Retry-After": "1", "Vary": "Accept-Language"}, 1, "rate_limited") == (
        problem.status,
        dict(problem.headers),
        body["retry_after"],
        body["code"],
    )


def test_a_translated_problem_tells_caches_it_depends_on_the_language() -> None:
    """The detail follows Accept-Language, so a shared cache must not hand German to French."""
    german = problems.from_error(ValidationError("required", "x", field="email"), "de")
    english = problems.from_error(ValidationError("required", "x", field="email"), "en")
    assert "Accept-Language" == german.headers["Vary"]
    assert german.detail != english.detail


def test_a_framework_error_gets_the_table_code_and_rfc_9110_title() -> None:
    """A 413 from a framework is request_too_large, titled 'Content Too Large' on any Python."""
    body = problems.from_status(413).body()
    assert ("request_too_large", "Content Too Large", "Content Too Large") == (
        body["code"],
        body["title"],
        body["detail"],
    )


def test_the_language_is_the_hosts_else_accept_language_else_english() -> None:
    """Quality order wins, q=0 is never chosen, unshipped tags fall through."""
    assert ["de", "fr"] == i18n.accept_language_tags("fr;q=0.5, de, es;q=0")
    assert "pt_BR" == i18n.choose_language("pt-br", ["de"])
    assert "de" == i18n.choose_language(None, i18n.accept_language_tags("sv, de-AT;q=0.9"))
    assert "en" == i18n.choose_language("sv", i18n.accept_language_tags("es;q=0"))


def test_a_bad_setting_names_its_key() -> None:
    """read_settings refuses a wrong value with the setting's name in the message."""
    with pytest.raises(TypeError, match="THREADKIT_TOKEN_TTL"):
        read_settings({"THREADKIT_TOKEN_TTL": "soon"})
    with pytest.raises(TypeError, match="THREADKIT_FEED_LIMIT"):
        read_settings({"THREADKIT_FEED_LIMIT": 0})
