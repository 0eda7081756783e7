"""The server speaks the reader's language: the embed's catalog, the login page and the admin."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from server_support import SITE_A, make_app
from test_admin_console import ADMIN_PASSWORD, form_token, post, save_settings
from threadkit_web.embed import embed_strings


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path / "i18n.db", "--admin-password", ADMIN_PASSWORD)


def _admin(app: Flask, language: str) -> FlaskClient:
    """A client logged in to the admin whose browser asks for ``language``."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    csrf = form_token(client, "/admin/login")
    answer = client.post("/admin/login", data={"csrf_token": csrf, "password": ADMIN_PASSWORD})
    assert 303 == answer.status_code
    return client


def test_embed_catalog_translates_every_string_the_script_marks(app: Flask) -> None:
    """/embed/i18n?lang=ru-RU has Russian for each _() in embed.js, readable by any site."""
    answer = app.test_client().get("/embed/i18n?lang=ru-RU")
    data = json.loads(answer.get_data(as_text=True))
    plain, _pairs = embed_strings()
    untranslated = [text for text in plain if data["messages"][text] == text]
    assert (200, "*", "ru", [], "Оставить комментарий") == (
        answer.status_code,
        answer.headers["Access-Control-Allow-Origin"],
        data["lang"],
        untranslated,
        data["messages"]["Leave a Reply"],
    )


def test_embed_catalog_sends_every_plural_category_of_the_language(app: Flask) -> None:
    """Polish gets one/few/many forms of '%(count)s comments'; Arabic is right to left."""
    client = app.test_client()
    polish = client.get("/embed/i18n?lang=pl").get_json()
    arabic = client.get("/embed/i18n?lang=ar").get_json()
    forms = polish["plurals"]["%(count)s comment"]
    assert (
        "%(count)s komentarz",
        "%(count)s komentarze",
        "%(count)s komentarzy",
        "rtl",
    ) == (forms["one"], forms["few"], forms["many"], arabic["dir"])


def test_embed_catalog_of_a_language_not_shipped_is_english(app: Flask) -> None:
    """A language threadkit has no catalog for answers English, not an error."""
    data = app.test_client().get("/embed/i18n?lang=sv").get_json()
    assert ("en", "Leave a Reply") == (data["lang"], data["messages"]["Leave a Reply"])


def test_login_page_follows_accept_language(app: Flask) -> None:
    """The admin login page is French for a French browser, with lang on <html>."""
    client = app.test_client()
    page = client.get("/admin/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert ('<html lang="fr" dir="ltr">', "Connexion administrateur", "Mot de passe") == (
        re.search(r"<html[^>]*>", page).group(0),  # type: ignore[union-attr]
        re.search(r"<h1>([^<]+)</h1>", page).group(1),  # type: ignore[union-attr]
        re.search(r'<label for="password">([^<]+)</label>', page).group(1),  # type: ignore[union-attr]
    )


def test_admin_lists_held_comments_in_german_with_the_reason_as_a_sentence(app: Flask) -> None:
    """The pending list is German: heading, buttons, status and why the site held it."""
    admin = _admin(app, "de")
    save_settings(admin, "a.example", moderation="hold-all")
    status, _body, _key = post(app.test_client(), "Hallo", origin=SITE_A)
    page = admin.get("/admin/comments?list=pending").get_data(as_text=True)
    assert 202 == status or 201 == status
    assert [True, True, True, True, False] == [
        "<h1>Ausstehende Kommentare</h1>" in page,
        "Diese Website prüft jeden Kommentar zuerst." in page,
        ">Ausgewählte freigeben</button>" in page,
        ">ausstehend</span>" in page,
        "Approve selected" in page,
    ]


def test_admin_in_arabic_is_right_to_left(app: Flask) -> None:
    """An Arabic moderator's admin pages say dir="rtl" and speak Arabic."""
    admin = _admin(app, "ar")
    page = admin.get("/admin/bans").get_data(as_text=True)
    assert ('<html lang="ar" dir="rtl">', True) == (
        re.search(r"<html[^>]*>", page).group(0),  # type: ignore[union-attr]
        "<h1>الحظر</h1>" in page,
    )
