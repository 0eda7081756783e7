"""Every reader's language: the choice of language, translated threads, dates, numbers, errors."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from threadkit_flask import i18n
from threadkit_web import i18n as web_i18n
from tkflask_support import create_app, new_comment

from threadkit.engine import CommentEngine

PAGE = "/posts/post-1"
FRAGMENT = "/comments/fragments/threads/post-1"


def _section(html: str) -> str:
    """The opening tag of the thread's <section>."""
    found = re.search(r"<section class=\"tk-thread\"[^>]*>", html)
    assert found is not None
    return found.group(0)


def _get(client: FlaskClient, path: str = PAGE, language: str | None = None) -> str:
    headers = {"Accept-Language": language} if language else {}
    response = client.get(path, headers=headers)
    assert 200 == response.status_code
    return response.get_data(as_text=True)


def test_english_is_the_default_when_nothing_asks_for_another(client: FlaskClient) -> None:
    """No Accept-Language and no host setting: the English strings and lang="en" dir="ltr"."""
    html = _get(client)
    assert ('lang="en"', 'dir="ltr"', True) == (
        re.search(r'lang="[^"]+"', _section(html))[0],  # type: ignore[index]
        re.search(r'dir="[^"]+"', _section(html))[0],  # type: ignore[index]
        "Leave a Reply" in html,
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "de"),
        ("sv, pt-BR;q=0.8", "pt_BR"),
        ("zh-CN", "zh_Hans"),
        ("sv, no", "en"),
    ],
)
def test_accept_language_picks_the_best_shipped_language(
    client: FlaskClient, header: str, expected: str
) -> None:
    """The first tag of Accept-Language that names a shipped language wins; none: English."""
    html = _get(client, language=header)
    assert f'lang="{web_i18n.html_lang(expected)}"' in _section(html)


def test_the_host_setting_wins_over_accept_language(engine: CommentEngine) -> None:
    """THREADKIT_LOCALE = "fr" renders French even for a reader whose browser asks German."""
    app = create_app(engine, config={"THREADKIT_LOCALE": "fr"})
    html = _get(app.test_client(), language="de")
    assert ('lang="fr"', True) == (
        re.search(r'lang="[^"]+"', _section(html))[0],  # type: ignore[index]
        "Laisser un commentaire" in html,
    )


def test_a_locale_callable_decides_per_request_and_none_falls_back(engine: CommentEngine) -> None:
    """A callable's answer wins; when it says None, Accept-Language decides."""
    app = create_app(engine, config={"THREADKIT_LOCALE": lambda: request.args.get("hl")})
    client = app.test_client()
    chosen = _get(client, PAGE + "?hl=ja", language="de")
    fallback = _get(client, PAGE, language="de")
    assert ('lang="ja"', 'lang="de"') == (
        re.search(r'lang="[^"]+"', _section(chosen))[0],  # type: ignore[index]
        re.search(r'lang="[^"]+"', _section(fallback))[0],  # type: ignore[index]
    )


def test_arabic_pages_are_right_to_left(client: FlaskClient) -> None:
    """An Arabic reader's section says lang="ar" dir="rtl"."""
    section = _section(_get(client, language="ar"))
    assert ('lang="ar"', 'dir="rtl"') == (
        re.search(r'lang="[^"]+"', section)[0],  # type: ignore[index]
        re.search(r'dir="[^"]+"', section)[0],  # type: ignore[index]
    )


@pytest.mark.parametrize("language", web_i18n.LANGUAGES)
def test_a_thread_renders_in_every_shipped_language(client: FlaskClient, language: str) -> None:
    """Every language renders the thread with its own words for the form and the count."""
    new_comment(client, body="hello")
    new_comment(client, body="again")
    html = _get(client, language=web_i18n.html_lang(language))
    # The JS catalog's keys are the English strings; everything else must be translated.
    text = unescape(re.sub(r'data-tk-i18n="[^"]*"', "", html))
    translate = web_i18n.translations(language)
    expected_heading = translate.ngettext("One comment", "%(count)s comments", 2) % {"count": "2"}
    expected_form = translate.gettext("Leave a Reply")
    assert (True, True, True) == (
        f'lang="{web_i18n.html_lang(language)}"' in _section(html),
        expected_form in text,
        expected_heading.split("%")[0] in text or expected_heading in text,
    )
    if language != "en":
        assert [] == [word for word in ("Leave a Reply", "Post Comment", "Reply<") if word in text]


def test_polish_has_three_forms_for_more_replies() -> None:
    """Polish says odpowiedź / odpowiedzi by the count's form (1, 2-4, 5+)."""
    pl = web_i18n.translations("pl")
    forms = [pl.ngettext("%(num)s more reply", "%(num)s more replies", n) for n in (1, 3, 5, 22)]
    assert [
        "jeszcze %(num)s odpowiedź",
        "jeszcze %(num)s odpowiedzi",
        "jeszcze %(num)s odpowiedzi",
        "jeszcze %(num)s odpowiedzi",
    ] == forms
    ru = web_i18n.translations("ru")
    assert ["%(count)s комментарий", "%(count)s комментария", "%(count)s комментариев"] == [
        ru.ngettext("One comment", "%(count)s comments", n) for n in (21, 3, 11)
    ]


