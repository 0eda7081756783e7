"""Django's request, router and session as the shared web layer (``threadkit_web``) wants them.

:class:`DjangoRequest` fits :class:`threadkit_web.request.WebRequest`,
:class:`DjangoUrls` builds threadkit's URLs with ``reverse`` (values the
pattern does not take go in the query string, as Flask's ``url_for`` does), and
:class:`DjangoVisit` is the :class:`threadkit_web.request.Visit` of one request:
who reads (``request.user``, else the anonymous browser id), Django's CSRF
token, the reader's language and a renderer over the shared Jinja templates.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlencode

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
import jinja2
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from threadkit_web import i18n
from threadkit_web.jinja import environment
from threadkit_web.posting import anonymous_identity

from threadkit.models import Actor, Identity

from . import visitors
from .state import URL_NAMESPACE, get_state

__all__ = ["DjangoRequest", "DjangoUrls", "DjangoVisit", "jinja_environment", "visit_of"]

_SCRATCH = "_threadkit_scratch"
_VISIT = "_threadkit_visit"


class DjangoRequest:
    """One Django ``HttpRequest`` as plain values (:class:`threadkit_web.request.WebRequest`)."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request
        self.method = request.method or "GET"
        self.path = request.path
        self.mimetype = (request.content_type or "").lower()
        self.remote_addr = str(request.META.get("REMOTE_ADDR") or "")

    @property
    def mimetype_params(self) -> Mapping[str, str]:
        """Parameters of the Content-Type (``charset``, ``boundary``)."""
        return {k.lower(): v for k, v in (self._request.content_params or {}).items()}

    @property
    def scratch(self) -> MutableMapping[str, Any]:
        """A dict kept on the ``HttpRequest`` for as long as the request lives."""
        found: MutableMapping[str, Any] | None = getattr(self._request, _SCRATCH, None)
        if found is None:
            found = {}
            setattr(self._request, _SCRATCH, found)
        return found

    def arg(self, name: str) -> str | None:
        """Return the first value of query parameter ``name``, or ``None``."""
        values = self._request.GET.getlist(name)
        return values[0] if values else None

    def arg_list(self, name: str) -> list[str]:
        """Return every value of query parameter ``name``, in order."""
        return list(self._request.GET.getlist(name))

    def arg_items(self) -> list[tuple[str, str]]:
        """Return every ``(name, value)`` pair of the query string, in order."""
        return [(k, v) for k, values in self._request.GET.lists() for v in values]

    def header(self, name: str) -> str | None:
        """Return header ``name`` (case-insensitive), or ``None``."""
        return self._request.headers.get(name)

    def cookie(self, name: str) -> str | None:
        """Return cookie ``name``, or ``None``."""
        return self._request.COOKIES.get(name)

    def body(self) -> bytes:
        """Return the body (Django caps it with ``DATA_UPLOAD_MAX_MEMORY_SIZE``)."""
        return self._request.body


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@functools.cache
def _route_params() -> dict[str, frozenset[str]]:
    from .urls import urlpatterns

    return {
        str(p.name): frozenset(_PARAM.findall(str(p.pattern))) for p in urlpatterns if p.name
    }


class DjangoUrls:
    """Builds the URLs of threadkit's routes by name (:class:`threadkit_web.request.Urls`)."""

    def url(self, name: str, /, **values: Any) -> str:
        """Return the path of route ``name``; values its pattern does not take become the query."""
        takes = _route_params().get(name, frozenset())
        kwargs = {k: str(v) for k, v in values.items() if k in takes}
        query = [(k, str(v)) for k, v in values.items() if k not in takes and v is not None]
        path = reverse(f"{URL_NAMESPACE}:{name}", kwargs=kwargs)
        return f"{path}?{urlencode(query)}" if query else path


def _language_of(request: HttpRequest) -> str:
    host = getattr(django.conf.settings, "THREADKIT_LOCALE", None)
    if callable(host):  # as in Flask: a function of nothing that picks the language
        host = host()
    accepted = i18n.accept_language_tags(request.headers.get("Accept-Language"))
    chosen = getattr(request, "LANGUAGE_CODE", None)  # Django's LocaleMiddleware, if used
    return i18n.choose_language(host, [chosen, *accepted] if chosen else accepted)


class DjangoVisit:
    """One request as the shared templates and handlers see it (a ``threadkit_web`` Visit)."""

    def __init__(self, request: HttpRequest) -> None:
        self.django = request
        self.request = DjangoRequest(request)
        self.urls = DjangoUrls()
        self._language: str | None = None

    def actor(self, *, create: bool = False) -> Actor:
        """Return who acts: the Django user, else this browser (``create``: give it an id now)."""
        identity = self.logged_in() or anonymous_identity(get_state().web, self, create=create)
        return Actor(identity=identity, moderator=visitors.is_moderator(self.django))

    def logged_in(self) -> Identity | None:
        """Return the Django user's identity (or another session provider's), else ``None``."""
        return visitors.logged_in_identity(self.django)

    def remembered_author(self) -> dict[str, str]:
        """Return the name / email / url this browser typed last."""
        return visitors.remembered_author(self.django)

    def remember_author(self, fields: Mapping[str, str]) -> None:
        """Remember what an anonymous commenter typed (cleaned), in the session."""
        visitors.remember_author(self.django, fields)

    def browser_id(self, *, create: bool = False) -> str | None:
        """Return this browser's random id, kept in the session (made now if asked)."""
        return visitors.browser_id(self.django, create=create)

    def csrf_token(self) -> str:
        """Return Django's CSRF token (forms carry it as ``csrf_token``)."""
        return get_token(self.django)

    def language(self) -> str:
        """Return the reader's language: THREADKIT_LOCALE, else Django's, else Accept-Language."""
        if self._language is None:
            self._language = _language_of(self.django)
        return self._language

    def render(self, template: str, /, **context: Any) -> str:
        """Render one of the shared Jinja templates."""
        return jinja_environment().get_template(template).render(**context)


@functools.cache
def jinja_environment() -> jinja2.Environment:
    """Return the Jinja environment of the shared templates (the project's own override them).

    A ``threadkit/*.html`` in a folder of ``TEMPLATES[...]["DIRS"]`` replaces the shipped one.
    """
    dirs = [str(d) for entry in django.conf.settings.TEMPLATES for d in entry.get("DIRS", ())]
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(dirs)] if dirs else []
    return environment(lambda: i18n.DEFAULT_LANGUAGE, loaders=loaders)


def visit_of(request: HttpRequest) -> DjangoVisit:
    """Return the visit of ``request`` (one per request, so its caches are shared)."""
    found = getattr(request, _VISIT, None)
    if not isinstance(found, DjangoVisit):
        found = DjangoVisit(request)
        setattr(request, _VISIT, found)
    return found
