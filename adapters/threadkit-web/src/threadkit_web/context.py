"""The rendering context of the shared templates: one thread, its comments, its form.

Every adapter renders the same ``threadkit/*.html`` templates with the same
context: :func:`page_context` for ``threadkit/thread.html`` and
:class:`TemplateHelper`, the ``threadkit`` / ``tk`` object templates call
(``threadkit.thread("post-42", title=..., url=...)``, ``tk.url(...)``,
``tk.comment_view(...)``). Both read the request, build links and ask who the
reader is through a :class:`~threadkit_web.request.Visit`, so nothing here
knows a framework. The helper's methods are listed in ``docs/web.md``.
"""

from __future__ import annotations

import gettext
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import attrs
from markupsafe import Markup

from threadkit.errors import (
    AuthenticationRequiredError,
    PermissionDeniedError,
    StorageUnavailableError,
    ThreadkitError,
)
from threadkit.identity import IDENTICON_PREFIX
from threadkit.models import Actor, Comment, Identity, Reason, SortOrder, Status
from threadkit.pages import ThreadPage
from threadkit.redirects import safe_next
from threadkit.serialization import parse_cursor

from . import i18n
from .reasons import reason_sentence
from .request import Urls, Visit, WebRequest
from .state import WebState

__all__ = [
    "AVATAR_SEED",
    "Badge",
    "CommentView",
    "FormState",
    "TemplateHelper",
    "Viewer",
    "avatar_url",
    "current_page_url",
    "http_url",
    "page_context",
    "require_moderator",
    "thread_meta",
    "thread_meta_token",
    "viewer_of",
]

_THREAD_META_TTL = timedelta(days=30)
_ID_PLACEHOLDER = "tkCommentIdPlaceholder"
AVATAR_SEED = re.compile(r"[0-9a-f]{8,64}")
"""What an identicon seed looks like (the ``avatar`` route serves only these)."""

_RENDERS_KEY = "threadkit.renders"
_ASSETS_KEY = "threadkit.assets"


def http_url(value: str | None) -> str | None:
    """Return ``value`` if it is an absolute http(s) URL, else ``None`` (never link it).

    >>> http_url("https://example.org/me"), http_url("javascript:alert(1)")
    ('https://example.org/me', None)
    """
    if not value:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


def avatar_url(avatar: str | None, urls: Urls) -> str | None:
    """Return the image URL for an identity's ``avatar`` value, or ``None`` for no picture.

    ``"identicon:<seed>"`` is drawn by the ``avatar`` route; an https URL (from
    a social login) is used as is; anything else shows no picture.
    """
    if not avatar:
        return None
    if avatar.startswith(IDENTICON_PREFIX):
        seed = avatar[len(IDENTICON_PREFIX) :]
        return urls.url("avatar", seed=seed) if AVATAR_SEED.fullmatch(seed) else None
    if avatar.startswith("https://") and '"' not in avatar:
        return avatar
    return None


@attrs.frozen
class FormState:
    """What the comment form shows: the values typed so far, the error and the preview, if any.

    ``preview`` is the body's sanitized HTML, from the engine's renderer.
    """

    values: Mapping[str, str] = attrs.field(factory=dict)
    parent_id: int | None = None
    error: ThreadkitError | None = None
    preview: str | None = None


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
class Badge:
    """A mark beside an author's name that an anonymous commenter cannot get.

    ``kind`` is ``"moderator"`` or ``"verified"`` (the CSS class
    ``tk-badge-<kind>``); ``text`` is what it says, for eyes and screen
    readers alike: ``"Moderator"``, ``"Verified · GitHub"``.
    """

    kind: str
    text: str


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


def viewer_of(state: WebState, visit: Visit) -> Viewer:
    """Build the :class:`Viewer` of ``visit``'s reader."""
    return Viewer(
        actor=visit.actor(),
        logged_in=visit.logged_in(),
        now=state.clock.now(),
        edit_window=state.policy.edit_window,
    )


def require_moderator(visit: Visit) -> None:
    """Raise 401 for a reader who is not logged in, 403 for one who does not moderate."""
    if visit.actor().moderator:
        return
    if visit.logged_in() is None:
        raise AuthenticationRequiredError("login_required", "Log in as a moderator first.")
    raise PermissionDeniedError("not_moderator", "Only moderators may do this.")


def thread_meta_token(state: WebState, key: str, title: str, url: str) -> str:
    """Sign a thread's title and url, so a form post can create the thread with them."""
    return state.signer.dumps(
        "thread",
        {"key": key, "title": title, "url": url},
        now=state.clock.now(),
        ttl=_THREAD_META_TTL,
    )


