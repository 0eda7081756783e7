"""Display names: nothing invisible passes, and look-alike names share one key."""

from __future__ import annotations

import doctest
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import threadkit.names
from threadkit.errors import ValidationError
from threadkit.identity import AnonymousProvider
from threadkit.names import has_visible_character, name_key, require_visible_name, skeleton

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d",  # zero-width space, non-joiner, joiner
    "\u3164",  # Hangul filler: a letter that draws nothing
    "\ufe0f",  # variation selector
    "\u0301\u0301",  # combining marks with nothing to sit on
    "\u00ad",  # soft hyphen
    "\u2060\ufeff",  # word joiner, zero-width no-break space
]

LOOKALIKES = [
    ("Demo Moderator", "demo moderator"),
    ("Demo Moderator", "DEMO MODERATOR"),
    ("Demo Moderator", "Dem0 Moderator"),
    ("Demo Moderator", "Demo Rnoderator"),
    ("Demo Moderator", "Demo\u00a0\u00a0Moderator"),  # no-break spaces
    (
        "Demo Moderator",
        "\uff24\uff45\uff4d\uff4f \uff2d\uff4f\uff44\uff45\uff52\uff41\uff54\uff4f\uff52",
    ),
    ("admin", "\u0430dmin"),  # Cyrillic a
    ("admin", "\uff41\uff44\uff4d\uff49\uff4e"),  # fullwidth
    ("admin", "ad\u200bmin"),  # zero-width space inside
    ("admin", "a\u200dd\u2060m\u00adin"),
    ("larry", "Iarry"),  # capital i
    ("paypal", "p\u0430yp\u0430l"),
]

DIFFERENT = [("Ada", "Bob"), ("Ada", "Adam"), ("Zo\u00eb", "Zoe"), ("Demo Moderator", "Demo")]


def test_the_module_examples_run() -> None:
    """The doctests in threadkit.names pass."""
    assert 0 == doctest.testmod(threadkit.names).failed


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_names_are_refused(name: str) -> None:
    """A name with nothing a reader can see is refused with code invisible_name."""
    with pytest.raises(ValidationError) as caught:
        require_visible_name(name)
    assert ("invisible_name", "name") == (caught.value.code, caught.value.field)


@pytest.mark.parametrize(
    "name", ["Ada", "Zo\u00eb \U0001f469\u200d\U0001f4bb", "\u674e", "!", "\U0001f44d"]
)
def test_visible_names_pass(name: str) -> None:
    """Letters, digits, punctuation and emoji count as visible (ZWJ inside an emoji is fine)."""
    assert name == require_visible_name(name)


@pytest.mark.parametrize("name", INVISIBLE)
def test_the_anonymous_form_refuses_an_invisible_name(name: str) -> None:
    """AnonymousProvider.identify refuses a name that would show as blank, naming the field."""
    with pytest.raises(ValidationError) as caught:
        AnonymousProvider().identify({"name": name}, "browser-1")
    assert ("invisible_name", "name") == (caught.value.code, caught.value.field)


@pytest.mark.parametrize(("real", "fake"), LOOKALIKES)
def test_lookalike_names_share_a_key(real: str, fake: str) -> None:
    """NFKC, default-ignorables, TR39 skeleton and case folding make look-alikes equal."""
    assert name_key(real) == name_key(fake)


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    """Names a reader tells apart keep different keys."""
    assert name_key(one) != name_key(other)


def test_a_name_with_nothing_visible_has_an_empty_key() -> None:
    """The key of spaces and zero-width characters is empty."""
    assert "" == name_key(" \u200b \u2060 ")


def test_skeleton_maps_greek_and_cyrillic_lookalikes_together() -> None:
    """TR39: Latin o, Greek omicron and Cyrillic o have one skeleton."""
    assert 1 == len({skeleton("o"), skeleton("\u03bf"), skeleton("\u043e")})


@given(
    st.text(st.characters(categories=["Lu", "Ll", "Nd"]), min_size=1, max_size=12),
    st.integers(0, 12),
    st.sampled_from(["\u200b", "\u200c", "\u2060", "\ufeff", "\u00ad"]),
)
def test_an_invisible_character_anywhere_changes_no_key(text: str, at: int, hidden: str) -> None:
    """Inserting a default-ignorable code point never changes what a name looks like."""
    assert name_key(text) == name_key(text[:at] + hidden + text[at:])


@given(st.text(min_size=0, max_size=20))
def test_a_visible_name_never_has_an_empty_key(text: str) -> None:
    """Whatever passes the visibility rule has something to compare (a non-empty key)."""
    assume(has_visible_character(text))
    assert "" != name_key(text)


def _key_by_definition(name: str) -> str:
    """name_key written out one character at a time, as its docstring defines it."""
    table = threadkit.names._prototypes()

    def skeleton_of(text: str) -> str:
        mapped = "".join(table.get(char, char) for char in unicodedata.normalize("NFD", text))
        return unicodedata.normalize("NFD", mapped)

    text = unicodedata.normalize("NFKC", name)
    text = "".join(char for char in text if not threadkit.names.is_default_ignorable(char))
    text = "".join(" " if char in threadkit.names._BLANK_SYMBOLS else char for char in text)
    return " ".join(skeleton_of(skeleton_of(text).casefold()).split())


# Characters the fast name_key treats specially: every ignorable range's ends and a
# neighbour outside, the blank symbols, and code points with a confusable prototype.
_EDGES = sorted(
    {
        chr(point)
        for low, high in threadkit.names._IGNORABLE
        for point in (low - 1, low, (low + high) // 2, high, high + 1)
    }
    | set(threadkit.names._BLANK_SYMBOLS)
    | set(list(threadkit.names._prototypes())[::97])
)


def test_name_key_is_its_definition_at_every_edge() -> None:
    """Each special character, alone and between letters, gets the key its definition gives."""
    names = [name for char in _EDGES for name in (char, f"a{char}b", f"{char} {char}")]
    assert [_key_by_definition(name) for name in names] == [name_key(name) for name in names]


@given(st.text(st.one_of(st.characters(), st.sampled_from(_EDGES)), max_size=24))
def test_name_key_is_its_definition(name: str) -> None:
    """The regex and translate-table name_key equals the per-character definition."""
    assert _key_by_definition(name) == name_key(name)


def _visible_by_definition(name: str) -> bool:
    """has_visible_character written out one character at a time."""
    return any(
        unicodedata.category(char)[0] in "LNPS"
        and not threadkit.names.is_default_ignorable(char)
        and char not in threadkit.names._BLANK_SYMBOLS
        for char in name
    )


def test_has_visible_character_is_its_definition_for_every_ascii_character() -> None:
    """Its ASCII shortcut: every printable ASCII character is visible, no other is."""
    names = [chr(point) for point in range(128)]
    assert [_visible_by_definition(n) for n in names] == [has_visible_character(n) for n in names]


@given(st.text(st.one_of(st.characters(), st.sampled_from(_EDGES)), max_size=12))
def test_has_visible_character_is_its_definition(name: str) -> None:
    """On any text, the same answer as the per-character definition."""
    assert _visible_by_definition(name) == has_visible_character(name)
