"""The server's app: several sites kept apart, origins checked, tokens scoped, embed.js served."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from server_support import SITE_A, SITE_B, bearer, make_app, token
from threadkit_server import ServerConfig, Site
from threadkit_server.sites import moderator_check

from threadkit.models import Identity
from threadkit.testing.http_server import FakeHTTPServer, RecordedRequest, Reply


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path / "comments.db", "--moderator", "github:99")


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


def post(client: FlaskClient, origin: str, body: str, ip: str = "10.0.0.1") -> dict[str, object]:
    """Post ``body`` to thread post-42 as a new anonymous reader of ``origin``."""
    answer = client.post(
        "/api/threads/post-42/comments",
        json={"body": body, "name": "Ada"},
        headers=bearer(token(client, origin), origin),
        environ_base={"REMOTE_ADDR": ip},
    )
    assert 201 == answer.status_code, answer.get_data(as_text=True)
    data: dict[str, object] = answer.get_json()
    return data


def bodies(client: FlaskClient, origin: str) -> list[str]:
    page = client.get("/api/threads/post-42", headers={"Origin": origin}).get_json()
    # A public page carries no Markdown source (#12): read the text of the HTML.
    return [re.sub(r"<[^>]+>", "", node["body_html"]).strip() for node in page["comments"]]


def test_two_sites_have_separate_threads_of_the_same_key(client: FlaskClient) -> None:
    """Site A's post-42 and site B's post-42 are two threads, stored as <site id>:post-42."""
    first = post(client, SITE_A, "on A", ip="10.0.0.1")
    second = post(client, SITE_B, "on B", ip="10.0.0.2")
    assert ("a.example:post-42", "b.example:post-42") == (first["thread"], second["thread"])
    assert (["on A"], ["on B"]) == (bodies(client, SITE_A), bodies(client, SITE_B))


def test_another_sites_comment_is_missing(client: FlaskClient) -> None:
    """A comment of site A, asked for (or replied to) from site B, is a 404."""
    first = post(client, SITE_A, "on A")
    seen = client.get(f"/api/comments/{first['id']}", headers={"Origin": SITE_B})
    reply = client.post(
        f"/api/comments/{first['id']}/replies",
        json={"body": "from B", "name": "Bob"},
        headers=bearer(token(client, SITE_B), SITE_B),
    )
    assert (404, 404) == (seen.status_code, reply.status_code)
    assert "comment_not_found" == reply.get_json()["code"]


def test_counts_are_per_site_and_keyed_as_asked(client: FlaskClient) -> None:
    """/api/counts answers the keys the page asked for, counting only its site's threads."""
    post(client, SITE_A, "on A")
    url = "/api/counts?thread=post-42&thread=post-7"
    a = client.get(url, headers={"Origin": SITE_A})
    b = client.get(url, headers={"Origin": SITE_B})
    assert {"post-42": 1, "post-7": 0} == a.get_json()["counts"]
    assert {"post-42": 0, "post-7": 0} == b.get_json()["counts"]
    assert SITE_A == a.headers["Access-Control-Allow-Origin"]


def test_a_token_of_one_site_is_refused_on_another(client: FlaskClient) -> None:
    """A token issued to a page of site A, sent from site B, is a 401."""
    answer = client.get("/api/me", headers=bearer(token(client, SITE_A), SITE_B))
    assert (401, "invalid_bearer_token") == (answer.status_code, answer.get_json()["code"])


def test_an_unlisted_origin_gets_403_naming_the_setting(client: FlaskClient) -> None:
    """An origin that is not a site gets a 403 problem naming --site and THREADKIT_SERVER_SITES."""
    answer = client.get("/api/threads/post-42", headers={"Origin": "https://evil.example"})
    body = answer.get_json()
    assert (403, "origin_not_allowed") == (answer.status_code, body["code"])
    assert "application/problem+json" in answer.headers["Content-Type"]
    assert "--site" in body["detail"]
    assert "THREADKIT_SERVER_SITES" in body["detail"]


def test_the_author_edits_with_the_token_and_no_csrf(client: FlaskClient) -> None:
    """An anonymous author edits their comment with only the bearer token; a tampered one is 401."""
    mine = token(client, SITE_A)
    answer = client.post(
        "/api/threads/post-42/comments",
        json={"body": "first", "name": "Ada"},
        headers=bearer(mine, SITE_A),
    )
    url = f"/api/comments/{answer.get_json()['id']}"
    edited = client.patch(url, json={"body": "second"}, headers=bearer(mine, SITE_A))
    assert (200, "second") == (edited.status_code, edited.get_json()["body_source"])
    tampered = client.patch(url, json={"body": "third"}, headers=bearer(mine[:-4], SITE_A))
    assert (401, "invalid_bearer_token") == (tampered.status_code, tampered.get_json()["code"])