def thread_meta(state: WebState, key: str, token: str | None) -> tuple[str, str]:
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


def current_page_url(
    request: WebRequest, drop: Sequence[str] = ("tk_reply", "tk_cursor", "tk_thread")
) -> str:
    """Return the request's path and query, minus threadkit's own parameters."""
    query = urlencode([(k, v) for k, v in request.arg_items() if k not in drop])
    return request.path + ("?" + query if query else "")


def _render_count(request: WebRequest) -> int:
    # Adapters read it too: a page that rendered a thread gets the security headers.
    count: int = request.scratch.get(_RENDERS_KEY, 0) + 1
    request.scratch[_RENDERS_KEY] = count
    return count


def _args_int(request: WebRequest, name: str) -> int | None:
    raw = request.arg(name) or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _load_page(
    state: WebState, actor: Actor, key: str, sort: SortOrder | None, cursor: str | None
) -> tuple[ThreadPage | None, bool]:
    """Return the page to show and whether the store was unreachable."""
    try:
        return state.engine.page(key, actor, sort=sort, cursor=cursor), False
    except StorageUnavailableError:
        return None, True
    except ThreadkitError:
        if cursor is None:
            return None, False
        try:  # a stale or forged cursor: show the first page instead
            return state.engine.page(key, actor, sort=sort), False
        except ThreadkitError:
            return None, False


def _reply_target(state: WebState, actor: Actor, key: str, reply_to: int | None) -> Comment | None:
    """Return the comment being replied to, if the reader may see it and it is in ``key``."""
    if reply_to is None:
        return None
    try:
        found = state.engine.get_comment(reply_to, actor)
    except ThreadkitError:
        return None
    return found if found.thread_key == key else None


def _paging_links(
    visit: Visit, page: ThreadPage | None, key: str, back: str, number: int, cursor: str | None
) -> dict[str, str | None]:
    """Return the links to older comments (page and fragment), the first page and replies."""
    base = back.split("#", 1)[0]
    joiner = "&" if "?" in base else "?"
    older_url = older_fragment_url = None
    if page is not None and page.next_cursor:
        query = urlencode({"tk_thread": key, "tk_cursor": page.next_cursor})
        older_url = f"{base}{joiner}{query}#comments-{number}"
        older_fragment_url = visit.urls.url(
            "fragment_thread", key=key, cursor=page.next_cursor, sort=page.sort.value, next=back
        )
    return {
        "older_url": older_url,
        # A later page (no JS) links back to the first one.
        "first_url": f"{base}#comments-{number}" if cursor else None,
        "reply_base": base + joiner,
        "older_fragment_url": older_fragment_url,
    }


