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
from threadkit_social.testing import log_in_from_the_form, serve_avatars
from tkdjango_site.browser import chromium

from threadkit.testing.browser import post_comment

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_social_login_post_and_log_out_in_chromium(live_server: Any) -> None:
    """Log in with the OIDC provider from the form, land on the box, post as Ada, log out."""
    post_page = f"{live_server.url}/posts/social/"
    # Chromium (and Playwright's event loop in this thread) only within the test: the
    # database set-up and flush around it are synchronous ORM calls.
    with social_site() as idp, chromium() as browser:
        context = browser.new_context()
        serve_avatars(context)
        page = context.new_page()
        page.goto(post_page)
        log_in_from_the_form(
            page,
            site=live_server.url,
            post_page=post_page,
            idp=idp,
            name=OIDC_NAME,
            label="Test IdP",
        )
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
