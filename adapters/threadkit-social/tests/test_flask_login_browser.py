"""A social login in headless Chromium: a blog post, "Log in with ...", the provider, and back.

The blog (the Flask adapter under its strict CSP) runs in werkzeug's WSGI
server on 127.0.0.1 at a random port; the provider is the real
:class:`~threadkit_social.testing_server.IdentityServer` on another port,
consenting at once. Screenshots go to ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask_login_support import OIDC_NAME, create_site, social_providers
from threadkit_flask.testing import launch_chromium, serve, watch_errors
from threadkit_social import GitHubProvider
from threadkit_social.testing import log_in_from_the_form, serve_avatars
from threadkit_social.testing_server import CLIENT_ID, CLIENT_SECRET, IdentityServer

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
STRICT = {"THREADKIT_APP_SECURITY_HEADERS": True, "THREADKIT_BASE_URL": None}
"""The whole blog under threadkit's strict Content-Security-Policy; origin from SERVER_NAME."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def engine() -> CommentEngine:
    return CommentEngine(MemoryStore())


@pytest.fixture
def blog(idp: IdentityServer, engine: CommentEngine) -> Iterator[str]:
    """The blog, served over HTTP on 127.0.0.1; yields its base URL."""
    app = create_site(engine, social_providers(idp), config=STRICT)
    with serve(app) as base_url:
        # Login callbacks are built on the configured origin, known once the port is.
        app.config["SERVER_NAME"] = urlsplit(base_url).netloc
        yield base_url


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_social_login_round_trip_post_and_log_out(
    blog: str, browser: Any, idp: IdentityServer, engine: CommentEngine
) -> None:
    """Log in with the OIDC provider from the form, come back to the box, post, log out."""
    from playwright.sync_api import expect

    context = browser.new_context()
    serve_avatars(context)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{blog}/posts/hello")
    page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    form = page.locator("[data-tk-respond]")

    log_in_from_the_form(
        page, site=blog, post_page=f"{blog}/posts/hello", idp=idp, name=OIDC_NAME, label="Test IdP"
    )
    assert ["/token"] == [path for _, path, _ in idp.requests if path == "/token"]
    expect(page.locator("#respond-tk1")).to_be_in_viewport()
    assert 0 == page.get_by_label("Name").count()

    page.locator("textarea[name=body]").fill("Logged in through the identity server")
    page.get_by_role("button", name="Post Comment").click()
    posted = page.locator("article.tk-comment", has_text="Logged in through the identity server")
    posted.wait_for()
    # A verified login shows its badge beside the name (#11, impersonation).
    assert "Ada Lovelace Verified · Test IdP" == posted.locator(".tk-author").inner_text()
    picture = posted.locator("img.tk-avatar")
    expect(picture).to_have_attribute("src", "https://avatars.example/ada.png")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    stored = engine.recent(thread_key="hello")
    assert [(OIDC_NAME, "Ada Lovelace", True)] == [
        (c.author.provider, c.author.name, c.author.verified) for c in stored
    ]
    shot(page, "social-login.png")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{blog}/posts/hello#respond-tk1")
    expect(page.locator(".tk-logged-in")).to_have_count(0)
    expect(form.get_by_role("link", name="Log in with Test IdP")).to_be_visible()
    assert "Ada Lovelace Verified · Test IdP" == posted.locator(".tk-author").inner_text()
    assert [] == errors
    context.close()


def test_declined_consent_in_the_browser_shows_why(
    blog: str, browser: Any, idp: IdentityServer
) -> None:
    """When the reader declines at the provider, the browser shows a clear page, not a crash."""
    idp.approve = False
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{blog}/posts/hello")
    page.locator("[data-tk-respond]").get_by_role("link", name="Log in with GitHub").click()
    page.wait_for_url(f"{blog}/comments/auth/github/callback?*")
    assert "You declined to share your GitHub account" in page.locator("[role=alert]").inner_text()
    shot(page, "social-login-declined.png")
    page.goto(f"{blog}/posts/hello")
    assert 0 == page.locator(".tk-logged-in").count()
    context.close()


def test_login_through_a_cross_site_provider_keeps_the_lax_session(
    browser: Any, idp: IdentityServer, engine: CommentEngine
) -> None:
    """With the provider on another site (localhost vs 127.0.0.1), the SameSite=Lax cookie holds."""
    port = idp.base_url.rsplit(":", 1)[1]
    github = GitHubProvider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authorize_url=f"http://localhost:{port}/authorize",
        token_url=f"{idp.base_url}/token",
        api_url=f"{idp.base_url}/github",
    )
    app = create_site(engine, [github], config=STRICT)
    with serve(app) as blog:
        app.config["SERVER_NAME"] = urlsplit(blog).netloc
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{blog}/posts/cross-site")
        cookie = next(c for c in context.cookies() if c["name"] == "session")
        visited: list[str] = []
        page.on("request", lambda request: visited.append(request.url.split("?")[0]))
        page.locator("[data-tk-respond]").get_by_role("link", name="Log in with GitHub").click()
        page.wait_for_url(f"{blog}/posts/cross-site#respond-tk1")
        assert ("Lax", True) == (cookie["sameSite"], cookie["httpOnly"])
        assert f"http://localhost:{port}/authorize" in visited
        assert "You are commenting as Ada Lovelace (GitHub)." in " ".join(
            page.locator(".tk-logged-in").inner_text().split()
        )
        context.close()
