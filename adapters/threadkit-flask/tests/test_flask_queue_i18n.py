"""The moderation queue in the moderator's language, with each reason as a sentence."""

from __future__ import annotations

from flask.testing import FlaskClient
from threadkit_flask import ThreadKit
from tkflask_support import create_app, new_comment

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.moderation import Pipeline
from threadkit.moderation.keywords import KeywordList


def _queue(language: str) -> str:
    """Hold a comment by the hold list; return the queue a moderator reading ``language`` sees."""
    engine = CommentEngine(MemoryStore(), pipeline=Pipeline([KeywordList(hold=["casino"])]))
    app = create_app(engine)
    new_comment(app.test_client(), body="Visit my casino")
    moderator: FlaskClient = app.test_client()
    moderator.get("/login/mod")
    page = moderator.get("/comments/moderation", headers={"Accept-Language": language})
    assert 200 == page.status_code
    return page.get_data(as_text=True)


def test_queue_shows_why_a_comment_was_held_as_a_sentence_not_a_code() -> None:
    """A hold-list match reads "It contains a word on the site's hold list.", not hold_keyword."""
    page = _queue("en")
    assert (True, False) == (
        "It contains a word on the site&#39;s hold list." in page,
        "held for review" in page,
    )


def test_queue_in_german() -> None:
    """A German moderator's queue: heading, reason, buttons and the data form are German."""
    page = _queue("de")
    assert [True, True, True, True, False] == [
        "<h1>Moderationswarteschlange</h1>" in page,
        "Er enthält ein Wort von der Prüfliste der Website." in page,
        ">Freischalten</button>" in page,
        ">Ihre Daten löschen</button>" in page,
        "Why it was held" in page,
    ]


def test_the_emailed_moderation_link_gives_the_same_sentence_in_the_readers_language() -> None:
    """The one-click page a moderator opens from an email says why, as the queue does."""
    engine = CommentEngine(MemoryStore(), pipeline=Pipeline([KeywordList(hold=["casino"])]))
    app = create_app(engine)
    held = new_comment(app.test_client(), body="Visit my casino")
    with app.test_request_context():
        link = ThreadKit.moderation_link(held["id"], "approve", external=False)
    page = app.test_client().get(link, headers={"Accept-Language": "de"})
    text = page.get_data(as_text=True)
    assert [200, True, False] == [
        page.status_code,
        "Er enthält ein Wort von der Prüfliste der Website." in text,
        "held for review" in text,
    ]
