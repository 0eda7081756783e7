"""The post checks' shortcuts answer what their full checks answer (issue 12)."""

from __future__ import annotations

import sys
import unicodedata
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from threadkit._rules import check_body
from threadkit.errors import ValidationError
from threadkit.limits import utf8_size
from threadkit.models import Action, Candidate, Identity, RequestContext, Thread, Verdict
from threadkit.moderation import SizeLimits
from threadkit.moderation._text import count_links, is_blank, links_at_most
from threadkit.text import clean_name, is_refused_character

_NOW = datetime(2026, 12, 2, tzinfo=UTC)

# Letters of every UTF-8 length, a lone surrogate (3 bytes), spaces and invisible ones.
_text = st.text(
    st.sampled_from(["a", "é", "日", "👍", "\ud800", " ", "\u200b", "\n", "\x00"]), max_size=40
)
_limit = st.one_of(st.none(), st.integers(0, 120))


def expected_reasons(limits: SizeLimits, candidate: Candidate) -> list[str]:
    """The reason codes SizeLimits gives, by its documented rules."""
    codes = ["empty_body"] if is_blank(candidate.body) else []
    author = candidate.author
    for field, value, chars, size in (
        ("body", candidate.body, limits.body_chars, limits.body_bytes),
        ("name", author.name, limits.name_chars, limits.name_bytes),
        ("url", author.url or "", limits.url_chars, limits.url_bytes),
        ("email", author.email or "", limits.email_chars, limits.email_bytes),
    ):
        if chars is not None and len(value) > chars:
            codes.append(f"{field}_too_long")
        if size is not None and utf8_size(value) > size:
            codes.append(f"{field}_too_large")
    return codes


@settings(max_examples=400, deadline=None)
@given(
    body=_text,
    name=_text,
    url=_text,
    email=_text,
    limits=st.lists(_limit, min_size=8, max_size=8),
)
def test_size_limits_answer_by_their_rules(
    body: str, name: str, url: str, email: str, limits: list[int | None]
) -> None:
    """Whatever the text and limits, the verdict has exactly the reasons the rules give."""
    step = SizeLimits(
        body_chars=limits[0],
        body_bytes=limits[1],
        name_chars=limits[2],
        name_bytes=limits[3],
        url_chars=limits[4],
        url_bytes=limits[5],
        email_chars=limits[6],
        email_bytes=limits[7],
    )
    candidate = Candidate(
        thread=Thread("t", _NOW),
        author=Identity("anonymous", "a", name, email=email or None, url=url or None),
        body=body,
        context=RequestContext(),
        now=_NOW,
    )
    verdict = step.check(candidate)
    codes = expected_reasons(step, candidate)
    assert codes == [reason.code for reason in verdict.reasons]
    assert (Action.REJECT if codes else Action.ACCEPT) == verdict.action
    if not codes:
        assert Verdict.accept() == verdict


_PIECES = st.sampled_from(
    [
        "&", "Q&A", "& ", "&amp;", "&#46;", "&#x2F;", "&period;", "&colon;", "&sol;", "&;",
        "&#;", ";", "#", "www", ".", "w", "http", ":", "/", "[", "](", ")", "<", ">", " ",
        "\n", "`", "\\", "a", "com",
    ]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_links_at_most_never_undercounts_with_ampersands(source: str) -> None:
    """An "&" that starts no entity cannot make a link appear: the bound still holds."""
    assert count_links(source) <= links_at_most(source)


def test_an_entity_that_spells_a_url_is_counted() -> None:
    """``www&period;`` reads as ``www.``: such a source is parsed, not guessed."""
    source = "www&period;example&period;org and http&colon;&sol;&sol;example.org/x"
    assert count_links(source) == links_at_most(source) == 2


def reference_body_error(body: str, max_bytes: int) -> str | None:
    """The error code check_body gives, by its rules in their order (None: accepted)."""
    if not body.strip():
        return "empty_body"
    if "\x00" in body:
        return "invalid_body"
    if utf8_size(body) > max_bytes:
        return "body_too_large"
    if any(unicodedata.category(char) == "Cs" for char in body):
        return "invalid_body"
    return None


@settings(max_examples=500, deadline=None)
@given(
    body=st.text(
        st.sampled_from(["a", "é", "日", "👍", "\ud800", "\udfff", " ", "\n", "\x00", "\t"]),
        max_size=30,
    ),
    max_bytes=st.integers(0, 100),
)
def test_check_body_refuses_by_its_rules(body: str, max_bytes: int) -> None:
    """Blank, NUL, too large (a lone surrogate counts 3 bytes), then lone surrogates, in order."""
    try:
        assert body == check_body(body, max_bytes=max_bytes)
        code = None
    except ValidationError as error:
        code = error.code
    assert reference_body_error(body, max_bytes) == code


def test_no_refused_character_is_printable() -> None:
    """The name cleaner skips its scan for printable text: no code point it refuses is."""
    assert [] == [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if is_refused_character(chr(code)) and chr(code).isprintable()
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(["a", "é", " ", "\t", "\u202e", "\x07", "\U000e0041", "\u200d"])))
def test_clean_name_refuses_control_characters_by_its_rules(value: str) -> None:
    """A name with a refused character (after TAGs are dropped) is refused, any other kept."""
    kept = " ".join(unicodedata.normalize("NFC", value.replace("\U000e0041", "")).split())
    refused = any(is_refused_character(char) for char in kept)
    try:
        assert kept == clean_name(value)
        code = None
    except ValidationError as error:
        code = error.code
    assert ("control_characters" if refused else "required" if not kept else None) == code
