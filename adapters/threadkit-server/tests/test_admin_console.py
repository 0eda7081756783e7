"""The moderation admin: lists, search, bulk decisions, bans, threads and per-site settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from server_support import SITE_A, SITE_B, bearer, make_app, token
from werkzeug.test import TestResponse

ADMIN_PASSWORD = "console test"  # a test fixture, not a credential


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path / "admin.db", "--admin-password", ADMIN_PASSWORD)


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    """A client logged in with the admin password."""
    client = app.test_client()
    csrf = form_token(client, "/admin/login")
    answer = client.post(
        "/admin/login",
        data={"csrf_token": csrf, "password": ADMIN_PASSWORD, "next": "/admin/comments"},
    )
    assert (303, "/admin/comments") == (answer.status_code, answer.headers["Location"])
    return client


@pytest.fixture
def reader(app: Flask) -> FlaskClient:
    return app.test_client()


def form_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def post(
    client: FlaskClient,
    body: str,
    *,
    origin: str = SITE_A,
    name: str = "Ada",
    email: str = "",
    ip: str = "10.0.0.1",
    key: str | None = None,
    thread: str = "post-42",
) -> tuple[int, dict[str, object], str]:
    """Post as an anonymous reader of ``origin``; return status, JSON and the token used."""
    key = key or token(client, origin)
    fields = {"body": body, "name": name} | ({"email": email} if email else {})
    answer = client.post(
        f"/api/threads/{thread}/comments",
        json=fields,
        headers=bearer(key, origin),
        environ_base={"REMOTE_ADDR": ip},
    )
    return answer.status_code, answer.get_json(), key


def text(comment: dict[str, str]) -> str:
    """A comment's text as readers see it (its HTML without tags)."""
    return re.sub(r"<[^>]+>", "", comment["body_html"]).strip()


def add_ban(admin: FlaskClient, *, follow: bool = False, **fields: str) -> TestResponse:
    """Submit the admin's ban form with ``fields`` (the CSRF token read from its page)."""
    data = {"csrf_token": form_token(admin, "/admin/bans"), **fields}
    return admin.post("/admin/bans", data=data, follow_redirects=follow)


def save_settings(admin: FlaskClient, site: str, **fields: str) -> None:
    csrf = form_token(admin, f"/admin/settings?site={site}")
    data = {"csrf_token": csrf, "moderation": "publish", "close_after_days": "0"}
    data |= {"max_links": "2", "reserved_names": ""} | fields
    answer = admin.post(f"/admin/settings?site={site}", data=data)
    assert 303 == answer.status_code, answer.get_data(as_text=True)


def statuses(admin: FlaskClient, which: str = "recent", **query: str) -> list[str]:
    """The ``(status, body)`` of each row of an admin list, as the page shows them."""
    page = admin.get("/admin/comments", query_string={"list": which, **query})
    assert 200 == page.status_code
    text = page.get_data(as_text=True)
    return re.findall(r'class="tk-admin-body">([^<\n]*)', text)


def test_a_reader_who_is_not_a_moderator_gets_403(reader: FlaskClient) -> None:
    """Every admin page and form refuses a reader who is not a moderator (403)."""
    post(reader, "hello")
    csrf = form_token(reader, "/admin/login")
    answers = [
        reader.get("/admin/comments").status_code,
        reader.get("/admin/bans").status_code,
        reader.get("/admin/settings").status_code,
        reader.post(
            "/admin/comments/bulk", data={"csrf_token": csrf, "action": "delete", "ids": "1"}
        ).status_code,
    ]
    assert [403, 403, 403, 403] == answers
    assert "Only the site&#39;s moderators" in reader.get("/admin/bans").get_data(as_text=True)


def test_bulk_needs_the_csrf_token(admin: FlaskClient, reader: FlaskClient) -> None:
    """A bulk decision without the session's CSRF token is a 403 and changes nothing."""
    _, made, _ = post(reader, "keep me")
    answer = admin.post("/admin/comments/bulk", data={"action": "delete", "ids": str(made["id"])})
    assert 403 == answer.status_code
    assert ["keep me"] == statuses(admin)


