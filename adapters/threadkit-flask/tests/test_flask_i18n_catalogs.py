"""The translation catalogs are complete: every string extracted, translated, placeholders kept."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from threadkit_web import i18n

ADAPTERS = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT_LANGUAGE]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _extracted() -> set[str | tuple[str, str]]:
    """Every msgid Babel extracts from the sources with babel.cfg (as ``pybabel extract``)."""
    # The map is babel.cfg itself, so a source added there is checked here too.
    with (ADAPTERS / "threadkit-web" / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, **i18n.JS_KEYWORDS}
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ADAPTERS), method_map, options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def _catalog(language: str) -> Catalog:
    path = i18n.CATALOGS / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _ids(catalog: Catalog) -> set[str | tuple[str, str]]:
    return {m.id if isinstance(m.id, str) else (m.id[0], m.id[1]) for m in catalog if m.id}


def test_the_shipped_languages_cover_rtl_cjk_and_complex_plurals() -> None:
    """At least 12 languages, one right to left, one CJK, one with three or more plural forms."""
    folders = sorted(p.name for p in i18n.CATALOGS.iterdir() if p.is_dir())
    assert (sorted(TRANSLATED), True, True, True, True) == (
        folders,
        len(i18n.LANGUAGES) >= 12,
        any(i18n.direction(lang) == "rtl" for lang in i18n.LANGUAGES),
        bool({"ja", "zh_Hans", "ko"} & set(i18n.LANGUAGES)),
        any(_catalog(lang).num_plurals >= 3 for lang in TRANSLATED),
    )


def test_the_template_holds_every_string_the_sources_mark() -> None:
    """threadkit.pot is what pybabel extract makes of the sources now: nothing new or stale."""
    with (i18n.CATALOGS / "threadkit.pot").open("rb") as handle:
        template = read_po(handle)
    assert _extracted() == _ids(template)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_translates_every_string(language: str) -> None:
    """Each catalog has exactly the extracted msgids, none fuzzy, every form non-empty."""
    catalog = _catalog(language)
    untranslated = [
        m.id
        for m in catalog
        if m.id
        and (
            m.fuzzy
            or not m.string
            or (isinstance(m.id, tuple) and len(m.string) != catalog.num_plurals)
            or (isinstance(m.string, tuple) and not all(m.string))
        )
    ]
    assert (_extracted(), []) == (_ids(catalog), untranslated)


def _forms_used_once(catalog: Catalog) -> set[int]:
    """Plural forms that only one count in 0..1000 takes (they may say the number in words)."""
    choose = gettext.c2py(catalog.plural_expr)
    counts: dict[int, int] = {}
    for n in range(1001):
        counts[choose(n)] = counts.get(choose(n), 0) + 1
    return {form for form, used in counts.items() if used == 1}


def _placeholder_errors(message: Message, once: set[int]) -> list[str]:
    if isinstance(message.id, str):
        expected = set(PLACEHOLDER.findall(message.id))
        got = set(PLACEHOLDER.findall(str(message.string)))
        return [] if expected == got else [f"{message.id!r}: {sorted(got)} != {sorted(expected)}"]
    expected = set(PLACEHOLDER.findall(message.id[1]))
    errors = []
    for index, form in enumerate(message.string):
        got = set(PLACEHOLDER.findall(form))
        # A form only one count takes ("one", "two" in Arabic) may write that number as a word.
        allowed = [expected, expected - {"count", "num"}] if index in once else [expected]
        if got not in allowed:
            errors.append(f"{message.id[1]!r} form {index}: {sorted(got)} != {sorted(expected)}")
    return errors


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_the_placeholders(language: str) -> None:
    """%(name)s placeholders are the same set in msgid and msgstr (and in every plural form)."""
    catalog = _catalog(language)
    once = _forms_used_once(catalog)
    errors = [error for m in catalog if m.id for error in _placeholder_errors(m, once)]
    assert [] == errors