def page_context(
    state: WebState,
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
    page, unavailable = _load_page(state, viewer.actor, key, sort, cursor)
    thread = page.thread if page is not None else None
    back = safe_next(next_url or current_page_url(visit.request), "/")
    reply_comment = _reply_target(state, viewer.actor, key, reply_to)
    form = form or FormState(
        values=visit.remembered_author(),
        parent_id=reply_comment.id if reply_comment is not None else None,
    )
    number = _render_count(visit.request)
    return {
        "tk": TemplateHelper(state, visit),
        "state": state,
        "key": key,
        "title": (thread.title if thread is not None and thread.title else title),
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
        "reply_to": reply_comment,
        "form": form,
        "meta_token": thread_meta_token(state, key, title, url),
        **_paging_links(visit, page, key, back, number, cursor),
    }


class TemplateHelper:
    """The ``threadkit`` object templates see: render a thread, count comments, link assets."""

    def __init__(self, state: WebState, visit: Visit) -> None:
        self._state = state
        self._visit = visit
        # Per-render caches: one helper serves one render, so these never outlive a request.
        self._csrf: str | None = None
        self._urls: dict[tuple[Any, ...], tuple[str, str] | None] = {}
        self._avatars: dict[str, str | None] = {}
        self._months: dict[int, str] = {}
        self._language: str | None = None
        self._translations: gettext.NullTranslations | None = None

    @property
    def state(self) -> WebState:
        """The state of the site."""
        return self._state

    @property
    def visit(self) -> Visit:
        """The request being answered, as the adapter describes it."""
        return self._visit

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
        request = self._visit.request
        order: SortOrder | None = None
        wanted = request.arg("tk_sort") or sort
        if wanted in {s.value for s in SortOrder}:
            order = SortOrder(wanted)
        cursor: str | None = None
        if request.arg("tk_thread") == key:
            try:
                cursor = parse_cursor(request.arg("tk_cursor"))
            except ThreadkitError:
                cursor = None  # a mangled link: show the first page
        context = page_context(
            self._state,
            self._visit,
            key,
            title=title,
            url=url,
            sort=order,
            cursor=cursor or None,
            reply_to=_args_int(request, "tk_reply"),
        )
        return Markup(self._visit.render("threadkit/thread.html", **context))

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
        self._visit.request.scratch[_ASSETS_KEY] = True
        return Markup(self._visit.render("threadkit/_assets.html", tk=self))

    def assets_once(self) -> Markup:
        """Like :meth:`assets`, but only the first time in a request (and only if configured)."""
        if not self._state.settings.include_assets or self._visit.request.scratch.get(
            _ASSETS_KEY
        ):
            return Markup("")
        return self.assets()

    def idempotency_key(self) -> str:
        """Return a fresh key for one render of the comment form (a retry then posts once)."""
        return secrets.token_urlsafe(18)

    def csrf_token(self) -> str:
        """Return this session's CSRF token, for a hidden ``csrf_token`` field."""
        if self._csrf is None:
            self._csrf = self._visit.csrf_token()
        return self._csrf

    def url(self, endpoint: str, **values: Any) -> str:
        """Return the URL of one of threadkit's own routes (a name of ``OPERATIONS``).

        Links to a comment (``comment_id=<int>``) are built once per endpoint
        and other arguments, with a placeholder id, and then filled in: a page
        links every comment the same way, and a number needs no quoting.
        """
        build = self._visit.urls.url
        cid = values.get("comment_id")
        if type(cid) is not int or cid < 0:
            return build(endpoint, **values)
        try:
            key: tuple[Any, ...] = (
                endpoint,
                *sorted(item for item in values.items() if item[0] != "comment_id"),
            )
            known = key in self._urls
        except TypeError:  # an argument that cannot be a key (a list): build it directly
            return build(endpoint, **values)
        if known:
            pattern = self._urls[key]
        else:
            parts = build(endpoint, **dict(values, comment_id=_ID_PLACEHOLDER)).split(
                _ID_PLACEHOLDER
            )
            pattern = (parts[0], parts[1]) if len(parts) == 2 else None
            self._urls[key] = pattern
        if pattern is None:
            return build(endpoint, **values)
        return f"{pattern[0]}{cid}{pattern[1]}"

    def static(self, filename: str) -> str:
        """Return the URL of one of threadkit's static files."""
        return self._visit.urls.url("static", filename=filename)

    def comment_view(self, comment: Comment, viewer: Viewer) -> CommentView:
        """Everything the comment macro needs about ``comment`` for ``viewer``, in one call."""
        author = comment.author
        can_vote = viewer.can_vote(comment)
        created = comment.created_at
        return CommentView(
            name=author.name or self.anonymous(),
            href=http_url(author.url),
            picture=self.avatar(author),
            iso=created.isoformat(),
            when=self.when(created),
            owns=viewer.owns(comment),
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
            return Badge("moderator", self.translations.gettext("Moderator"))
        text = self.translations.gettext("Verified · %(provider)s")
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
        request = self._visit.request
        args = [(k, v) for k, v in request.arg_items() if not k.startswith("tk_")]
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
            url = self._avatars[value] = avatar_url(value, self._visit.urls)
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
            self._language = self._visit.language()
        return self._language

    @property
    def translations(self) -> gettext.NullTranslations:
        """The catalog of the reader's language (templates' ``_()`` read it from here)."""
        if self._translations is None:
            self._translations = i18n.translations(self.language)
        return self._translations

    def reason(self, reason: Reason) -> str:
        """Return why a comment was held or marked, as a sentence in the reader's language."""
        return reason_sentence(reason, self.translations.gettext)

    def lang(self) -> str:
        """Return the reader's language as an HTML ``lang`` value (``"pt-BR"``)."""
        return i18n.html_lang(self.language)

    def dir(self) -> str:
        """Return the writing direction of the reader's language: ``"ltr"`` or ``"rtl"``."""
        return i18n.direction(self.language)

    def number(self, value: int) -> str:
        """Return ``value`` written for the reader's language (``"1,200"``)."""
        return i18n.format_number(value, self.language)

    def error_message(self, error: ThreadkitError) -> str:
        """Return the message of ``error`` in the reader's language (by its code), else English."""
        return i18n.error_message(error, self.language)

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