def test_bulk_approve_reports_each_failure(admin: FlaskClient, reader: FlaskClient) -> None:
    """Held comments approved in one POST; an unknown id is reported by itself."""
    save_settings(admin, "a.example", moderation="hold-all")
    first = post(reader, "held one", ip="10.0.0.1")[1]
    second = post(reader, "held two", ip="10.0.0.2")[1]
    assert ("pending", "pending") == (first["status"], second["status"])
    assert ["held two", "held one"] == statuses(admin, "pending")
    csrf = form_token(admin, "/admin/comments?list=pending")
    answer = admin.post(
        "/admin/comments/bulk",
        data={
            "csrf_token": csrf,
            "action": "approve",
            "ids": [str(first["id"]), str(second["id"]), "999"],
            "back": "/admin/comments?list=pending",
        },
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "Approved: 2 comments." in page
    assert "Comment 999: there is no such comment on your sites." in page
    assert [] == statuses(admin, "pending")
    public = reader.get("/api/threads/post-42", headers={"Origin": SITE_A}).get_json()
    assert ["held one", "held two"] == [text(c) for c in public["comments"]]


def test_bulk_with_nothing_selected_says_what_to_do(admin: FlaskClient) -> None:
    """No comment ticked: a 422 page that says to select one."""
    csrf = form_token(admin, "/admin/comments")
    answer = admin.post("/admin/comments/bulk", data={"csrf_token": csrf, "action": "spam"})
    assert 422 == answer.status_code
    assert "Select at least one comment" in answer.get_data(as_text=True)


def test_search_by_name_email_and_ip(admin: FlaskClient, reader: FlaskClient) -> None:
    """Search finds an author by part of their name, their email (any case) or IP prefix."""
    post(reader, "from dora", name="Dorothea", email="dora@example.org", ip="203.0.113.5")
    post(reader, "from bob", name="Bob", ip="198.51.100.7")
    post(reader, "dora on b", origin=SITE_B, name="Dorothea", ip="203.0.113.6")
    assert ["dora on b", "from dora"] == statuses(admin, name="ROTH")
    assert ["from dora"] == statuses(admin, email="Dora@Example.org")
    assert ["dora on b", "from dora"] == statuses(admin, ip="203.0.113.")
    assert ["dora on b"] == statuses(admin, ip="203.0.113.", site="b.example")


def test_a_ban_from_the_admin_refuses_the_next_post(
    admin: FlaskClient, reader: FlaskClient
) -> None:
    """A ban by IP set in the admin: the next post from there is a 403 problem ``banned``."""
    answer = add_ban(
        admin, follow=True, kind="ip", value="203.0.113.0/24", duration="1d", reason="flood"
    )
    assert "Banned ip 203.0.113.0/24 (1 day)." in answer.get_data(as_text=True)
    status, problem, _ = post(reader, "let me in", ip="203.0.113.9")
    assert (403, "banned") == (status, problem["code"])
    assert str(problem["detail"]).startswith("You are banned from commenting on this site until")
    assert 201 == post(reader, "elsewhere", ip="198.51.100.1")[0]


def test_a_shadow_ban_shows_comments_to_their_author_only(
    admin: FlaskClient, reader: FlaskClient, app: Flask
) -> None:
    """Shadow-banned: the author sees their comment as published; other readers do not."""
    _, first, key = post(reader, "first")
    identity = _author_key(app, int(str(first["id"])))
    later(app, seconds=60)  # past the flood limit of the author's next post
    add_ban(admin, kind="identity", value=identity, duration="forever", shadow="on")
    status, second, _ = post(reader, "second", key=key)
    assert (201, "approved") == (status, second["status"])
    own = reader.get("/api/threads/post-42", headers=bearer(key, SITE_A)).get_json()
    other = reader.get("/api/threads/post-42", headers={"Origin": SITE_A}).get_json()
    assert ["first", "second"] == [text(c) for c in own["comments"]]
    assert ["first"] == [text(c) for c in other["comments"]]
    assert ["second"] == statuses(admin, "spam")


def later(app: Flask, **delta: float) -> None:
    """Move the server's clock on by ``delta``."""
    from datetime import timedelta

    from threadkit_flask import get_state

    from threadkit.clock import ManualClock

    engine = get_state(app).engine
    engine.clock = ManualClock(engine.clock.now() + timedelta(**delta))


def _author_key(app: Flask, comment_id: int) -> str:
    from threadkit_flask import get_state

    comment = get_state(app).engine.store.get_comment(comment_id)
    assert comment is not None
    return comment.author.key


def test_lifting_a_ban_lets_the_author_post(admin: FlaskClient, reader: FlaskClient) -> None:
    """The Lift button removes the ban; the author posts again."""
    add_ban(admin, kind="ip", value="10.9.9.9", duration="forever")
    page = admin.get("/admin/bans").get_data(as_text=True)
    csrf = form_token(admin, "/admin/bans")
    found = re.search(r'action="/admin/bans/(\d+)/lift"', page)
    assert found is not None
    assert (
        303
        == admin.post(f"/admin/bans/{found.group(1)}/lift", data={"csrf_token": csrf}).status_code
    )
    assert 201 == post(reader, "back again", ip="10.9.9.9")[0]


def test_a_bad_ban_value_is_a_422_that_says_what_to_fix(admin: FlaskClient) -> None:
    """An IP that is not one is refused with a message giving the right form."""
    answer = add_ban(admin, kind="ip", value="10.1", duration="1d")
    assert 422 == answer.status_code
    assert "is not an IP address or network" in answer.get_data(as_text=True)


def test_closing_a_thread_stops_posts_and_reopening_restores_them(
    admin: FlaskClient, reader: FlaskClient
) -> None:
    """Close from the admin: a post is 409 thread_closed; reopen: it is taken."""
    post(reader, "before")
    csrf = form_token(admin, "/admin/threads")
    data = {"csrf_token": csrf, "site": "a.example", "thread": "post-42"}
    assert 303 == admin.post("/admin/threads", data=data | {"action": "close"}).status_code
    status, problem, _ = post(reader, "while closed")
    assert (409, "thread_closed") == (status, problem["code"])
    admin.post("/admin/threads", data=data | {"action": "reopen"})
    assert 201 == post(reader, "after", ip="10.0.0.8")[0]


def test_settings_take_effect_per_site(admin: FlaskClient, reader: FlaskClient) -> None:
    """Settings saved for site A apply to A's posts at once, and not to B's."""
    save_settings(
        admin, "a.example", moderation="hold-all", reserved_names="Owner, Ädmin", max_links="0"
    )
    assert "pending" == post(reader, "on A")[1]["status"]
    assert "approved" == post(reader, "on B", origin=SITE_B, ip="10.0.0.9")[1]["status"]
    status, problem, _ = post(reader, "hi", name="owner", ip="10.0.0.3")
    assert (422, "name_reserved") == (status, problem["code"])
    page = admin.get("/admin/settings?site=a.example").get_data(as_text=True)
    assert 'value="Owner, Ädmin"' in page
    assert 'value="hold-all" checked' in page


def test_settings_close_old_threads(admin: FlaskClient, reader: FlaskClient, app: Flask) -> None:
    """close_after_days: a thread older than that takes no comment (409 thread_closed)."""
    post(reader, "on a young thread")
    later(app, days=3)
    save_settings(admin, "a.example", close_after_days="2")
    status, problem, _ = post(reader, "too late", ip="10.0.0.4")
    assert (409, "thread_closed") == (status, problem["code"])


def test_a_bad_setting_is_refused_with_its_field(admin: FlaskClient) -> None:
    """A negative day count is a 422 naming the field; nothing is saved."""
    csrf = form_token(admin, "/admin/settings?site=a.example")
    answer = admin.post(
        "/admin/settings?site=a.example",
        data={"csrf_token": csrf, "moderation": "publish", "close_after_days": "-1"},
    )
    assert 422 == answer.status_code
    assert "close after days must be a whole number from 0 to 36500." in answer.get_data(
        as_text=True
    )


def test_hold_first_holds_only_an_authors_first_comment(
    admin: FlaskClient, reader: FlaskClient, app: Flask
) -> None:
    """hold-first: a new author's first comment waits; once approved, the next is published."""
    save_settings(admin, "a.example", moderation="hold-first")
    _, first, key = post(reader, "my first")
    assert "pending" == first["status"]
    csrf = form_token(admin, "/admin/comments")
    admin.post(
        "/admin/comments/bulk",
        data={"csrf_token": csrf, "action": "approve", "ids": str(first["id"])},
    )
    later(app, seconds=60)
    assert "approved" == post(reader, "my second", key=key)[1]["status"]
