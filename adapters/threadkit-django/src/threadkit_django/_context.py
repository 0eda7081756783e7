"""The rendering context of the shared templates, until ``threadkit_web.context`` exists.

TEMPORARY: docs/web.md promises ``threadkit_web.context`` (``TemplateHelper(state,
visit)``, ``page_context(state, visit, key, ...)``, ``FormState``,
``thread_meta``); it had not landed when this adapter needed it, so this is the
smallest framework-neutral version the Django views need, written against the
same names and signatures (a :class:`threadkit_web.request.Visit` and the
state), to be deleted when the shared one arrives. It reads the request only
through the ``Visit``.
"""

from __future__ import annotations

import gettext
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode, urlsplit

import attrs
from markupsafe import Markup
from threadkit_web import i18n
from threadkit_web.request import Visit

from threadkit.errors import StorageUnavailableError, ThreadkitError
from threadkit.models import Actor, Comment, Identity, SortOrder, Status
from threadkit.redirects import safe_next
from threadkit.serialization import parse_cursor

from .state import DjangoState

__all__ = [
    "Badge",
    "CommentView",
    "FormState",
    "TemplateHelper",
    "Viewer",
    "page_context",
    "thread_meta",
    "thread_meta_token",
]

_META_TTL = timedelta(days=30)


def _http_url(value: str | None) -> str | None:
    if not value:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else None


@attrs.frozen
class FormState:
    """What the comment form shows: the values typed so far and the error, if any."""

    values: Mapping[str, str] = attrs.field(factory=dict)
    parent_id: int | None = None
    error: ThreadkitError | None = None


@attrs.frozen
class Viewer:
    """The reader as templates see them: what they may do to each comment."""

    actor: Actor
    logged_in: Identity | None
    now: datetime
    edit_window: timedelta

    @property
    def moderator(self) -> bool:
        """Whether the reader moderates."""
        return self.actor.moderator

    def owns(self, comment: Comment) -> bool:
        """Whether the reader wrote ``comment``."""
        key = self.actor.key
        return comment.status is not Status.DELETED and key is not None and (
            comment.author.key == key
        )

    def can_change(self, comment: Comment) -> bool:
        """Whether the reader may edit or delete ``comment`` now."""
        if comment.status is Status.DELETED:
            return False
        if self.actor.moderator:
            return True
        return self.owns(comment) and self.now - comment.created_at <= self.edit_window

    def can_vote(self, comment: Comment) -> bool:
        """Whether vote buttons make sense on ``comment`` for this reader."""
        return comment.status is Status.APPROVED and not self.owns(comment)


@attrs.frozen(slots=True)
class Badge:
    """A mark beside a verified author's name: ``kind`` is ``moderator`` or ``verified``."""

    kind: str
    text: str


@attrs.frozen(slots=True)
class CommentView:
    """What the comment macro shows of one comment, worked out in one call."""

    name: str
    href: str | None
    picture: str | None
    iso: str
    when: str
    owns: bool
    can_vote: bool
    can_change: bool
    vote_url: str | None
    csrf: str | None
    badge: Badge | None = None


def viewer_of(state: DjangoState, visit: Visit) -> Viewer:
    """Return the :class:`Viewer` of this visit."""
    return Viewer(visit.actor(), visit.logged_in(), state.clock.now(), state.policy.edit_window)


def thread_meta_token(state: DjangoState, key: str, title: str, url: str) -> str:
    """Sign a thread's title and url, so a form post may create the thread with them."""
    data = {"key": key, "title": title, "url": url}
    return state.signer.dumps("thread", data, now=state.clock.now(), ttl=_META_TTL)


def thread_meta(state: DjangoState, key: str, token: str | None) -> tuple[str, str]:
    """Return the ``(title, url)`` signed in ``token`` for thread ``key``; blanks if invalid."""
    if not token:
        return "", ""
    try:
        data = state.signer.loads("thread", token, now=state.clock.now())
    except ThreadkitError:
        return "", ""
    if data.get("key") != key:
        return "", ""
    title, url = data.get("title", ""), data.get("url", "")
    return (title if isinstance(title, str) else ""), (url if isinstance(url, str) else "")


def _page_url(visit: Visit) -> str:
    request = visit.request
    drop = ("tk_reply", "tk_cursor", "tk_thread")
    args = [(k, v) for k, v in request.arg_items() if k not in drop]
    return request.path + ("?" + urlencode(args) if args else "")


