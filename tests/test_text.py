"""Tests for threadkit.text: the name, email and website validators."""

from __future__ import annotations

import doctest
import unicodedata

import idna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import threadkit.text
from threadkit.errors import ValidationError
from threadkit.text import clean_email, clean_name, clean_url


def test_doctests_pass() -> None:
    """The examples in the module's docstrings are true."""
    expected = 0
    actual = doctest.testmod(threadkit.text).failed
    assert expected == actual


# --------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada", "Ada"),
        ("  Ada \t\n Lovelace  ", "Ada Lovelace"),
        ("<b>Bold</b>", "<b>Bold</b>"),
        ("Zoe\u0308", "Zoë"),  # decomposed e + diaeresis becomes the composed form
        ("👩‍👩‍👧 family", "👩‍👩‍👧 family"),
        ("🇺🇦 👍🏽", "🇺🇦 👍🏽"),
        ("سلام", "سلام"),
    ],
)
def test_clean_name_keeps_plain_text_and_normalizes(raw: str, expected: str) -> None:
    """Names are trimmed, whitespace-collapsed, NFC-normalized; markup and emoji stay."""
    actual = clean_name(raw)
    assert expected == actual


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("   \t ", "required"),
        ("Ada\x00", "control_characters"),
        ("Ada\x1b[31m", "control_characters"),
        ("Ada\u202egnp.exe", "control_characters"),
        ("Ada\u2066x", "control_characters"),
        ("x" * 101, "too_long"),
    ],
)
def test_clean_name_refuses_bad_input_with_field_and_code(raw: str, code: str) -> None:
    """Empty, control-character and over-long names are refused, naming the field."""
    with pytest.raises(ValidationError) as caught:
        clean_name(raw)
    assert (code, "name") == (caught.value.code, caught.value.field)
    assert caught.value.message != code.replace("_", " ")


def test_clean_name_limit_is_configurable() -> None:
    """max_chars sets the length limit and the message states it."""
    with pytest.raises(ValidationError) as caught:
        clean_name("abcdef", max_chars=5)
    assert "5" in caught.value.message
    assert "abcde" == clean_name("abcde", max_chars=5)


def test_clean_name_refuses_non_text() -> None:
    """A value that is not a string is refused rather than crashing."""
    with pytest.raises(ValidationError) as caught:
        clean_name(None)
    assert "invalid" == caught.value.code


@given(st.text())
def test_clean_name_output_has_no_controls_and_is_nfc(raw: str) -> None:
    """Whatever goes in, an accepted name is NFC, trimmed and free of control characters."""
    try:
        name = clean_name(raw)
    except ValidationError:
        return
    assert unicodedata.normalize("NFC", name) == name
    assert name.strip() == name
    assert [] == [c for c in name if unicodedata.category(c) == "Cc"]


# -------------------------------------------------------------------- emails


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ada@example.org", "ada@example.org"),
        (" Ada.Lovelace+c@Example.ORG ", "Ada.Lovelace+c@example.org"),
        ("x@sub.example.co.uk.", "x@sub.example.co.uk"),
        ("zoë@exämple.org", "zoë@exämple.org"),
    ],
)
def test_clean_email_accepts_and_lowercases_domain(raw: str, expected: str) -> None:
    """Valid addresses pass with the domain lowercased and the local part kept."""
    actual = clean_email(raw)
    assert expected == actual


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("ada", "invalid_email"),
        ("@example.org", "invalid_email"),
        ("ada@", "invalid_domain"),
        ("ada@localhost", "invalid_domain"),
        ("ada@-example.org", "invalid_domain"),
        ("ada@example..org", "invalid_domain"),
        ("ada@1.2.3.4", "invalid_domain"),
        ("a da@example.org", "invalid_email"),
        (".ada@example.org", "invalid_email"),
        ("a..da@example.org", "invalid_email"),
        ("<ada>@example.org", "invalid_email"),
        ("ada@example.org\x00", "control_characters"),
        ("a" * 65 + "@example.org", "invalid_email"),
        ("a" * 60 + "@" + ("b" * 60 + ".") * 4 + "org", "too_long"),
    ],
)
def test_clean_email_refuses_bad_addresses(raw: str, code: str) -> None:
    """Malformed addresses are refused with a code, the field and a helpful message."""
    with pytest.raises(ValidationError) as caught:
        clean_email(raw)
    assert (code, "email") == (caught.value.code, caught.value.field)


