from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from tkflask_support import form_token, new_comment, post_json

from threadkit.clock import ManualClock


def page(client: FlaskClient, path: str = "/posts/post-1") -> str:
    """GET a page and return its HTML."""
    response = client.get(path)
    assert 200 == response.status_code
    return response.get_data(as_text=True)


def top_with_three_replies(engine: Any, app: Any) -> tuple[FlaskClient, dict[str, Any]]:
    """With pages of two comments, post a top-level comment and three replies ``r0``-``r2``."""
    import attrs

    engine.policy = attrs.evolve(engine.policy, total_limit=2)
    client = app.test_client()
    top = new_comment(client, body="top")
    for i in range(3):
        post_json(client, f"/api/comments/{top['id']}/replies", {"body": f"r{i}", "name": "B"})
    return client, top


def form_post(client: FlaskClient, path: str, data: dict[str, str], **kwargs: Any) -> Any:
    """POST a form with the CSRF token taken from the post page."""
    token = form_token(page(client))
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def post_form_comment(client: FlaskClient, body: str = "Hello", **fields: str) -> Any:
    """Post the comment form of post-1 without JavaScript."""
    data = {"body": body, "name": "Ada", "next": "/posts/post-1", **fields}
    return form_post(client, "/comments/threads/post-1/comments", data)


def test_form_post_redirects_to_the_new_comment(client: FlaskClient) -> None:
    """A no-JS post answers 303 to the page at #comment-<id>, where the comment shows."""
    response = post_form_comment(client, "First!")
    assert 303 == response.status_code
    match = re.fullmatch(r"/posts/post-1#comment-(\d+)", response.headers["Location"])
    assert match is not None
    html = page(client)
    assert f'id="comment-{match[1]}"' in html
    assert "<p>First!</p>" in html
    assert "One comment on &ldquo;Post post-1&rdquo;" in html


def test_form_remembers_anonymous_details(client: FlaskClient) -> None:
    """After posting, the form is filled in with the name typed before."""
    post_form_comment(client, name="Grace", email="grace@example.org")
    html = page(client)
    assert 'name="name" type="text" value="Grace"' in html
    assert 'value="grace@example.org"' in html


def test_form_post_next_must_be_same_origin(client: FlaskClient) -> None:
    """An off-site next falls back to a local path, never an open redirect."""
    response = post_form_comment(client, next="https://evil.example/")
    assert response.headers["Location"].startswith("/#comment-")


def test_failed_form_post_shows_error_and_keeps_text(client: FlaskClient) -> None:
    """A post missing the name re-shows the form (422) with the message and the typed text."""
    response = post_form_comment(client, "keep this text", name="")
    assert 422 == response.status_code
    html = response.get_data(as_text=True)
    assert "Please enter a name." in html
    assert "keep this text</textarea>" in html
    name_input = re.search(r'<input id="name-tk1"[^>]*>', html)
    assert name_input is not None
    assert 'aria-invalid="true"' in name_input[0]


def test_reply_link_places_form_under_comment(client: FlaskClient) -> None:
    """?tk_reply=<id> renders the reply form under that comment, with parent_id set."""
    top = new_comment(client, body="David here", name="David")
    html = page(client, f"/posts/post-1?tk_reply={top['id']}")
    assert "Reply to David" in html
    assert f'name="parent_id" value="{top["id"]}"' in html
    article_end = html.index("</article>", html.index(f'id="comment-{top["id"]}"'))
    assert html.index('class="tk-respond"') > article_end


def test_reply_without_javascript_nests(client: FlaskClient) -> None:
    """A form reply is shown nested in the parent's replies list."""
    top = new_comment(client, body="David here", name="David")
    response = post_form_comment(client, "Thanks David", parent_id=str(top["id"]))
    reply_id = response.headers["Location"].rsplit("-", 1)[1]
    html = page(client)
    replies = html.index(f'data-tk-replies="{top["id"]}"')
    assert replies < html.index(f'id="comment-{reply_id}"')


def test_reply_at_depth_limit_is_shown_at_the_limit(client: FlaskClient) -> None:
    """Replies deeper than the display limit (3 in tests) are shown at the deepest level."""
    parent = new_comment(client, body="level 0")
    for level in range(1, 5):
        parent = post_json(
            client,
            f"/api/comments/{parent['id']}/replies",
            {"body": f"level {level}", "name": "Ada"},
        ).get_json()
    html = page(client)
    assert f'data-tk-comment="{parent["id"]}" data-tk-depth="3"' in html