def page_context(
    state: DjangoState,
    visit: Visit,
    key: str,
    *,
    title: str = "",
    url: str = "",
    sort: SortOrder | None = None,
    cursor: str | None = None,
    next_url: str | None = None,
    reply_to: int | None = None,
    form: FormState | None = None,
) -> dict[str, Any]:
    """Everything ``threadkit/thread.html`` needs to render one thread."""
    viewer = viewer_of(state, visit)
    page = None
    unavailable = False
    try:
        page = state.engine.page(key, viewer.actor, sort=sort, cursor=cursor)
    except StorageUnavailableError:
        unavailable = True
    except ThreadkitError:
        if cursor is not None:  # a stale or forged cursor: the first page instead
            page = state.engine.page(key, viewer.actor, sort=sort)
    thread = page.thread if page is not None else None
    back = safe_next(next_url or _page_url(visit), "/")
    base = back.split("#", 1)[0]
    replying: Comment | None = None
    if reply_to is not None:
        try:
            replying = state.engine.get_comment(reply_to, viewer.actor)
        except ThreadkitError:
            replying = None
        if replying is not None and replying.thread_key != key:
            replying = None
    scratch = visit.request.scratch
    number = scratch["threadkit.renders"] = scratch.get("threadkit.renders", 0) + 1
    older_url = older_fragment = None
    if page is not None and page.next_cursor:
        query = urlencode({"tk_thread": key, "tk_cursor": page.next_cursor})
        older_url = f"{base}{'&' if '?' in base else '?'}{query}#comments-{number}"
        older_fragment = visit.urls.url(
            "fragment_thread", key=key, cursor=page.next_cursor, sort=page.sort.value, next=back
        )
    return {
        "tk": TemplateHelper(state, visit),
        # What thread.html reads of the state: where the routes are, and the CSRF header.
        "state": SimpleNamespace(
            settings=SimpleNamespace(
                url_prefix=state.url_prefix, csrf_header=state.settings.csrf_header
            )
        ),
        "key": key,
        "title": thread.title if thread is not None and thread.title else title,
        "url": url,
        "page": page,
        "nodes": page.nodes if page is not None else [],
        "thread": thread,
        "count": thread.comment_count if thread is not None else 0,
        "closed": bool(thread is not None and thread.closed),
        "unavailable": unavailable,
        "viewer": viewer,
        "next_url": back,
        "number": number,
        "uid": f"tk{number}",
        "reply_to": replying,
        "form": form
        or FormState(visit.remembered_author(), replying.id if replying is not None else None),
        "meta_token": thread_meta_token(state, key, title, url),
        "older_url": older_url,
        "first_url": f"{base}#comments-{number}" if cursor else None,
        "reply_base": base + ("&" if "?" in base else "?"),
        "older_fragment_url": older_fragment,
    }


