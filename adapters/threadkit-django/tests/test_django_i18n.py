"""The reader's language on Django: the host's setting first, then Accept-Language; RTL, plurals."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from threadkit_django import get_state

from threadkit.models import Identity, Submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_state")]


def _section(html: str) -> str:
    """The opening tag of the thread's <section>."""
    found = re.search(r'<section class="tk-thread"[^>]*>', html)
    assert found is not None
    return found[0]


def _page(slug: str = "hello", language: str = "de") -> str:
    answer = Client().get(f"/posts/{slug}/", headers={"Accept-Language": language})
    assert 200 == answer.status_code
    return answer.content.decode()


@override_settings(THREADKIT_LOCALE="fr")
def test_the_hosts_setting_wins_over_the_browser() -> None:
    """THREADKIT_LOCALE = "fr" renders French for a reader whose browser asks German."""
    html = _page(language="de")
    assert ('lang="fr"', True) == (
        re.search(r'lang="[^"]+"', _section(html))[0],  # type: ignore[index]
        "Laisser un commentaire" in html,
    )


@override_settings(THREADKIT_LOCALE=lambda: None)
def test_a_callable_that_says_none_leaves_it_to_the_browser() -> None:
    """The host's callable answers None: Accept-Language decides (Arabic, right to left)."""
    section = _section(_page(language="ar"))
    assert ('lang="ar"', 'dir="rtl"') == (
        re.search(r'lang="[^"]+"', section)[0],  # type: ignore[index]
        re.search(r'dir="[^"]+"', section)[0],  # type: ignore[index]
    )


def test_polish_counts_take_their_plural_forms() -> None:
    """1, 2 and 5 comments in Polish use three different words (one, few, many)."""
    engine = get_state().engine
    words = []
    for count, slug in ((1, "one"), (2, "two"), (5, "five")):
        for n in range(count):
            engine.post(slug, Submission(f"c{n}"), Identity("site", str(n), f"U{n}"))
        heading = re.search(r'<h2 class="tk-title"[^>]*>([^<]+)<', _page(slug, "pl"))
        assert heading is not None
        words.append(heading[1].split()[1])
    assert ["komentarz", "komentarze", "komentarzy"] == words
