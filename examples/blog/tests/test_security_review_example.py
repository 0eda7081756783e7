"""Security review of the example blog: the demo login and the session cookie."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from blog_test_support import comment_form, example_env, forms_on
from flask.testing import FlaskClient
from test_newcomer_path import SOURDOUGH, log_in_as_demo_moderator
from threadkit_example import create_app

from threadkit.render import url_scheme

SLUG = SOURDOUGH.rsplit("/", 1)[1]


def _demo_login_form(client: FlaskClient, ticket_url: str) -> dict[str, str]:
    """Open the demo login page and return the fields its form would send."""
    page = client.get(ticket_url).get_data(as_text=True)
    fields = dict(re.findall(r'name="(state|csrf)" value="([^"]+)"', page))
    fields["name"] = "Victim"
    return fields


def test_demo_login_redirect_stays_on_this_site(client: FlaskClient) -> None:
    """A demo login started under a forged Host header cannot send a reader to that host."""
    started = client.get("/comments/auth/demo/login?next=/", base_url="http://evil.example")
    victim_form = _demo_login_form(client, started.headers["Location"])
    response = client.post("/demo-login", data=victim_form)
    target = urlsplit(response.headers.get("Location", ""))
    assert ("", "", "/comments/auth/demo/callback") == (target.scheme, target.netloc, target.path)


def test_demo_login_still_logs_in(client: FlaskClient) -> None:
    """The demo login's normal round trip still ends logged in, back on the post."""
    started = client.get("/comments/auth/demo/login?next=/posts/x")
    fields = _demo_login_form(client, started.headers["Location"])
    callback = client.post("/demo-login", data=fields)
    assert "/comments/auth/demo/callback" == urlsplit(callback.headers["Location"]).path
    done = client.get(callback.headers["Location"])
    assert (303, "/posts/x") == (done.status_code, done.headers["Location"])
    me = client.get("/comments/api/me").get_json()
    assert (True, "Victim") == (me["logged_in"], me["identity"]["name"])


def test_session_cookie_is_secure_when_the_site_url_is_https(tmp_path: Path) -> None:
    """Behind a TLS proxy (site URL https, request seen as http) the cookie is still Secure."""
    env = example_env(tmp_path, THREADKIT_EXAMPLE_SITE_URL="https://blog.example")
    app = create_app({"TESTING": True}, env=env)
    try:
        cookie = app.test_client().get("/comments/api/me").headers["Set-Cookie"]
    finally:
        app.extensions["threadkit_example"]["store"].close()
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} == flags & {"secure", "httponly", "samesite=lax"}


class _ActiveContent(HTMLParser):
    """Collect what in a page could run script: inline or foreign scripts, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._script = True
            if values.get("src") != "/comments/static/threadkit.js":
                self.found.append(f"<script {attrs}>")
        elif tag in ("iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction") and url_scheme(value or "") in (
                "javascript",
                "data",
                "vbscript",
            ):
                self.found.append(f"{tag} {name}={value!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.found.append(f"inline script {data[:30]!r}")


def _active(html: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found


def _body_htmls(value: Any) -> list[str]:
    """Every ``body_html`` in a JSON document."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += [item] if key == "body_html" else _body_htmls(item)
    elif isinstance(value, list):
        for item in value:
            found += _body_htmls(item)
    return found


ATTACKS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    "[click]( JaVa\tScRiPt:alert(1))",
    "![x](data:text/html,<script>alert(1)</script>)",
    "</textarea><script>alert(1)</script>",
]


def test_attacks_through_the_blog_form_never_run_anywhere(tmp_path: Path) -> None:
    """Script typed into body, name or website shows nowhere as script: page, queue, feeds, JSON."""
    app = create_app({"TESTING": True}, env=example_env(tmp_path))
    try:
        author, moderator, reader = app.test_client(), app.test_client(), app.test_client()
        for attack in ATTACKS:
            for held in ("", " casino"):
                form = comment_form(author.get(SOURDOUGH).get_data(as_text=True))
                fields = {**form.fields, "body": attack + held, "name": attack[:60]}
                author.post(form.action, data={**fields, "url": "example.org/" + attack})
        log_in_as_demo_moderator(moderator)
        pages = {
            "post (author)": author.get(SOURDOUGH),
            "post (reader)": reader.get(SOURDOUGH),
            "post (moderator)": moderator.get(SOURDOUGH),
            "queue": moderator.get("/comments/moderation"),
            "thread JSON (moderator)": moderator.get(f"/comments/api/threads/{SLUG}"),
            "queue JSON": moderator.get("/comments/api/moderation/queue"),
            "recent feed": reader.get("/comments/feeds/recent.atom"),
            "thread feed": reader.get(f"/comments/feeds/threads/{SLUG}.atom"),
        }
        found = {}
        for name, response in pages.items():
            if response.mimetype == "text/html":
                problems = _active(response.get_data(as_text=True))
            elif response.mimetype == "application/json":
                problems = [p for h in _body_htmls(response.get_json()) for p in _active(h)]
            else:
                root = ElementTree.fromstring(response.get_data())
                contents = root.iter("{http://www.w3.org/2005/Atom}content")
                problems = [p for el in contents for p in _active(el.text or "")]
            if problems or response.status_code != 200:
                found[name] = (response.status_code, problems)
        queue = pages["queue"].get_data(as_text=True)
    finally:
        app.extensions["threadkit_example"]["store"].close()
    assert {} == found
    assert 2 * len(ATTACKS) <= queue.count("alert(1)")


def test_demo_moderator_is_local_only(client: FlaskClient) -> None:
    """A browser elsewhere (or behind a proxy) is neither offered nor given the demo moderator."""
    start = client.get("/comments/auth/demo/login?next=/")
    ticket_page = start.headers["Location"]
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    page = client.get(ticket_page, environ_base=remote).get_data(as_text=True)
    assert "demo moderator" not in page
    form = next(f for f in forms_on(page) if "state" in f.names)
    refused = client.post(form.action, data={**form.fields, "moderator": "1"}, environ_base=remote)
    assert 403 == refused.status_code
    proxied = client.post(
        form.action, data={**form.fields, "moderator": "1"}, headers={"X-Forwarded-For": "1.2.3.4"}
    )
    assert 403 == proxied.status_code
