"""Read a WordPress eXtended RSS (WXR 1.0, 1.1, 1.2) export: Tools > Export in WordPress.

>>> from threadkit.memory import MemoryStore
>>> from threadkit.importers import import_into
>>> export = read_wordpress(b'''<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>
... <item><title>Hello</title><link>https://example.org/hello/</link>
...   <wp:post_id>7</wp:post_id><wp:post_name>hello</wp:post_name>
...   <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ada</wp:comment_author>
...     <wp:comment_date_gmt>2020-01-02 03:04:05</wp:comment_date_gmt>
...     <wp:comment_content>First!</wp:comment_content>
...     <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>
...   </wp:comment></item></channel></rss>''')
>>> report = import_into(MemoryStore(), export)
>>> report.threads, report.imported
(('hello',), 1)

What maps to what (details in ``docs/importing.md``):

* Each ``<item>`` with at least one comment is a thread. Its key comes from
  ``thread_key(post)`` (default :func:`slug_key`: ``wp:post_name``, else the
  permalink's path, else ``wp-<post id>``); title and link are kept; a post
  whose ``wp:comment_status`` is ``closed`` gives a closed thread.
* ``wp:comment_approved``: ``1`` approved, ``0`` pending, ``spam`` spam,
  ``trash`` / ``post-trashed`` deleted (a placeholder if replies are kept,
  else skipped). Anything else is imported as pending, with a warning.
* ``wp:comment_type``: only the types in ``types`` are imported (default:
  ordinary comments); pingbacks and trackbacks are skipped unless listed.
* ``wp:comment_date_gmt`` is UTC; when it is ``0000-00-00 00:00:00``,
  ``wp:comment_date`` is read in ``local_timezone`` (default UTC) instead.
* Comments on a password-protected or private post follow ``protected``:
  ``"hold"`` (default) imports them as pending, so nothing hidden becomes
  public until a moderator says so; ``"skip"`` leaves them out; ``"import"``
  keeps their status.
* Author names are unescaped (WordPress stores ``&amp;`` and friends in them).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection
from datetime import UTC, datetime, tzinfo
from typing import Literal
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import attrs

from threadkit.models import Status

from ._model import Export, ExportComment, ExportThread, Skipped, Source
from ._xml import records

__all__ = ["WordPressPost", "path_key", "read_wordpress", "slug_key"]

_WP_NAMESPACE = re.compile(r"^\{https?://wordpress\.org/export/1\.[012]/\}(.+)$")
_STATUSES = {
    "1": Status.APPROVED,
    "approve": Status.APPROVED,
    "0": Status.PENDING,
    "hold": Status.PENDING,
    "spam": Status.SPAM,
    "trash": Status.DELETED,
    "post-trashed": Status.DELETED,
}
_ZERO_DATE = "0000-00-00 00:00:00"


@attrs.frozen
class WordPressPost:
    """What a thread key function gets to know about one WordPress post or page."""

    post_id: str
    slug: str
    link: str
    title: str
    post_type: str = "post"
    status: str = "publish"
    password_protected: bool = False


def slug_key(post: WordPressPost) -> str:
    """Key a thread by the post's slug, else its permalink's path, else ``wp-<id>``."""
    return post.slug or path_key(post)


def path_key(post: WordPressPost) -> str:
    """Key a thread by its permalink's path (``/2013/03/hello/``), else ``wp-<post id>``."""
    path = urlsplit(post.link).path if post.link else ""
    return path or f"wp-{post.post_id}"


def _wp_fields(element: Element) -> tuple[dict[str, str], list[Element]]:
    """Return the WordPress-namespace children of ``element`` as text, and its comments."""
    fields: dict[str, str] = {}
    comments: list[Element] = []
    for child in element:
        match = _WP_NAMESPACE.match(child.tag)
        if match is None:
            continue
        name = match.group(1)
        if name == "comment":
            comments.append(child)
        else:
            text = child.text or ""
            fields.setdefault(name, text if name == "comment_content" else text.strip())
    return fields, comments


def _date(value: str, zone: tzinfo) -> datetime | None:
    """Read ``YYYY-MM-DD HH:MM:SS`` in ``zone``; ``None`` for empty or zero dates."""
    value = value.strip()
    if not value or value == _ZERO_DATE:
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=zone).astimezone(UTC)