def test_older_comments_link_pages_without_javascript(client: FlaskClient) -> None:
    """With more top-level comments than a page, an "Older comments" link shows the rest."""
    for i in range(5):
        new_comment(client, body=f"number {i}")
    html = page(client)
    link = re.search(r'class="tk-older" href="([^"]+)"', html)
    assert link is not None
    assert "number 3" not in html
    older = page(client, link[1].replace("&amp;", "&"))
    assert "number 3" in older
    assert "number 0" not in older


def test_more_replies_link_when_page_is_full(engine, app) -> None:
    """Replies beyond the page's total limit are reachable through "N more replies"."""
    client, _ = top_with_three_replies(engine, app)
    html = page(client)
    more = re.search(r'class="tk-more-replies" href="([^"]+)"', html)
    assert more is not None
    first = page(client, more[1].replace("&amp;", "&"))
    assert ["<p>r0</p>", "<p>r1</p>"] == re.findall(r"<p>r\d</p>", first)
    rest = re.search(r'<a href="([^"]+)">More replies</a>', first)
    assert rest is not None
    assert ["<p>r2</p>"] == re.findall(r"<p>r\d</p>", page(client, rest[1].replace("&amp;", "&")))


def test_edit_and_delete_links_for_own_comment_only(client: FlaskClient, app) -> None:
    """The author sees Edit/Delete; another reader does not."""
    top = new_comment(client)
    assert f'data-tk-edit="{top["id"]}"' in page(client)
    assert f'data-tk-edit="{top["id"]}"' not in page(app.test_client())


def test_edit_without_javascript(client: FlaskClient) -> None:
    """The edit page shows the source; posting it saves and goes back to the comment."""
    top = new_comment(client, body="typo hre")
    edit_page = page(client, f"/comments/comments/{top['id']}/edit?next=/posts/post-1")
    assert "typo hre</textarea>" in edit_page
    response = client.post(
        f"/comments/comments/{top['id']}/edit",
        data={"csrf_token": form_token(edit_page), "body": "typo here", "next": "/posts/post-1"},
    )
    assert f"/posts/post-1#comment-{top['id']}" == response.headers["Location"]
    assert "<p>typo here</p>" in page(client)


def test_edit_page_refused_after_window(client: FlaskClient, clock: ManualClock) -> None:
    """After the edit window the edit page answers 409 and the links are gone."""
    top = new_comment(client)
    clock.advance(hours=1)
    assert 409 == client.get(f"/comments/comments/{top['id']}/edit").status_code
    assert f'data-tk-edit="{top["id"]}"' not in page(client)


def test_edit_page_refused_to_others(client: FlaskClient, app) -> None:
    """Another reader gets 403 from someone else's edit page."""
    top = new_comment(client)
    assert 403 == app.test_client().get(f"/comments/comments/{top['id']}/edit").status_code


def test_delete_without_javascript(client: FlaskClient) -> None:
    """Delete asks first (GET changes nothing), then the POST removes the comment."""
    top = new_comment(client, body="regret")
    confirm = page(client, f"/comments/comments/{top['id']}/delete?next=/posts/post-1")
    assert "<p>regret</p>" in page(client)
    response = client.post(
        f"/comments/comments/{top['id']}/delete",
        data={"csrf_token": form_token(confirm), "next": "/posts/post-1"},
    )
    assert 303 == response.status_code
    assert "<p>regret</p>" not in page(client)


def test_vote_without_javascript(client: FlaskClient, app) -> None:
    """The vote buttons post a form and redirect back to the comment."""
    top = new_comment(client)
    voter = app.test_client()
    response = form_post(
        voter, f"/comments/comments/{top['id']}/vote", {"value": "1", "next": "/posts/post-1"}
    )
    assert f"/posts/post-1#comment-{top['id']}" == response.headers["Location"]
    assert 1 == client.get(f"/comments/api/comments/{top['id']}").get_json()["upvotes"]


def test_pending_comment_tells_its_author(client: FlaskClient) -> None:
    """An author sees their held comment marked as awaiting moderation."""
    post_form_comment(client, "HOLDME")
    assert "Your comment is awaiting moderation." in page(client)


