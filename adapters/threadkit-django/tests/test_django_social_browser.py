"""A social login on a Django site in headless Chromium: "Log in with ...", the provider, back.

pytest-django's ``live_server`` runs the test project; the provider is the real
:class:`~threadkit_social.testing_server.IdentityServer` on another port of
127.0.0.1, consenting at once. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from social_support import OIDC_NAME, social_site
from threadkit_django import get_state
from tkdjango_site.browser import chromium

from threadkit.testing.browser import post_comment

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CIRCLE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
    '<circle cx="20" cy="20" r="20" fill="#6a5acd"/></svg>'
)


def test_social_login_post_and_log_out_in_chromium(live_server: Any) -> None:
    """Log in with the OIDC provider from the form, land on the box, post as Ada, log out."""
    post_page = f"{live_server.url}/posts/social/"
    # Chromium (and Playwright's event loop in this thread) only within the test: the
    # database set-up and flush around it are synchronous ORM calls.
    with social_site() as idp, chromium() as browser:
        context = browser.new_context()
        # The provider's picture URL (offline here): a plain circle in its place.
        context.route(
            "https://avatars.example/**",
            lambda route: route.fulfill(body=CIRCLE, content_type="image/svg+xml"),
        )
        page = context.new_page()
        page.goto(post_page)
        visited: list[str] = []
        page.on("request", lambda request: visited.append(request.url.split("?")[0]))
        page.get_by_role("link", name="Log in with Test IdP").click()
        page.wait_for_url(f"{post_page}#respond-tk1")
        assert [
            f"{live_server.url}/comments/auth/{OIDC_NAME}/login",
            f"{idp.base_url}/authorize",
            f"{live_server.url}/comments/auth/{OIDC_NAME}/callback",
            post_page,
        ] == [url for url in visited if "/static/" not in url and "/avatars/" not in url]
        said = " ".join(page.locator(".tk-logged-in").inner_text().split())
        assert "You are commenting as Ada Lovelace (Test IdP). Log out" == said
        shown = post_comment(page, "Posted from Chromium after the OIDC login")
        assert "Ada Lovelace" in shown.locator(".tk-author").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "django-social-login.png"), full_page=True)
        stored = get_state().engine.recent(thread_key="social")
        assert [(OIDC_NAME, "Ada Lovelace", True)] == [
            (c.author.provider, c.author.name, c.author.verified) for c in stored
        ]
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{post_page}#respond-tk1")
        page.get_by_role("link", name="Log in with Test IdP").wait_for()
        assert 0 == page.locator(".tk-logged-in").count()
        context.close()