def test_numbers_and_dates_follow_the_language(app: Flask) -> None:
    """1200 is "1,200" in English and "1.200" in German; dates use the language's month names."""
    moment = datetime(2026, 3, 3, 10, 5, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "de"}):
        german = (i18n.format_number(1200), i18n.format_when(moment))
    with app.test_request_context():
        english = i18n.format_number(1200)
    assert (("1.200", "3. März 2026, 10:05 UTC"), "1,200") == (german, english)


def test_a_german_comment_shows_a_german_date(client: FlaskClient) -> None:
    """The comment's time is written in German, with the exact ISO time in <time datetime>."""
    new_comment(client, body="hallo")
    html = _get(client, language="de")
    found = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert found is not None
    moment = datetime.fromisoformat(found[1])
    assert i18n.format_when(moment, "de") == unescape(found[2])


def test_reader_errors_are_translated_by_code(client: FlaskClient) -> None:
    """A no-JS post with an empty body shows the German message for empty_body."""
    html = _get(client, language="de")
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]  # type: ignore[index]
    response = client.post(
        "/comments/threads/post-1/comments",
        data={"csrf_token": token, "body": "", "name": "Ada", "next": PAGE},
        headers={"Accept-Language": "de"},
    )
    assert "Bitte schreiben Sie einen Kommentar, bevor Sie ihn absenden." in unescape(
        response.get_data(as_text=True)
    )


def test_the_js_catalog_carries_the_readers_translations(client: FlaskClient) -> None:
    """data-tk-i18n holds the page's language, its strings and its plural categories."""
    html = _get(client, language="ru")
    raw = re.search(r'data-tk-i18n="([^"]+)"', html)[1]  # type: ignore[index]
    catalog = json.loads(unescape(raw))
    assert (
        "ru",
        "Ваш комментарий опубликован.",
        {"one", "few", "many"} <= set(catalog["plurals"]["One comment"]),
    ) == (
        catalog["lang"],
        catalog["messages"]["Your comment was posted."],
        True,
    )


def test_a_german_reader_never_gets_the_english_cached_fragment(engine: CommentEngine) -> None:
    """The cached fragment is keyed by the chosen language, also when the host chooses it."""
    app = create_app(engine, config={"THREADKIT_LOCALE": lambda: request.cookies.get("hl")})
    writer = app.test_client()
    new_comment(writer, body="hello")
    english = app.test_client()
    german = app.test_client()
    german.set_cookie("hl", "de")
    first = _get(english, FRAGMENT)
    second = _get(german, FRAGMENT)
    assert ("Reply", "Antworten") == (
        re.search(r'class="tk-reply-link"[^>]*>([^<]+)<', first)[1],  # type: ignore[index]
        re.search(r'class="tk-reply-link"[^>]*>([^<]+)<', second)[1],  # type: ignore[index]
    )


def test_threadkits_own_pages_speak_the_readers_language(client: FlaskClient) -> None:
    """The edit page of a missing comment is a German error page with lang="de" on <html>."""
    response = client.get(
        "/comments/comments/999999/edit?next=/posts/post-1", headers={"Accept-Language": "de"}
    )
    html = unescape(response.get_data(as_text=True))
    assert (404, True, True) == (
        response.status_code,
        '<html lang="de" dir="ltr">' in html,
        "Das hat leider nicht geklappt" in html,
    )


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("oldest", "Newer comments"), ("newest", "Older comments"), ("top", "More comments")],
)
def test_the_next_page_link_is_named_by_where_it_leads(
    client: FlaskClient, sort: str, expected: str
) -> None:
    """Oldest first pages on to newer comments, newest first to older ones, top to more."""
    for number in range(5):
        new_comment(client, body=f"number {number}")
    html = _get(client, f"{PAGE}?tk_sort={sort}")
    found = re.search(r'class="tk-older"[^>]*>([^<]+)</a>', html)
    assert found is not None
    assert expected == found[1]


def test_a_later_page_links_back_to_the_first(client: FlaskClient) -> None:
    """Without JS, page 2 has a link to page 1 (the page without a cursor); page 1 has none."""
    for number in range(5):
        new_comment(client, body=f"number {number}")
    first = _get(client)
    later_href = re.search(r'class="tk-older" href="([^"]+)"', first)[1]  # type: ignore[index]
    later = _get(client, unescape(later_href))
    back = re.search(r'class="tk-first" href="([^"]+)"', later)
    assert (None, "/posts/post-1#comments-1") == (
        re.search(r'class="tk-first"', first),
        back[1] if back else None,
    )
    assert "number 0" in _get(client, unescape(back[1]).split("#")[0])  # type: ignore[index]