def test_user_input_is_escaped_everywhere(client: FlaskClient) -> None:
    """Names, bodies and urls from users never become active markup."""
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    post_form_comment(client, f"{evil} **bold**", name=evil[:60])
    html = page(client)
    assert "<script>alert(1)" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" in html


def test_author_url_is_linked_only_when_http(client: FlaskClient) -> None:
    """A website becomes a nofollow link; it is always http(s)."""
    post_form_comment(client, "hi", url="example.org/me")
    html = page(client)
    assert '<a href="https://example.org/me" rel="nofollow ugc noopener"' in html


def test_thread_markup_is_accessible(client: FlaskClient) -> None:
    """Comments are articles labelled by their author heading; form fields have labels."""
    top = new_comment(client, name="Ada")
    html = page(client)
    assert f'<article id="comment-{top["id"]}"' in html
    assert f'aria-labelledby="comment-{top["id"]}-author"' in html
    assert '<h3 class="tk-author" id="comment-' in html
    for field in ("name", "email", "url", "body"):
        assert f'<label for="{field}-tk1">' in html
        assert f'id="{field}-tk1"' in html


def test_no_inline_script_or_style_in_thread(client: FlaskClient) -> None:
    """The rendered thread carries no inline script or style, so a strict CSP holds."""
    new_comment(client)
    html = page(client)
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None


def test_closed_thread_says_so(client: FlaskClient, engine) -> None:
    """A closed thread shows no form and refuses posts with 409."""
    from threadkit.models import Actor

    new_comment(client)
    engine.close_thread("post-1", Actor(moderator=True))
    assert "Comments are closed." in page(client)
    response = post_json(client, "/api/threads/post-1/comments", {"body": "x", "name": "A"})
    assert 409 == response.status_code


def test_permalink_page_shows_comment(client: FlaskClient) -> None:
    """/comments/<id> shows one comment and its replies on a page of their own."""
    top = new_comment(client, body="standalone")
    html = page(client, f"/comments/comments/{top['id']}")
    assert "<p>standalone</p>" in html
    assert "<!doctype html>" in html


def test_fragments_render_comment_items(client: FlaskClient) -> None:
    """Fragment routes return bare <li> items for the script to insert."""
    top = new_comment(client, body="fragment me")
    html = page(client, f"/comments/fragments/comments/{top['id']}?next=/posts/post-1")
    assert html.lstrip().startswith("<li")
    assert "<p>fragment me</p>" in html
    assert "<html" not in html


EVIL_NAME = "<img src=x onerror=alert(1)>"
EVIL_BODY = '<script>alert(2)</script><a href="javascript:alert(3)">x</a> <svg onload=alert(4)>'