def read_wordpress(
    source: Source,
    *,
    thread_key: Callable[[WordPressPost], str] = slug_key,
    types: Collection[str] = ("comment",),
    protected: Literal["hold", "skip", "import"] = "hold",
    include_spam: bool = True,
    local_timezone: tzinfo = UTC,
) -> Export:
    """Parse a WXR file into an :class:`~threadkit.importers.Export` (no store is touched).

    ``source`` is a path, the file's bytes or a binary file. ``types`` lists
    the ``wp:comment_type`` values to import (``""`` counts as ``"comment"``;
    add ``"pingback"`` and ``"trackback"`` to keep those). ``include_spam``
    imports spam as spam (the default) or skips it. A DOCTYPE, an entity
    declaration or malformed XML raises
    :class:`~threadkit.importers.ImportFormatError`.
    """
    if protected not in ("hold", "skip", "import"):
        raise ValueError(f"protected must be 'hold', 'skip' or 'import', not {protected!r}")
    wanted = {t or "comment" for t in types}
    threads: list[ExportThread] = []
    comments: list[ExportComment] = []
    skipped: list[Skipped] = []
    warnings: list[str] = []
    for item in records(
        source, depth=2, root=lambda tag: tag == "rss", what="a WordPress export (WXR)"
    ):
        if item.tag != "item":
            continue
        fields, elements = _wp_fields(item)
        if not elements:
            continue
        post = WordPressPost(
            post_id=fields.get("post_id", ""),
            slug=fields.get("post_name", ""),
            link=(item.findtext("link") or "").strip(),
            title=html.unescape((item.findtext("title") or "").strip()),
            post_type=fields.get("post_type", "post"),
            status=fields.get("status", "publish"),
            password_protected=bool(fields.get("post_password", "")),
        )
        source_id = post.post_id or f"item-{len(threads) + 1}"
        hidden = post.password_protected or post.status == "private"
        threads.append(
            ExportThread(
                source_id=source_id,
                key=thread_key(post),
                title=post.title,
                url=post.link,
                closed=fields.get("comment_status") == "closed",
                created_at=_date(fields.get("post_date_gmt", ""), UTC)
                or _date(fields.get("post_date", ""), local_timezone),
            )
        )
        for number, element in enumerate(elements, 1):
            read = _comment(element, source_id, number, local_timezone, skipped, warnings)
            if read is None:
                continue
            comment, kind = read
            comments.append(_as_wanted(comment, kind, wanted, include_spam, hidden, protected))
        if hidden and protected == "hold":
            warnings.append(
                f"post {source_id} ({post.title!r}) is password-protected or private;"
                " its approved comments are imported as pending"
            )
    return Export("wordpress", tuple(threads), tuple(comments), tuple(skipped), tuple(warnings))


def _as_wanted(
    comment: ExportComment,
    kind: str,
    wanted: Collection[str],
    include_spam: bool,
    hidden: bool,
    protected: str,
) -> ExportComment:
    """Mark ``comment`` skipped (other type, unwanted spam, protected post) or hold it."""
    if kind not in wanted:
        return attrs.evolve(
            comment,
            skip=kind,
            skip_message=f"A {kind}; imported types: {', '.join(sorted(wanted))}.",
        )
    if comment.status is Status.SPAM and not include_spam:
        return attrs.evolve(comment, skip="spam", skip_message="Spam; include_spam is off.")
    if hidden and protected == "skip":
        return attrs.evolve(
            comment,
            skip="protected",
            skip_message="On a password-protected or private post (protected='skip').",
        )
    if hidden and protected == "hold" and comment.status is Status.APPROVED:
        return attrs.evolve(comment, status=Status.PENDING)
    return comment


def _comment(
    element: Element,
    thread_id: str,
    number: int,
    zone: tzinfo,
    skipped: list[Skipped],
    warnings: list[str],
) -> tuple[ExportComment, str] | None:
    """One ``wp:comment`` and its type, or ``None`` when unreadable (listed in ``skipped``)."""
    fields, _ = _wp_fields(element)
    source_id = fields.get("comment_id", "")
    if not source_id:
        source_id = f"{thread_id}-{number}"
        warnings.append(f"a comment of post {thread_id} has no id; called it {source_id}")
    created_at = _date(fields.get("comment_date_gmt", ""), UTC)
    if created_at is None:
        created_at = _date(fields.get("comment_date", ""), zone)
        if created_at is None:
            skipped.append(
                Skipped(source_id, "invalid_date", "It has no readable date.", thread_id)
            )
            return None
        warnings.append(f"comment {source_id}: no GMT date; read its local date in {zone}")
    approved = fields.get("comment_approved", "1")
    status = _STATUSES.get(approved)
    if status is None:
        warnings.append(f"comment {source_id}: unknown approval {approved!r}; imported as pending")
        status = Status.PENDING
    parent = fields.get("comment_parent", "0")
    user = fields.get("comment_user_id", "0")
    comment = ExportComment(
        source_id=source_id,
        thread_id=thread_id,
        parent_id=None if parent in ("", "0") else parent,
        body=fields.get("comment_content", ""),
        status=status,
        created_at=created_at,
        author_name=html.unescape(fields.get("comment_author", "")),
        author_email=fields.get("comment_author_email", ""),
        author_url=fields.get("comment_author_url", ""),
        account="" if user in ("", "0") else f"wp-user-{user}",
        ip=fields.get("comment_author_IP", ""),
        user_agent=fields.get("comment_agent", ""),
    )
    return comment, fields.get("comment_type", "") or "comment"
