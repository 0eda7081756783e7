from __future__ import annotations

from flask.testing import FlaskClient
from tkflask_support import api_headers, new_comment, post_json

from threadkit.clock import ManualClock


def test_post_returns_201_with_public_shape_and_location(client: FlaskClient) -> None:
    """Posting answers 201, a Location, and the public comment shape without email."""
    response = post_json(
        client,
        "/api/threads/post-1/comments",
        {"body": "Hello *world*", "name": "Ada", "email": "ada@example.org"},
    )
    assert 201 == response.status_code
    data = response.get_json()
    assert f"/comments/api/comments/{data['id']}" == response.headers["Location"]
    assert "Ada" == data["author"]["name"]
    assert "email" not in data["author"]
    assert "ada@example.org" not in response.get_data(as_text=True)
    assert "<em>world</em>" in data["body_html"]
    assert "application/json; charset=utf-8" == response.headers["Content-Type"]


def test_thread_page_nests_replies(client: FlaskClient) -> None:
    """GET a thread returns the page tree: replies nested under their parent."""
    first = new_comment(client, body="top")
    reply = post_json(
        client, f"/api/comments/{first['id']}/replies", {"body": "Thanks", "name": "D"}
    )
    assert 201 == reply.status_code
    page = client.get("/comments/api/threads/post-1").get_json()
    assert "post-1" == page["thread"]["key"]
    assert [first["id"]] == [node["id"] for node in page["comments"]]
    assert [reply.get_json()["id"]] == [n["id"] for n in page["comments"][0]["replies"]]
    assert 1 == page["comments"][0]["replies"][0]["display_depth"]


def test_thread_page_paginates_with_cursor(client: FlaskClient) -> None:
    """next_cursor fetches the next top-level comments (top_limit is 3 in tests)."""
    ids = [new_comment(client, body=f"c{i}")["id"] for i in range(5)]
    first = client.get("/comments/api/threads/post-1").get_json()
    assert ids[:3] == [n["id"] for n in first["comments"]]
    second = client.get(
        "/comments/api/threads/post-1", query_string={"cursor": first["next_cursor"]}
    ).get_json()
    assert ids[3:] == [n["id"] for n in second["comments"]]
    assert None is second["next_cursor"]


def test_thread_page_sorts_newest_first(client: FlaskClient) -> None:
    """sort=newest puts the latest top-level comment first."""
    ids = [new_comment(client, body=f"c{i}")["id"] for i in range(2)]
    page = client.get("/comments/api/threads/post-1?sort=newest").get_json()
    assert ids[::-1] == [n["id"] for n in page["comments"]]
    assert "newest" == page["sort"]


def test_subtree_lists_replies(client: FlaskClient) -> None:
    """GET replies returns the subtree under one comment."""
    top = new_comment(client)
    post_json(client, f"/api/comments/{top['id']}/replies", {"body": "r", "name": "B"})
    data = client.get(f"/comments/api/comments/{top['id']}/replies").get_json()
    assert top["id"] == data["parent_id"]
    assert ["r"] == [n["body_source"] for n in data["comments"]]


def test_get_one_comment(client: FlaskClient) -> None:
    """GET a comment by id returns it."""
    top = new_comment(client, body="just me")
    assert "just me" == client.get(f"/comments/api/comments/{top['id']}").get_json()["body_source"]


def test_author_edits_own_comment(client: FlaskClient) -> None:
    """The same browser may edit its anonymous comment within the window."""
    top = new_comment(client)
    response = post_json(client, f"/api/comments/{top['id']}", {"body": "changed"}, "PATCH")
    assert 200 == response.status_code
    assert "changed" == response.get_json()["body_source"]
    assert None is not response.get_json()["edited_at"]


def test_another_browser_cannot_edit(client: FlaskClient, app) -> None:
    """A different browser (no shared session) gets 403 when editing someone's comment."""
    top = new_comment(client)
    other = app.test_client()
    new_comment(other, body="my own")
    response = post_json(other, f"/api/comments/{top['id']}", {"body": "mine now"}, "PATCH")
    assert 403 == response.status_code
    assert "not_author" == response.get_json()["code"]


def test_edit_after_window_is_conflict(client: FlaskClient, clock: ManualClock) -> None:
    """Editing after the edit window answers 409 edit_window_closed."""
    top = new_comment(client)
    clock.advance(hours=1)
    response = post_json(client, f"/api/comments/{top['id']}", {"body": "late"}, "PATCH")
    assert 409 == response.status_code
    assert "edit_window_closed" == response.get_json()["code"]


def test_delete_own_comment(client: FlaskClient) -> None:
    """Deleting a comment without replies removes it (comment: null)."""
    top = new_comment(client)
    response = client.delete(f"/comments/api/comments/{top['id']}", headers=api_headers(client))
    assert 200 == response.status_code
    assert {"comment": None} == response.get_json()
    assert 404 == client.get(f"/comments/api/comments/{top['id']}").status_code


def test_delete_with_replies_leaves_placeholder(client: FlaskClient) -> None:
    """A deleted comment with replies stays as a placeholder without author."""
    top = new_comment(client)
    post_json(client, f"/api/comments/{top['id']}/replies", {"body": "r", "name": "B"})
    response = client.delete(f"/comments/api/comments/{top['id']}", headers=api_headers(client))
    assert "deleted" == response.get_json()["comment"]["status"]
    assert None is response.get_json()["comment"]["author"]


def test_vote_counts_once_per_browser(client: FlaskClient, app) -> None:
    """Another browser's upvote counts; voting again replaces it."""
    top = new_comment(client)
    voter = app.test_client()
    assert (
        1
        == post_json(voter, f"/api/comments/{top['id']}/vote", {"value": 1}, "PUT").get_json()[
            "upvotes"
        ]
    )
    again = post_json(voter, f"/api/comments/{top['id']}/vote", {"value": "up"}, "PUT")
    assert (1, 0) == (again.get_json()["upvotes"], again.get_json()["downvotes"])