class _ActiveMarkup(HTMLParser):
    """Collect elements and attributes a browser would run."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/comments/static/"):
            self.found.append("<script>")
        if tag in ("svg", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag} {name}={value}")


def _assert_inert(html: str) -> None:
    """No script element, event handler or script URL made it through."""
    parser = _ActiveMarkup()
    parser.feed(html)
    assert [] == parser.found


def test_no_view_emits_active_script_from_user_input(client: FlaskClient, app) -> None:
    """Thread, permalink, edit, delete, fragments, queue and feed keep hostile input inert."""
    held = new_comment(client, body=f"HOLDME {EVIL_BODY}", name=EVIL_NAME[:60])
    top = new_comment(client, body=EVIL_BODY, name=EVIL_NAME[:60], url='https://x.example/"><b')
    mod = app.test_client()
    mod.get("/login/mod")
    paths = [
        "/posts/post-1",
        f"/comments/comments/{top['id']}",
        f"/comments/comments/{top['id']}/edit",
        f"/comments/comments/{top['id']}/delete",
        f"/comments/fragments/comments/{top['id']}",
        "/comments/fragments/threads/post-1",
    ]
    for path in paths:
        _assert_inert(page(client, path))
    _assert_inert(page(mod, "/comments/moderation"))
    assert f'id="comment-{held["id"]}"' in page(mod, "/comments/moderation")
    feed = client.get("/comments/feeds/recent.atom").get_data(as_text=True)
    assert "<script" not in feed
    api = client.get("/comments/api/threads/post-1").get_data(as_text=True)
    assert "<script" not in api.replace("\\u003c", "<").split('"body_source"')[0]


def test_identicon_avatar_is_drawn_locally(engine) -> None:
    """With an avatar secret, anonymous comments show a local identicon SVG."""
    from tkflask_support import create_app

    from threadkit.identity import AnonymousProvider

    app = create_app(engine, providers=[AnonymousProvider(avatar_secret=b"k")])
    client = app.test_client()
    new_comment(client)
    html = page(client)
    src = re.search(r'<img class="tk-avatar" src="(/comments/avatars/[0-9a-f]+\.svg)"', html)
    assert src is not None
    response = client.get(src[1])
    assert "image/svg+xml; charset=utf-8" == response.headers["Content-Type"]
    assert response.get_data(as_text=True).startswith("<svg")
    assert 404 == client.get("/comments/avatars/not-hex.svg").status_code


def test_no_avatar_without_a_picture(client: FlaskClient) -> None:
    """Without an avatar value no image is shown (and nothing is fetched elsewhere)."""
    new_comment(client)
    assert 'class="tk-avatar"' not in page(client)


def test_replies_fragment_continues_with_header(engine, app) -> None:
    """The replies fragment lists replies and points at the next batch in X-Threadkit-Next."""
    client, top = top_with_three_replies(engine, app)
    first = client.get(f"/comments/fragments/comments/{top['id']}/replies?next=/posts/post-1")
    assert ["<p>r0</p>", "<p>r1</p>"] == re.findall(r"<p>r\d</p>", first.get_data(as_text=True))
    rest = client.get(first.headers["X-Threadkit-Next"])
    assert ["<p>r2</p>"] == re.findall(r"<p>r\d</p>", rest.get_data(as_text=True))
    assert "X-Threadkit-Next" not in rest.headers


def test_mangled_page_links_fall_back_to_the_first_page(client: FlaskClient) -> None:
    """A forged cursor or a reply id from another thread still renders the page normally."""
    top = new_comment(client, body="only one")
    other = new_comment(client, thread="post-2", body="elsewhere")
    html = page(client, "/posts/post-1?tk_thread=post-1&tk_cursor=%C3%A9%00garbage")
    assert "<p>only one</p>" in html
    html = page(client, f"/posts/post-1?tk_reply={other['id']}")
    assert "Leave a Reply" in html
    assert f'name="parent_id" value="{top["id"]}"' not in html
    assert f'name="parent_id" value="{other["id"]}"' not in html


def test_sort_links_reorder_the_thread(client: FlaskClient) -> None:
    """The "Sort by" links show the newest comment first when asked."""
    new_comment(client, body="older one")
    new_comment(client, body="newer one")
    html = page(client)
    link = re.search(r'<a href="([^"]+)"[^>]*>Newest</a>', html)
    assert link is not None
    newest = page(client, link[1].replace("&amp;", "&"))
    assert newest.index("newer one") < newest.index("older one")
    assert html.index("older one") < html.index("newer one")


def test_queue_links_to_the_comment_on_its_page(client: FlaskClient, app) -> None:
    """The queue links each held comment to its place on the host page."""
    client.get("/posts/post-1")
    held = new_comment(
        client, body="HOLDME", thread_meta=re.findall(r'data-tk-meta="([^"]+)"', page(client))[0]
    )
    mod = app.test_client()
    mod.get("/login/mod")
    assert f'href="/posts/post-1#comment-{held["id"]}"' in page(mod, "/comments/moderation")


def test_moderator_approves_inline_in_the_thread(client: FlaskClient, app) -> None:
    """A moderator sees held comments in the thread with an Approve button that works."""
    held = new_comment(client, body="HOLDME inline")
    mod = app.test_client()
    mod.get("/login/mod")
    html = page(mod)
    assert f'action="/comments/moderation/{held["id"]}"' in html
    response = mod.post(
        f"/comments/moderation/{held['id']}",
        data={"csrf_token": form_token(html), "decision": "approve", "next": "/posts/post-1"},
    )
    assert "/posts/post-1" == response.headers["Location"]
    assert "<p>HOLDME inline</p>" in page(app.test_client())
    assert f'action="/comments/moderation/{held["id"]}"' not in page(client)


def test_flooded_form_post_says_when_to_retry(client: FlaskClient) -> None:
    """A rate-limited form post answers 429 with Retry-After and the message."""
    response = post_form_comment(client, "FLOOD")
    assert (429, "13") == (response.status_code, response.headers["Retry-After"])
    assert "Slow down." in response.get_data(as_text=True)
