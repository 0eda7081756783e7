"""Rough edges a newcomer hit in the demo: seeded dates, one date format, Cancel, favicon."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from flask.testing import FlaskClient

SOURDOUGH = "/posts/sourdough-in-a-cold-kitchen"


def _page(client: FlaskClient, path: str) -> str:
    answer = client.get(path)
    assert 200 == answer.status_code, path
    return answer.get_data(as_text=True)


def test_seeded_discussion_has_realistic_dates(client: FlaskClient) -> None:
    """Eleven distinct comment times, over more than two weeks, none in the future."""
    stamps = re.findall(r'<time datetime="([^"]+T[^"]+)"', _page(client, SOURDOUGH))
    moments = sorted({datetime.fromisoformat(stamp) for stamp in stamps})
    now = datetime.now(moments[0].tzinfo)
    assert (11, True, True) == (
        len(moments),
        moments[-1] - moments[0] > timedelta(days=14),
        moments[-1] <= now,
    )


def test_post_dates_are_written_like_comment_dates(client: FlaskClient) -> None:
    """A post's date reads "November 2, 2026" (long form, as comments), never "2026-11-02"."""
    page = _page(client, SOURDOUGH)
    front = _page(client, "/")
    visible = re.sub(r"<[^>]+>", " ", page + front)
    assert (True, True, []) == (
        '<time datetime="2026-11-02">November 2, 2026</time>' in page,
        "November 2, 2026" in front,
        re.findall(r"\b2026-\d\d-\d\d\b", visible),
    )


def test_demo_login_cancel_goes_back_to_the_post(client: FlaskClient) -> None:
    """Cancel on the demo login page returns to the post the reader started from, not /."""
    post = _page(client, SOURDOUGH)
    start = re.search(r'href="([^"]*/auth/demo/login[^"]*)"', post)
    assert start is not None
    login = client.get(html.unescape(start[1]))
    form = _page(client, login.headers["Location"])
    cancel = re.search(r'<a href="([^"]+)">Cancel</a>', form)
    assert cancel is not None
    assert SOURDOUGH == html.unescape(cancel[1]).split("#", 1)[0]


def test_favicon_is_served(client: FlaskClient) -> None:
    """/favicon.ico answers with the blog's icon (it was a 404 on every page view)."""
    answer = client.get("/favicon.ico")
    assert (200, "image/svg+xml") == (answer.status_code, answer.mimetype)
