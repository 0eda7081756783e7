"""Tests for threadkit.redirects.safe_next: no open redirects."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import threadkit.redirects
from threadkit.redirects import MAX_NEXT_CHARS, safe_next


def test_doctests_pass() -> None:
    """The examples in the module's docstring are true."""
    expected = 0
    actual = doctest.testmod(threadkit.redirects).failed
    assert expected == actual


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/blog/hello-world",
        "/blog/hello?page=2&sort=newest",
        "/blog/hello#comment-42",
        "/blog/hello?next=//evil.example#x",
        "/search?q=hello%20world",
        "/caf%C3%A9",
        "/a/b/../c",
        "/@user",
    ],
)
def test_same_origin_paths_are_kept_with_query_and_fragment(target: str) -> None:
    """A path on this site comes back unchanged, query and fragment included."""
    actual = safe_next(target, "/fallback")
    assert target == actual


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "http://evil.example/",
        "https://evil.example/",
        "HTTPS://evil.example/",
        "javascript:alert(1)",
        "data:text/html,x",
        "evil.example",
        "blog/relative",
        " /blog",
        "\t/blog",
        "\n//evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/blog\r\nSet-Cookie: x=1",
        "/%2F%2Fevil.example",
        "/%2f%2fevil.example",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/%09/evil.example",
        "/%0D%0A/evil.example",
        "/%252F%252Fevil.example",
        "/%25252F%25252Fevil.example",
        "/./%2Fevil.example",
        "/.//evil.example",
        "/x/..//evil.example",
        "/blog/%00",
        "/\u2028/evil.example",
        "/\u200b/evil.example",
        "/\u3000/evil.example",
        "/" + "a" * MAX_NEXT_CHARS,
    ],
)
def test_anything_that_could_leave_the_site_falls_back(target: str | None) -> None:
    """Schemes, protocol-relative forms, backslashes, controls and encoded variants fall back."""
    actual = safe_next(target, "/fallback")
    assert "/fallback" == actual


@pytest.mark.parametrize("fallback", ["//evil.example", "https://evil.example", "", "/\\x"])
def test_an_unsafe_fallback_becomes_root(fallback: str) -> None:
    """The fallback is checked too; an unsafe one gives "/"."""
    actual = safe_next("//evil.example", fallback)
    assert "/" == actual


def test_non_string_target_falls_back() -> None:
    """A value of the wrong type (e.g. a list from a query parser) falls back."""
    actual = safe_next(["/x"], "/fallback")  # type: ignore[arg-type]
    assert "/fallback" == actual


_URLISH = st.lists(
    st.sampled_from([*"/\\%2FfC5c09aAdD.:?#@ \t\n\x00evil", "%2F", "%5C", "%09", "%25"]),
    max_size=24,
).map("".join)


@given(target=st.one_of(st.none(), st.text(), _URLISH), fallback=st.one_of(st.text(), _URLISH))
def test_result_always_starts_with_a_single_slash(target: str | None, fallback: str) -> None:
    """Whatever the inputs, the result starts with one "/" not followed by "/" or a backslash."""
    result = safe_next(target, fallback)
    assert "/" == result[0]
    assert result[1:2] not in ("/", "\\")
