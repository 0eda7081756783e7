"""threadkit's own small pages speak the reader's language: the emailed moderation link's page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from threadkit_flask import ThreadKit, i18n
from tkflask_support import form_token, new_comment


def test_the_emailed_moderation_page_speaks_the_moderators_language(
    client: FlaskClient, app: Flask
) -> None:
    """A German moderator's link asks, and then says what happened, in German."""
    held = new_comment(client, body="HOLDME bitte")
    with app.test_request_context():
        link = ThreadKit.moderation_link(held["id"], "approve", external=False)
    german = {"Accept-Language": "de"}
    moderator = app.test_client()
    confirm = moderator.get(link, headers=german).get_data(as_text=True)
    token = form_token(confirm)
    done = moderator.post(link, data={"csrf_token": token}, headers=german).get_data(as_text=True)
    de = i18n.translations("de")
    assert (True, True, True) == (
        '<html lang="de"' in confirm,
        "Diesen Kommentar freigeben?" in confirm,
        f"({de.gettext('pending')})" in confirm,
    )
    assert f"Der Kommentar ist jetzt {de.gettext('approved')}." in done