class TemplateHelper:
    """The ``tk`` object of the shared templates: render a thread, links, dates, language."""

    def __init__(self, state: DjangoState, visit: Visit) -> None:
        self.state = state
        self.visit = visit
        self._csrf: str | None = None
        self._language: str | None = None
        self._translations: gettext.NullTranslations | None = None

    def thread(
        self, key: str, *, title: str = "", url: str = "", sort: str | None = None
    ) -> Markup:
        """Render the comment section of thread ``key`` (``?tk_cursor``/``?tk_reply`` apply)."""
        request = self.visit.request
        wanted = request.arg("tk_sort") or sort
        order = SortOrder(wanted) if wanted in {s.value for s in SortOrder} else None
        cursor = None
        if request.arg("tk_thread") == key:
            try:
                cursor = parse_cursor(request.arg("tk_cursor"))
            except ThreadkitError:
                cursor = None
        raw = request.arg("tk_reply") or ""
        reply_to = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
        context = page_context(
            self.state,
            self.visit,
            key,
            title=title,
            url=url,
            sort=order,
            cursor=cursor or None,
            reply_to=reply_to,
        )
        return Markup(self.visit.render("threadkit/thread.html", **context))

    def count(self, key: str) -> int:
        """Return the published comments in thread ``key`` (0 if unknown or unreachable)."""
        return self.counts([key]).get(key, 0)

    def counts(self, keys: Sequence[str]) -> dict[str, int]:
        """Published-comment counts of many threads in one query."""
        try:
            return self.state.engine.counts(list(keys))
        except ThreadkitError:
            return dict.fromkeys(keys, 0)

    def assets(self) -> Markup:
        """Return the ``<link>`` and ``<script>`` tags of the bundled CSS and JavaScript."""
        self.visit.request.scratch["threadkit.assets"] = True
        return Markup(self.visit.render("threadkit/_assets.html", tk=self))

    def assets_once(self) -> Markup:
        """Like :meth:`assets`, but once per request (and only if configured)."""
        if not self.state.settings.include_assets or self.visit.request.scratch.get(
            "threadkit.assets"
        ):
            return Markup("")
        return self.assets()

    def idempotency_key(self) -> str:
        """Return a fresh key for one render of the comment form (a retry then posts once)."""
        return secrets.token_urlsafe(18)

    def csrf_token(self) -> str:
        """Return the CSRF token forms carry."""
        if self._csrf is None:
            self._csrf = self.visit.csrf_token()
        return self._csrf

    def url(self, endpoint: str, **values: Any) -> str:
        """Return the URL of one of threadkit's routes."""
        return self.visit.urls.url(endpoint, **values)

    def static(self, filename: str) -> str:
        """Return the URL of one of threadkit's static files."""
        return self.visit.urls.url("static", filename=filename)

    def comment_view(self, comment: Comment, viewer: Viewer) -> CommentView:
        """Everything the comment macro needs about ``comment``, in one call."""
        author = comment.author
        can_vote = viewer.can_vote(comment)
        return CommentView(
            name=author.name or self.anonymous(),
            href=_http_url(author.url),
            picture=None,
            iso=comment.created_at.isoformat(),
            when=self.when(comment.created_at),
            owns=viewer.owns(comment),
            can_vote=can_vote,
            can_change=viewer.can_change(comment),
            vote_url=self.url("vote", comment_id=comment.id) if can_vote else None,
            csrf=self.csrf_token() if can_vote or viewer.moderator else None,
            badge=self.badge(author),
        )

    def badge(self, author: Identity | None) -> Badge | None:
        """Return the badge a verified author earned (moderator, else verified), or ``None``."""
        if author is None or not author.verified:
            return None
        gettext_ = self.translations.gettext
        if self.state.is_moderator(author):
            return Badge("moderator", gettext_("Moderator"))
        label = self.provider_label(author.provider)
        return Badge("verified", gettext_("Verified · %(provider)s") % {"provider": label})

    def link(self, value: str | None) -> str | None:
        """``value`` if it is safe in an ``href`` (http or https), else ``None``."""
        return _http_url(value)

    def page_link(self, value: str | None) -> str | None:
        """``value`` if it is an http(s) URL or a path on this site, else ``None``."""
        if value and value.startswith("/") and safe_next(value, "") == value:
            return value
        return _http_url(value)

    def sort_link(self, order: str) -> str:
        """Return the current page's URL showing its threads in ``order``."""
        request = self.visit.request
        args = [(k, v) for k, v in request.arg_items() if not k.startswith("tk_")]
        return f"{request.path}?{urlencode([*args, ('tk_sort', order)])}"

    def when(self, moment: datetime) -> str:
        """Return a readable UTC time in the reader's language."""
        return i18n.format_when(moment, self.language)

    @property
    def language(self) -> str:
        """The reader's language."""
        if self._language is None:
            self._language = self.visit.language()
        return self._language

    @property
    def translations(self) -> gettext.NullTranslations:
        """The catalog of the reader's language (the templates' ``_()`` reads it)."""
        if self._translations is None:
            self._translations = i18n.translations(self.language)
        return self._translations

    def lang(self) -> str:
        """Return the reader's language as an HTML ``lang`` value."""
        return i18n.html_lang(self.language)

    def dir(self) -> str:
        """``"ltr"`` or ``"rtl"``."""
        return i18n.direction(self.language)

    def number(self, value: int) -> str:
        """``value`` written for the reader's language."""
        return i18n.format_number(value, self.language)

    def error_message(self, error: ThreadkitError) -> str:
        """Return the message of ``error`` in the reader's language."""
        return i18n.error_message(error, self.language)

    def js_catalog(self) -> str:
        """Return the JSON catalog of the reader's language for threadkit.js."""
        return i18n.js_catalog(self.language)

    def anonymous(self) -> str:
        """Return what an author without a name is called."""
        return self.translations.gettext("Anonymous")

    def provider_label(self, name: str) -> str:
        """Return the human name of an identity provider."""
        label = getattr(self.state.providers.get(name), "label", None)
        return label if isinstance(label, str) and label else name.replace("_", " ").title()
