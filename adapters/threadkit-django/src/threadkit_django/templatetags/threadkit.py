"""``{% load threadkit %}``: the comment section in a Django template.

``{% threadkit_thread post.slug title=post.title %}`` renders the thread and its
form with the shared Jinja templates and returns the HTML marked safe;
``{% threadkit_count post.slug %}`` gives the number of published comments.
Both need ``request`` in the context (Django's ``request`` context processor).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from threadkit_web.context import TemplateHelper

from threadkit_django.state import get_state
from threadkit_django.web import visit_of

__all__ = ["register", "threadkit_count", "threadkit_thread"]

register = template.Library()


def _helper(context: template.Context) -> TemplateHelper:
    request = context.get("request")
    if not isinstance(request, HttpRequest):
        raise ImproperlyConfigured(
            "{% threadkit_thread %} needs the request: add "
            '"django.template.context_processors.request" to TEMPLATES OPTIONS '
            "context_processors, and render with render(request, ...)"
        )
    return TemplateHelper(get_state().web, visit_of(request))


@register.simple_tag(takes_context=True)
def threadkit_thread(
    context: template.Context, key: Any, title: Any = "", url: Any = "", sort: Any = None
) -> SafeString:
    """Render the comment section of thread ``key`` (``url`` defaults to this page's path)."""
    helper = _helper(context)
    page = url or helper.visit.request.path
    markup = helper.thread(str(key), title=str(title or ""), url=str(page), sort=sort)
    return mark_safe(str(markup))  # rendered by the autoescaping shared Jinja templates


@register.simple_tag(takes_context=True)
def threadkit_count(context: template.Context, key: Any) -> int:
    """Return the number of published comments in thread ``key``."""
    return _helper(context).count(str(key))