# ---------------------------------------------------------------------- urls


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.org", "https://example.org"),
        ("example.org/blog", "https://example.org/blog"),
        ("//example.org/x", "https://example.org/x"),
        ("example.org:8080/x", "https://example.org:8080/x"),
        ("HTTP://Example.ORG/Path?Q=1#Frag", "http://example.org/Path?Q=1#Frag"),
        ("https://exämple.org/ü", "https://xn--exmple-cua.org/%C3%BC"),
        ("http://127.0.0.1:5000/", "http://127.0.0.1:5000/"),
        ("http://[::1]/", "http://[::1]/"),
        ("  https://example.org/  ", "https://example.org/"),
    ],
)
def test_clean_url_normalizes_web_addresses(raw: str, expected: str) -> None:
    """http(s) addresses are normalized: scheme added, host lowercased and IDNA-encoded."""
    actual = clean_url(raw)
    assert expected == actual


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("javascript:alert(1)", "unsupported_scheme"),
        ("JaVaScRiPt:alert(1)", "unsupported_scheme"),
        (" javascript:alert(1)", "unsupported_scheme"),
        ("java\tscript:alert(1)", "invalid_url"),
        ("java\nscript:alert(1)", "invalid_url"),
        ("\x01javascript:alert(1)", "invalid_url"),
        ("data:text/html,<script>alert(1)</script>", "unsupported_scheme"),
        ("vbscript:msgbox", "unsupported_scheme"),
        ("ftp://example.org/", "unsupported_scheme"),
        ("https:example.org", "unsupported_scheme"),
        ("https://user:pass@example.org/", "invalid_url"),
        ("https://example.org@evil.example/", "invalid_url"),
        ("https:\\\\evil.example", "invalid_url"),
        ("https://exa mple.org", "invalid_url"),
        ("https://example.org/\u202etxt.exe", "invalid_url"),
        ("https://example.org:99999/", "invalid_url"),
        ("https://localhost/", "invalid_domain"),
        ("https://300.1.1.1/", "invalid_domain"),
        ("https:///path", "invalid_domain"),
        ("", "required"),
        ("https://example.org/" + "a" * 2000, "too_long"),
    ],
)
def test_clean_url_refuses_dangerous_or_malformed(raw: str, code: str) -> None:
    """Script schemes, whitespace tricks, userinfo and bad hosts are refused."""
    with pytest.raises(ValidationError) as caught:
        clean_url(raw)
    assert (code, "url") == (caught.value.code, caught.value.field)


@given(st.text())
def test_clean_url_output_is_always_http_without_spaces(raw: str) -> None:
    """Any accepted address is http(s), printable ASCII, and has no userinfo."""
    try:
        url = clean_url(raw)
    except ValidationError:
        return
    assert url.startswith(("http://", "https://"))
    assert url.isascii()
    assert [] == [c for c in url if not c.isprintable() or c.isspace()]
    assert "@" not in url.split("/")[2]


def _idna_or_error(domain: str) -> str:
    """What idna itself answers for ``domain``: its ASCII form, or the error's class name."""
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        return type(error).__name__


def _shortcut_or_error(domain: str) -> str:
    """The same question asked of text.py's shortcut."""
    try:
        return threadkit.text._idna_ascii(domain)
    except (idna.IDNAError, UnicodeError) as error:
        return type(error).__name__


_DOMAIN_EDGES = [
    "example.org",
    "a.b",
    "a---b.org",
    "ab--c.org",
    "a--b.org",
    "xn--fa-hia.de",
    "xn--.org",
    "-a.org",
    "a-.org",
    "a..b",
    ".a",
    "a" * 63 + ".org",
    "a" * 64 + ".org",
    ("a" * 62 + ".") * 4 + "org",
    ("a" * 61 + ".") * 4 + "org",
    "123.456",
    "a_b.org",
    "faß.de",
]


@pytest.mark.parametrize("domain", _DOMAIN_EDGES)
def test_the_plain_domain_shortcut_is_idna_at_the_edges(domain: str) -> None:
    """Hyphens in 3rd-4th place, A-labels, label and name lengths, empty labels, non-LDH."""
    assert _idna_or_error(domain) == _shortcut_or_error(domain)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.from_regex(threadkit.text._PLAIN_DOMAIN, fullmatch=True),
        st.lists(
            st.sampled_from(["a", "z", "0", "9", "-", "--", ".", "xn--", "A", "_", "ß", "\u3002"]),
            max_size=20,
        ).map("".join),
    )
)
def test_the_plain_domain_shortcut_is_idna(domain: str) -> None:
    """For any host name the shortcut gives idna.encode's answer (or its refusal)."""
    assert _idna_or_error(domain) == _shortcut_or_error(domain)