def test_anonymous_reader_cannot_edit(client: FlaskClient, app) -> None:
    """A browser that never identified itself gets 401 when editing."""
    top = new_comment(client)
    response = post_json(app.test_client(), f"/api/comments/{top['id']}", {"body": "x"}, "PATCH")
    assert 401 == response.status_code


def test_cannot_vote_own_comment(client: FlaskClient) -> None:
    """Voting on one's own comment is refused with 403."""
    top = new_comment(client)
    response = post_json(client, f"/api/comments/{top['id']}/vote", {"value": 1}, "PUT")
    assert 403 == response.status_code


def test_counts_for_many_threads(client: FlaskClient) -> None:
    """One call returns counts for several threads; unknown ones count 0."""
    new_comment(client, "a")
    new_comment(client, "a")
    new_comment(client, "b")
    data = client.get("/comments/api/counts?thread=a&thread=b&thread=c").get_json()
    assert {"a": 2, "b": 1, "c": 0} == data["counts"]


def test_me_reports_anonymous_then_named(client: FlaskClient) -> None:
    """/api/me has no identity at first and the typed name after posting."""
    assert None is client.get("/comments/api/me").get_json()["identity"]
    new_comment(client)
    me = client.get("/comments/api/me").get_json()
    assert "Ada" == me["identity"]["name"]
    assert False is me["moderator"]


def test_logged_in_site_user_posts_as_themselves(client: FlaskClient) -> None:
    """A host-session user posts under their own verified identity, ignoring typed names."""
    client.get("/login/alice")
    data = new_comment(client, body="hi", name="Mallory")
    assert {"provider": "site", "name": "Alice", "verified": True} == {
        k: data["author"][k] for k in ("provider", "name", "verified")
    }


def test_logout_forgets_anonymous_details(client: FlaskClient) -> None:
    """POST /api/logout forgets the remembered name."""
    new_comment(client)
    response = client.post("/comments/api/logout", headers=api_headers(client))
    assert 200 == response.status_code
    assert None is client.get("/comments/api/me").get_json()["identity"]


def test_held_comment_visible_to_author_only(client: FlaskClient, app) -> None:
    """A held comment is pending: its author sees it, other readers do not."""
    held = new_comment(client, body="HOLDME please")
    assert "pending" == held["status"]
    mine = client.get("/comments/api/threads/post-1").get_json()["comments"]
    assert [held["id"]] == [n["id"] for n in mine]
    theirs = app.test_client().get("/comments/api/threads/post-1").get_json()["comments"]
    assert [] == theirs


def test_moderator_queue_and_approve(client: FlaskClient, app) -> None:
    """A moderator sees the queue with reasons and approves a held comment."""
    held = new_comment(client, body="HOLDME please", email="ada@example.org")
    mod = app.test_client()
    mod.get("/login/mod")
    queue = mod.get("/comments/api/moderation/queue").get_json()
    assert [held["id"]] == [c["id"] for c in queue["comments"]]
    assert ["held_word"] == [r["code"] for r in queue["comments"][0]["reasons"]]
    assert "ada@example.org" == queue["comments"][0]["author"]["email"]
    response = post_json(mod, f"/api/comments/{held['id']}/moderation", {"decision": "approve"})
    assert "approved" == response.get_json()["comment"]["status"]
    public = app.test_client().get("/comments/api/threads/post-1").get_json()["comments"]
    assert [held["id"]] == [n["id"] for n in public]


def test_moderation_refused_to_readers(client: FlaskClient) -> None:
    """Non-moderators get 403 from the queue and moderation actions."""
    held = new_comment(client, body="HOLDME")
    assert 403 == client.get("/comments/api/moderation/queue").status_code
    response = post_json(client, f"/api/comments/{held['id']}/moderation", {"decision": "approve"})
    assert 403 == response.status_code


def test_moderator_marks_spam_and_deletes(client: FlaskClient, app) -> None:
    """Spam moves a comment to the spam queue; delete removes it (comment: null)."""
    held = new_comment(client, body="HOLDME")
    mod = app.test_client()
    mod.get("/login/mod")
    spam = post_json(mod, f"/api/comments/{held['id']}/moderation", {"decision": "spam"})
    assert "spam" == spam.get_json()["comment"]["status"]
    queue = mod.get("/comments/api/moderation/queue?status=spam").get_json()
    assert [held["id"]] == [c["id"] for c in queue["comments"]]
    gone = post_json(mod, f"/api/comments/{held['id']}/moderation", {"decision": "delete"})
    assert {"comment": None} == gone.get_json()


def test_total_limit_caps_the_comments_of_a_page(client: FlaskClient) -> None:
    """total_limit bounds how many comments one page holds; bad values are a 422."""
    top = new_comment(client, body="top")
    for number in range(4):
        post_json(client, f"/api/comments/{top['id']}/replies", {"body": f"r{number}", "name": "D"})
    small = client.get("/comments/api/threads/post-1?total_limit=3").get_json()
    assert 2 == len(small["comments"][0]["replies"])
    # What a replies call at the same total_limit adds (r2), not the missing direct replies.
    assert 1 == small["comments"][0]["more_replies"]
    whole = client.get("/comments/api/threads/post-1?total_limit=2000").get_json()
    assert 4 == len(whole["comments"][0]["replies"])
    for bad in ("0", "-1", "abc"):
        response = client.get(f"/comments/api/threads/post-1?total_limit={bad}")
        assert (422, "total_limit") == (response.status_code, response.get_json()["field"])
