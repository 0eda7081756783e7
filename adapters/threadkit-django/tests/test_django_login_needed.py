"""Django users only (no anonymous form): a visitor gets a link to Django's LOGIN_URL."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_state")]

ONLY_USERS = {"STORE": "threadkit.memory:MemoryStore", "PROVIDERS": []}


@override_settings(THREADKIT=ONLY_USERS, LOGIN_URL="/accounts/login/")
def test_a_visitor_is_sent_to_the_login_page_and_back() -> None:
    """No form provider: "Log in to comment." links to LOGIN_URL with next= back to the form."""
    html = Client().get("/posts/hello/").content.decode()
    link = re.search(r'<p class="tk-login-needed"><a href="([^"]+)">', html)
    assert link is not None
    assert "/accounts/login/?next=/posts/hello/%23respond-tk1" == link[1].replace("&amp;", "&")
    assert "<textarea" not in html
