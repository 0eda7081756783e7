"""axe-core at WCAG 2.2 AA over the Django adapter's pages, in light and dark, with and without JS.

The same check as the Flask pages' (``adapters/threadkit-flask/tests/test_flask_a11y.py``):
axe-core pinned in ``tools/a11y``, zero violations, no rule turned off, over the
thread with nested replies (threadkit.js loaded, and refused), the reply form in an
error state, and the moderation queue a staff user sees. The host page is a small
Django page of this module's own (``lang``, a ``<main>``), with
``{% threadkit_thread %}`` in it; pytest-django's ``live_server`` serves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client, override_settings
from django.urls import include, path
from threadkit_django import get_state, reset_state
from tkdjango_site.browser import chromium_beside_the_orm

from threadkit.engine import CommentEngine
from threadkit.models import Candidate, Identity, Verdict
from threadkit.moderation import FirstTimeApproval, Pipeline
from tools.a11y.axe import add_axe, describe, open_page
from tools.a11y.pages import SCHEMES, ThreadPagesSuite, checked, open_phone, post_deep_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(__name__),
]


_PAGE = """{% load threadkit %}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
</head><body><main><h1>{{ title }}</h1><p>A post on a Django site.</p>
{% threadkit_thread slug title=title %}</main></body></html>"""


def post(request: HttpRequest, slug: str) -> HttpResponse:
    """A blog post page of the host site, with its comments."""
    page = engines["django"].from_string(_PAGE)
    return HttpResponse(page.render({"slug": slug, "title": f"Post {slug}"}, request))


urlpatterns = [
    path("comments/", include("threadkit_django.urls")),
    path("posts/<slug:slug>/", post, name="post"),
]


class Refuse:
    """A moderation step that refuses comments saying FLOOD (the form's error state)."""

    name = "a11y-refuse"

    def check(self, candidate: Candidate) -> Verdict:
        """Refuse FLOOD, hold nothing else."""
        if "FLOOD" in candidate.body:
            return Verdict.reject(self.name, "flood", "Slow down.", retry_after=12.5)
        return Verdict.accept()


def a11y_engine(store: Any) -> CommentEngine:
    """Refuses FLOOD and holds a first comment from an author for review."""
    return CommentEngine(store, pipeline=Pipeline([Refuse(), FirstTimeApproval(store)]))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_beside_the_orm() as chromium:
        yield chromium


@pytest.fixture
def site(live_server: Any) -> Iterator[str]:
    """The live server's URL; a memory store whose "deep" thread has replies 5 levels down."""
    settings = {"STORE": "threadkit.memory:MemoryStore", "ENGINE": f"{__name__}:a11y_engine"}
    with override_settings(THREADKIT=settings):
        reset_state()
        engine = CommentEngine(get_state().engine.store)  # the seed is not moderated
        post_deep_thread(engine, Identity("site", "1", "Seeder"))
        yield str(live_server.url)
        reset_state()


class TestDjangoThreadPages(ThreadPagesSuite):
    """The shared checks on the Django adapter's pages."""

    shot_prefix = "django-"

    def post_url(self, site: str, slug: str) -> str:
        """Return the post's URL on the test project (Django's trailing slash)."""
        return f"{site}/posts/{slug}/"

    @pytest.fixture
    def a11y_site(self, site: str) -> str:
        return site


@pytest.mark.parametrize("scheme", SCHEMES)
def test_moderation_queue(site: str, browser: Any, scheme: str, django_user_model: Any) -> None:
    """The queue a staff user sees, with a held comment: no violations, a way back to the post."""
    slug = f"held-{scheme}"
    visitor = open_page(browser, f"{site}/posts/{slug}/", scheme=scheme, js=False)
    visitor.get_by_label("Name").fill("Grace")
    visitor.locator("textarea[name=body]").first.fill(f"Held for a moderator ({scheme})")
    visitor.get_by_role("button", name="Post Comment").click()
    visitor.locator(".tk-notice").first.wait_for()
    visitor.context.close()

    staff = django_user_model.objects.create_user(f"boss-{scheme}", "", "pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    context = browser.new_context(color_scheme=scheme)
    add_axe(context)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}]
    )
    page = context.new_page()
    page.goto(f"{site}/comments/moderation")
    held = page.locator("article.tk-comment", has_text=f"Held for a moderator ({scheme})")
    held.wait_for()
    back = (held.get_by_role("link", name=f"Post {slug}").get_attribute("href") or "").split("#")[0]
    violations = checked(page, f"django-queue-{scheme}")
    assert (f"/posts/{slug}/", []) == (back, violations), describe(violations)


DEPTHS = """() => Object.fromEntries(Array.from(document.querySelectorAll('article.tk-comment'),
  a => [a.dataset.tkDepth, [a.getBoundingClientRect().left, a.getBoundingClientRect().right,
    a.querySelector('.tk-body').getBoundingClientRect().width]]))"""


def test_an_arabic_phone_mirrors_and_keeps_deep_replies_readable(site: str, browser: Any) -> None:
    """At 390 px in Arabic: no sideways scroll, replies indent from the right, depth 5 >= 250 px."""
    page = open_phone(browser, f"{site}/posts/deep/", locale="ar")
    boxes = page.evaluate(DEPTHS)
    direction = page.locator("section.tk-thread").get_attribute("dir")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    violations = checked(page, "django-phone-ar")
    (top_left, top_right, _), (deep_left, deep_right, deep_width) = boxes["0"], boxes["5"]
    assert ("rtl", 390, True, True, True) == (
        direction,
        scroll,
        deep_right < top_right,
        abs(deep_left - top_left) <= 1,
        deep_width >= 250,
    ), boxes
    assert [] == violations, describe(violations)
