"""A newcomer's path through the example blog, with the Flask test client."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from blog_test_support import LONG_THREAD, comment_form, example_env, forms_on
from flask import Flask
from flask.testing import FlaskClient
from threadkit_example import create_app

SOURDOUGH = "/posts/sourdough-in-a-cold-kitchen"
DEBATE = "/posts/the-great-bike-lane-debate"


def test_front_page_lists_posts_with_counts(client: FlaskClient) -> None:
    """The front page shows every post with its comment count."""
    page = client.get("/").get_data(as_text=True)
    assert "Sourdough in a cold kitchen" in page
    assert "11 comments" in page
    assert f"{LONG_THREAD} comments" in page
    assert "No comments yet" in page


def test_post_shows_nested_discussion_with_emoji(client: FlaskClient) -> None:
    """A post shows its discussion: several authors, nested replies, emoji intact."""
    response = client.get(SOURDOUGH)
    assert "text/html; charset=utf-8" == response.content_type
    page = response.get_data(as_text=True)
    assert page.count("<article") >= 11
    for name in ("David", "Maren (author)", "Priya", "Tomasz Wiśniewski", "Aiko 愛子"):
        assert name in page
    assert "🙂" in page
    assert "😭" in page
    # The mojibake that a wrong charset makes of U+1F642 must never appear.
    mojibake = ("🙂".encode().decode("cp1252", "replace"), "🙂".encode().decode("cp874", "replace"))
    assert [] == [bad for bad in mojibake if bad in page]


def test_reply_form_has_fields_logins_and_notify(client: FlaskClient) -> None:
    """The "Leave a Reply" form offers name, email, website, notify, and the demo login."""
    page = client.get(SOURDOUGH).get_data(as_text=True)
    form = comment_form(page)
    assert {"body", "name", "email", "url", "notify_replies"} <= set(form.names)
    assert "Demo login (local)" in page


def test_long_thread_pages_and_folds_replies(client: FlaskClient) -> None:
    """The 1,000+ comment thread shows a page, a link to the next one, and "more replies"."""
    page = client.get(DEBATE).get_data(as_text=True)
    assert re.search(r"(older|more) comments", page, re.IGNORECASE)
    assert re.search(r"\d+ more repl", page)
    assert page.count("<article") <= 130


def test_anonymous_comment_posts_and_shows(client: FlaskClient) -> None:
    """A reader fills in the form and their comment appears under the post."""
    form = comment_form(client.get(SOURDOUGH).get_data(as_text=True))
    fields = {**form.fields, "name": "Newcomer", "email": "new@example.org", "body": "First try 🎉"}
    response = client.post(form.action, data=fields)
    assert response.status_code in (302, 303)
    location = urlsplit(response.headers["Location"])
    assert location.fragment.startswith("comment-")
    page = client.get(SOURDOUGH).get_data(as_text=True)
    assert "First try 🎉" in page
    assert "12 comments" in client.get("/").get_data(as_text=True)


def test_held_keyword_waits_for_the_moderator(app: Flask, client: FlaskClient) -> None:
    """A held keyword sends a comment to the queue, where the demo moderator approves it."""
    form = comment_form(client.get(SOURDOUGH).get_data(as_text=True))
    fields = {**form.fields, "name": "Spammy", "body": "Visit my casino tonight"}
    client.post(form.action, data=fields)
    stranger = app.test_client()
    assert "Visit my casino tonight" not in stranger.get(SOURDOUGH).get_data(as_text=True)

    moderator = log_in_as_demo_moderator(app.test_client())
    queue = moderator.get("/comments/moderation").get_data(as_text=True)
    assert "Visit my casino tonight" in queue
    assert "keyword" in queue.lower()
    approve = next(f for f in forms_on(queue) if "decision" in f.names)
    result = moderator.post(approve.action, data={**approve.fields, "decision": "approve"})
    assert result.status_code in (302, 303)
    assert "12 comments" in moderator.get("/").get_data(as_text=True)


def log_in_as_demo_moderator(client: FlaskClient) -> FlaskClient:
    """Walk the local demo login as the moderator and come back logged in."""
    start = client.get("/comments/auth/demo/login?next=/")
    assert start.status_code in (302, 303)
    login_page = client.get(start.headers["Location"]).get_data(as_text=True)
    form = next(f for f in forms_on(login_page) if "moderator" in f.names)
    back = client.post(form.action, data={**form.fields, "moderator": "1"})
    callback = client.get(back.headers["Location"])
    assert callback.status_code in (302, 303)
    return client


def test_seeding_is_idempotent(tmp_path: Path) -> None:
    """Starting the blog twice on the same data folder seeds only once."""
    first = create_app({"TESTING": True}, env=example_env(tmp_path))
    counts = first.extensions["threadkit_example"]["store"].counts(["sourdough-in-a-cold-kitchen"])
    second = create_app({"TESTING": True}, env=example_env(tmp_path))
    again = second.extensions["threadkit_example"]["store"].counts(["sourdough-in-a-cold-kitchen"])
    assert counts == again == {"sourdough-in-a-cold-kitchen": 11}


def test_security_headers_on_blog_pages(app: Flask) -> None:
    """Blog pages carry nosniff and a CSP, as the adapter recommends."""
    response = app.test_client().get(SOURDOUGH)
    assert "nosniff" == response.headers.get("X-Content-Type-Options")
    assert "script-src 'self'" in response.headers.get("Content-Security-Policy", "")
