"""Server-side rendering of threads: the ``threadkit`` template helper and its context.

A host template calls ``{{ threadkit.thread("post-42", title=..., url=...) }}``
and gets the whole comment section as markup, rendered from the overridable
templates under ``threadkit/``. ``threadkit.count(key)`` and
``threadkit.counts(keys)`` give comment counts for post lists.
"""

from __future__ import annotations

import gettext
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import attrs
from flask import render_template, request, url_for
from markupsafe import Markup

from threadkit.errors import StorageUnavailableError, ThreadkitError
from threadkit.models import Actor, Comment, Identity, SortOrder, Status
from threadkit.pages import ThreadPage
from threadkit.redirects import safe_next
from threadkit.serialization import parse_cursor

from . import avatars, csrf, i18n, visitors
from .state import ThreadKitState

__all__ = [
    "Badge",
    "CommentView",
    "FormState",
    "TemplateHelper",
    "Viewer",
    "http_url",
    "page_context",
    "thread_meta_token",
    "thread_meta",
]

_THREAD_META_TTL = timedelta(days=30)
_ID_PLACEHOLDER = "tkCommentIdPlaceholder"


def http_url(value: str | None) -> str | None:
    """Return ``value`` if it is an absolute http(s) URL, else ``None`` (never link it)."""
    if not value:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


@attrs.frozen
class FormState:
    """What the comment form shows: the values typed so far and the error, if any."""

    values: Mapping[str, str] = attrs.field(factory=dict)
    parent_id: int | None = None
    error: ThreadkitError | None = None


