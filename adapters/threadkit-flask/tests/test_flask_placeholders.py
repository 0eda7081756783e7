"""A spam comment with approved replies reaches readers as a bare placeholder, HTML and JSON."""

from __future__ import annotations

import attrs
from flask.testing import FlaskClient

from threadkit import Identity, Submission
from threadkit.engine import CommentEngine
from threadkit.models import Status

SECRET_NAME = "Spammy McSpamface"
SECRET_BODY = "buy-cheap-watches"


def spam_with_a_reply(engine: CommentEngine) -> tuple[int, int]:
    """Post a comment and an approved reply to it, then mark the comment as spam; return ids."""
    spammer = Identity("anonymous", "browser-spam", SECRET_NAME, url="https://spam.example")
    top = engine.post("post-1", Submission(SECRET_BODY), spammer)
    answer = Submission("Replying", parent_id=top.id)
    reply = engine.post("post-1", answer, Identity("anonymous", "browser-cy", "Cy"))
    engine.store.update_comment(attrs.evolve(top, status=Status.SPAM), now=engine.clock.now())
    return top.id, reply.id


def test_the_html_page_shows_the_reply_under_a_placeholder(
    engine: CommentEngine, client: FlaskClient
) -> None:
    """The reply is on the page, under "This comment was deleted.", with nothing of the spam."""
    top, reply = spam_with_a_reply(engine)
    html = client.get("/posts/post-1").get_data(as_text=True)
    placeholder = html[html.index(f'id="comment-{top}"') : html.index(f'id="comment-{reply}"')]
    assert (True, False, False, False) == (
        "This comment was deleted." in placeholder,
        SECRET_NAME in html,
        SECRET_BODY in html,
        "spam.example" in html,
    )


def test_the_json_page_and_the_replies_route_expose_nothing_of_the_spam(
    engine: CommentEngine, client: FlaskClient
) -> None:
    """JSON: the placeholder is "deleted" with no author or body; its replies route answers."""
    top, reply = spam_with_a_reply(engine)
    page = client.get("/comments/api/threads/post-1")
    replies = client.get(f"/comments/api/comments/{top}/replies")
    text = page.get_data(as_text=True) + replies.get_data(as_text=True)
    node = page.get_json()["comments"][0]
    assert (top, "deleted", [reply], 200, False, False) == (
        node["id"],
        node["status"],
        [child["id"] for child in node["replies"]],
        replies.status_code,
        SECRET_NAME in text,
        SECRET_BODY in text,
    )