def test_moderators_are_per_site() -> None:
    """A site's moderator moderates that site only; --moderator ones moderate every site."""
    config = ServerConfig(
        sites=(
            Site.from_origin(SITE_A, moderators=["oidc:ann", "bea@a.example"]),
            Site.from_origin(SITE_B),
        ),
        moderators=("github:99",),
    )
    rule = moderator_check(config)
    ann = Identity("oidc", "ann", "Ann")
    bea = Identity("oidc", "bea", "Bea", email="bea@a.example", verified=True)
    unverified = Identity("oidc", "eve", "Eve", email="bea@a.example")
    everywhere = Identity("github", "99", "Root")
    seen = {}
    for origin in (SITE_A, SITE_B):
        with Flask(__name__).test_request_context("/api/me", headers={"Origin": origin}):
            seen[origin] = [rule(who) for who in (ann, bea, unverified, everywhere, None)]
    assert {
        SITE_A: [True, True, False, True, False],
        SITE_B: [False, False, False, True, False],
    } == seen


def test_embed_js_is_served_as_javascript_with_caching(client: FlaskClient) -> None:
    """/embed.js is text/javascript, cacheable for an hour, and revalidates with its ETag."""
    first = client.get("/embed.js")
    assert 200 == first.status_code
    assert "text/javascript; charset=utf-8" == first.headers["Content-Type"]
    assert {"public": True, "max-age": 3600} == {
        "public": first.cache_control.public,
        "max-age": first.cache_control.max_age,
    }
    again = client.get("/embed.js", headers={"If-None-Match": first.headers["ETag"]})
    assert 304 == again.status_code


def test_frame_ancestors_are_the_sites(client: FlaskClient) -> None:
    """The server's CSP lets only itself and the configured sites frame its pages."""
    csp = client.get("/").headers["Content-Security-Policy"]
    found = re.search(r"frame-ancestors ([^;]+)", csp)
    assert found is not None
    assert f"'self' {SITE_A} {SITE_B}" == found.group(1)


def test_admin_login_opens_the_moderation_queue(tmp_path: Path) -> None:
    """The admin password logs in as a moderator of every site; a wrong one is a 403."""
    app = make_app(tmp_path / "admin.db", "--admin-password", "open sesame")
    client = app.test_client()
    form = client.get("/admin/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found is not None
    wrong = client.post("/admin/login", data={"csrf_token": found.group(1), "password": "no"})
    assert 403 == wrong.status_code
    right = client.post(
        "/admin/login", data={"csrf_token": found.group(1), "password": "open sesame"}
    )
    assert (303, "/moderation") == (right.status_code, right.headers["Location"])
    assert 200 == client.get("/moderation").status_code


def test_the_queue_page_needs_the_admin(client: FlaskClient) -> None:
    """Without the admin login, the moderation queue page is refused."""
    assert client.get("/moderation").status_code in (401, 403)


#: The --login flags that configure a GitHub login.
GITHUB_LOGIN = ("--login", "GITHUB_CLIENT_ID=id", "--login", "GITHUB_CLIENT_SECRET=secret")


def test_popup_login_refuses_an_unlisted_origin(tmp_path: Path) -> None:
    """A login popup for an origin that is not a site is a 403 page naming --site."""
    app = make_app(tmp_path / "login.db", *GITHUB_LOGIN)
    client = app.test_client()
    allowed = client.get("/auth/github/login", query_string={"embed": SITE_A})
    refused = client.get("/auth/github/login", query_string={"embed": "https://evil.example"})
    assert (302, 403) == (allowed.status_code, refused.status_code)
    assert "--site" in refused.get_data(as_text=True)


def test_configured_logins_are_offered_to_the_embed(tmp_path: Path) -> None:
    """--login settings become threadkit-social providers that /api/me lists with a login URL."""
    app = make_app(tmp_path / "offer.db", *GITHUB_LOGIN)
    me = app.test_client().get("/api/me", headers={"Origin": SITE_A}).get_json()
    offered = {p["name"]: p.get("login_url") for p in me["providers"]}
    assert {"anonymous": None, "github": "/auth/github/login"} == offered


class FakeAkismet(FakeHTTPServer):
    """Akismet's verify-key, answered locally: every key is valid."""

    def handle(self, request: RecordedRequest) -> Reply:
        return Reply(200, "valid")


def test_an_akismet_key_adds_the_akismet_step(tmp_path: Path) -> None:
    """--akismet-key puts threadkit-akismet's step in the pipeline, its key verified at start."""
    with FakeAkismet() as akismet:
        app = make_app(
            tmp_path / "akismet.db",
            "--akismet-key",
            "k123",
            "--akismet-endpoint",
            akismet.base_url + "/1.1/",
        )
        assert ["/1.1/verify-key"] == [request.path for request in akismet.requests]
    steps = [type(step).__name__ for step in app.extensions["threadkit"].engine.pipeline.steps]
    assert "AkismetStep" in steps