@attrs.frozen
class Viewer:
    """The reader, as templates see them: what they may do to each comment."""

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
        return (
            comment.status is not Status.DELETED
            and self.actor.key is not None
            and comment.author.key == self.actor.key
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
class CommentView:
    """What the comment macro shows of one comment, worked out in one call per comment.

    Templates called ``tk.link``, ``tk.avatar``, ``tk.when``, ``viewer.owns``
    and more for every comment; each call from a template costs several
    times the work it does, so :meth:`TemplateHelper.comment_view` does them
    all at once. Values are plain text: the template still escapes them.
    """

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


@attrs.frozen(slots=True)
class Badge:
    """A mark beside an author's name that an anonymous commenter cannot get.

    ``kind`` is ``"moderator"`` or ``"verified"`` (the CSS class
    ``tk-badge-<kind>``); ``text`` is what it says, for eyes and screen
    readers alike: ``"Moderator"``, ``"Verified · GitHub"``.
    """

    kind: str
    text: str


def current_viewer(state: ThreadKitState) -> Viewer:
    """Build the :class:`Viewer` of this request."""
    return Viewer(
        actor=visitors.actor(),
        logged_in=visitors.logged_in_identity(),
        now=state.clock.now(),
        edit_window=state.policy.edit_window,
    )


def thread_meta_token(state: ThreadKitState, key: str, title: str, url: str) -> str:
    """Sign a thread's title and url, so a form post can create the thread with them."""
    return state.signer.dumps(
        "thread",
        {"key": key, "title": title, "url": url},
        now=state.clock.now(),
        ttl=_THREAD_META_TTL,
    )


def thread_meta(state: ThreadKitState, key: str, token: str | None) -> tuple[str, str]:
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


def current_page_url(drop: Sequence[str] = ("tk_reply", "tk_cursor", "tk_thread")) -> str:
    """Return the current page's path and query, minus threadkit's own parameters."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in drop]
    query = urlencode(args)
    return request.path + ("?" + query if query else "")


def _render_count(state: ThreadKitState) -> int:
    count: int = request.environ.get("threadkit.renders", 0) + 1
    request.environ["threadkit.renders"] = count
    return count


def _args_int(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def page_context(
    state: ThreadKitState,
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
    viewer = current_viewer(state)
    page: ThreadPage | None = None
    unavailable = False
    try:
        page = state.engine.page(key, viewer.actor, sort=sort, cursor=cursor)
    except StorageUnavailableError:
        unavailable = True
    except ThreadkitError:
        if cursor is not None:  # a stale or forged cursor: show the first page instead
            try:
                page = state.engine.page(key, viewer.actor, sort=sort)
            except ThreadkitError:
                page = None
    nodes = page.nodes if page is not None else []
    thread = page.thread if page is not None else None
    back = safe_next(next_url or current_page_url(), "/")
    reply_comment: Comment | None = None
    if reply_to is not None:
        try:
            reply_comment = state.engine.get_comment(reply_to, viewer.actor)
        except ThreadkitError:
            reply_comment = None
        if reply_comment is not None and reply_comment.thread_key != key:
            reply_comment = None
    form = form or FormState(
        values=visitors.remembered_author(),
        parent_id=reply_comment.id if reply_comment is not None else None,
    )
    number = _render_count(state)
    older_url = None
    if page is not None and page.next_cursor:
        query = {"tk_thread": key, "tk_cursor": page.next_cursor}
        base = back.split("#", 1)[0]
        older_url = base + ("&" if "?" in base else "?") + urlencode(query) + f"#comments-{number}"
    return {
        "tk": TemplateHelper(state),
        "state": state,
        "key": key,
        "title": (thread.title if thread is not None and thread.title else title),
        "url": url,
        "page": page,
        "nodes": nodes,
        "thread": thread,
        "count": thread.comment_count if thread is not None else 0,
        "closed": bool(thread is not None and thread.closed),
        "unavailable": unavailable,
        "viewer": viewer,
        "next_url": back,
        "number": number,
        "uid": f"tk{number}",
        "reply_to": reply_comment,
        "form": form,
        "meta_token": thread_meta_token(state, key, title, url),
        "older_url": older_url,
        # A later page (no JS) links back to the first one.
        "first_url": (back.split("#", 1)[0] + f"#comments-{number}") if cursor else None,
        "reply_base": back.split("#", 1)[0] + ("&" if "?" in back.split("#", 1)[0] else "?"),
        "older_fragment_url": (
            url_for(
                f"{state.blueprint_name}.fragment_thread",
                key=key,
                cursor=page.next_cursor,
                sort=page.sort.value,
                next=back,
            )
            if page is not None and page.next_cursor
            else None
        ),
    }


class TemplateHelper:
    """The ``threadkit`` object templates see: render a thread, count comments, link assets."""

    def __init__(self, state: ThreadKitState) -> None:
        self._state = state
        # Per-render caches: one helper serves one render, so these never outlive a request.
        self._csrf: str | None = None
        self._urls: dict[tuple[Any, ...], tuple[str, str] | None] = {}
        self._avatars: dict[str, str | None] = {}
        self._months: dict[int, str] = {}
        self._language: str | None = None
        self._translations: gettext.NullTranslations | None = None

    @property
    def state(self) -> ThreadKitState:
        """The extension state of the current app."""
        return self._state

    def thread(
        self,
        key: str,
        *,
        title: str = "",
        url: str = "",
        sort: str | None = None,
    ) -> Markup:
        """Render the comment section of thread ``key``.

        ``title`` and ``url`` describe the page (used in headings, feeds and
        emails, and stored when the first comment creates the thread).
        ``sort`` is ``"oldest"``, ``"newest"`` or ``"top"`` (default: the
        engine's). The page's ``?tk_cursor=`` and ``?tk_reply=`` parameters
        select older comments and the comment being replied to, so paging and
        replying work without JavaScript.
        """
        order: SortOrder | None = None
        wanted = request.args.get("tk_sort") or sort
        if wanted in {s.value for s in SortOrder}:
            order = SortOrder(wanted)
        mine = request.args.get("tk_thread") == key
        cursor: str | None = None
        if mine:
            try:
                cursor = parse_cursor(request.args.get("tk_cursor"))
            except ThreadkitError:
                cursor = None  # a mangled link: show the first page
        reply_to = _args_int("tk_reply")
        context = page_context(
            self._state,
            key,
            title=title,
            url=url,
            sort=order,
            cursor=cursor or None,
            reply_to=reply_to,
        )
        return Markup(render_template("threadkit/thread.html", **context))

    def count(self, key: str) -> int:
        """Return number of published comments in thread ``key`` (0 if unknown or unreachable)."""
        return self.counts([key]).get(key, 0)

    def counts(self, keys: Sequence[str]) -> dict[str, int]:
        """Published-comment counts for many threads in one query (for post lists)."""
        try:
            return self._state.engine.counts(list(keys))
        except ThreadkitError:
            return dict.fromkeys(keys, 0)

    def assets(self) -> Markup:
        """Return the ``<link>`` and ``<script>`` tags of the bundled CSS and JavaScript."""
        request.environ["threadkit.assets"] = True
        return Markup(render_template("threadkit/_assets.html"))

    def assets_once(self) -> Markup:
        """Like :meth:`assets`, but only the first time in a request (and only if configured)."""
        if not self._state.settings.include_assets or request.environ.get("threadkit.assets"):
            return Markup("")
        return self.assets()

    def idempotency_key(self) -> str:
        """Return a fresh key for one render of the comment form (a retry then posts once)."""
        return secrets.token_urlsafe(18)

    def csrf_token(self) -> str:
        """Return this session's CSRF token, for a hidden ``csrf_token`` field."""
        if self._csrf is None:
            self._csrf = csrf.token()
        return self._csrf

    def url(self, endpoint: str, **values: Any) -> str:
        """``url_for`` one of threadkit's own endpoints.

        Links to a comment (``comment_id=<int>``) are built once per endpoint
        and other arguments, with a placeholder id, and then filled in: a page
        links every comment the same way, and a number needs no quoting.
        """
        cid = values.get("comment_id")
        if type(cid) is not int or cid < 0:
            return url_for(f"{self._state.blueprint_name}.{endpoint}", **values)
        try:
            key: tuple[Any, ...] = (
                endpoint,
                *sorted(item for item in values.items() if item[0] != "comment_id"),
            )
            known = key in self._urls
        except TypeError:  # an argument that cannot be a key (a list): build it directly
            return url_for(f"{self._state.blueprint_name}.{endpoint}", **values)
        if known:
            pattern = self._urls[key]
        else:
            built = url_for(
                f"{self._state.blueprint_name}.{endpoint}",
                **dict(values, comment_id=_ID_PLACEHOLDER),
            )
            parts = built.split(_ID_PLACEHOLDER)
            pattern = (parts[0], parts[1]) if len(parts) == 2 else None
            self._urls[key] = pattern
        if pattern is None:
            return url_for(f"{self._state.blueprint_name}.{endpoint}", **values)
        return f"{pattern[0]}{cid}{pattern[1]}"

    def static(self, filename: str) -> str:
        """URL of one of threadkit's static files."""
        return url_for(f"{self._state.blueprint_name}.static", filename=filename)

    def comment_view(self, comment: Comment, viewer: Viewer) -> CommentView:
        """Everything the comment macro needs about ``comment`` for ``viewer``, in one call."""
        author = comment.author
        owns = viewer.owns(comment)
        can_vote = viewer.can_vote(comment)
        created = comment.created_at
        return CommentView(
            name=author.name or self.anonymous(),
            href=http_url(author.url),
            picture=self.avatar(author),
            iso=created.isoformat(),
            when=self.when(created),
            owns=owns,
            can_vote=can_vote,
            can_change=viewer.can_change(comment),
            vote_url=self.url("vote", comment_id=comment.id) if can_vote else None,
            csrf=self.csrf_token() if can_vote or viewer.moderator else None,
            badge=self.badge(author) if author.verified else None,
        )

    def badge(self, author: Identity | None) -> Badge | None:
        """Return the badge ``author`` has earned, or ``None`` (anonymous, unverified).

        Only a verified identity (a login, never a typed-in name) can be a
        moderator's or carry a provider's name, so look-alike names stay plain.
        """
        if author is None or not author.verified:
            return None
        if self._state.is_moderator(author):
            return Badge("moderator", i18n.gettext("Moderator"))
        text = i18n.gettext("Verified · %(provider)s")
        return Badge("verified", text % {"provider": self.provider_label(author.provider)})

    def link(self, value: str | None) -> str | None:
        """``value`` if it is safe to put in an ``href`` (http or https), else ``None``."""
        return http_url(value)

    def page_link(self, value: str | None) -> str | None:
        """Return ``value`` if it is an http(s) URL or a path on this site, else ``None``."""
        if value and value.startswith("/") and safe_next(value, "") == value:
            return value
        return http_url(value)

    def sort_link(self, order: str) -> str:
        """Return the current page's URL showing its threads in ``order``."""
        args = [(k, v) for k, v in request.args.items(multi=True) if not k.startswith("tk_")]
        args.append(("tk_sort", order))
        return f"{request.path}?{urlencode(args)}"

    def avatar(self, identity: Identity | None) -> str | None:
        """Return the picture URL of an author (identicon or https avatar), or ``None``."""
        value = identity.avatar if identity is not None else None
        if not value:
            return None
        try:
            return self._avatars[value]
        except KeyError:
            url = self._avatars[value] = avatars.avatar_url(value)
            return url

    def when(self, moment: datetime) -> str:
        """Return a readable UTC timestamp for ``moment``, in the reader's language."""
        if self.language != i18n.DEFAULT_LANGUAGE:
            return i18n.format_when(moment, self.language)
        year = moment.year
        if year < 1000:  # how strftime writes short years differs between platforms
            return f"{moment:%B} {moment.day}, {moment:%Y} at {moment:%H:%M} UTC"
        month = self._months.get(moment.month)
        if month is None:  # strftime is slow; a render asks for the same months again and again
            month = self._months[moment.month] = f"{moment:%B}"
        return f"{month} {moment.day}, {year} at {moment.hour:02d}:{moment.minute:02d} UTC"

    @property
    def language(self) -> str:
        """The reader's language (a Babel locale identifier such as ``"pt_BR"``)."""
        if self._language is None:
            self._language = i18n.current_locale()
        return self._language

    @property
    def translations(self) -> gettext.NullTranslations:
        """The catalog of the reader's language (templates' ``_()`` read it from here)."""
        if self._translations is None:
            self._translations = i18n.translations(self.language)
        return self._translations

    def lang(self) -> str:
        """Return the reader's language as an HTML ``lang`` value (``"pt-BR"``)."""
        return i18n.html_lang(self.language)

    def dir(self) -> str:
        """Return the writing direction of the reader's language: ``"ltr"`` or ``"rtl"``."""
        return i18n.direction(self.language)

    def number(self, value: int) -> str:
        """Return ``value`` written for the reader's language (``"1,200"``)."""
        return i18n.format_number(value)

    def error_message(self, error: ThreadkitError) -> str:
        """Return the message of ``error`` in the reader's language (by its code), else English."""
        return i18n.error_message(error)

    def js_catalog(self) -> str:
        """Return the JSON catalog of the reader's language for threadkit.js (``data-tk-i18n``)."""
        return i18n.js_catalog(self.language)

    def anonymous(self) -> str:
        """Return what an author without a name is called, in the reader's language."""
        return self.translations.gettext(i18n.N_("Anonymous"))

    def provider_label(self, name: str) -> str:
        """Return the human name of an identity provider."""
        provider = self._state.providers.get(name)
        label = getattr(provider, "label", None)
        return label if isinstance(label, str) and label else name.replace("_", " ").title()
