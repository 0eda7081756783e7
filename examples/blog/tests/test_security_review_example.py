"""Security review of the example blog: the demo login and the session cookie."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from blog_test_support import example_env
from flask.testing import FlaskClient
from threadkit_example import create_app


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
