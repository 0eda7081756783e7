"""Read a Disqus XML export (Disqus admin > Moderation > Export).

>>> from threadkit.memory import MemoryStore
>>> from threadkit.importers import import_into
>>> export = read_disqus(b'''<disqus xmlns="http://disqus.com"
...     xmlns:dsq="http://disqus.com/disqus-internals">
...   <thread dsq:id="1"><id>hello</id><link>https://example.org/hello/</link>
...     <title>Hello</title></thread>
...   <post dsq:id="10"><message><![CDATA[<p>First!</p>]]></message>
...     <createdAt>2020-01-02T03:04:05Z</createdAt>
...     <author><name>Ada</name></author><thread dsq:id="1"/></post>
... </disqus>''')
>>> report = import_into(MemoryStore(), export)
>>> report.threads, report.imported
(('hello',), 1)

What maps to what (details in ``docs/importing.md``):

* Each ``<thread dsq:id>`` with at least one post is a thread. Its key comes
  from ``thread_key(thread)`` (default :func:`identifier_key`: the
  ``<id>`` the site gave Disqus, else the link's path, else
  ``disqus-<dsq:id>``). Title and link are kept; ``isClosed`` closes it.
* ``<post>``: ``<thread dsq:id>`` and ``<parent dsq:id>`` give its place;
  ``isDeleted`` true is a deleted comment (a placeholder when replies are
  kept, else skipped); ``isSpam`` true is spam; ``isApproved`` false (when
  present) is pending; otherwise approved.
* A post whose thread is not in the export (an orphan) is skipped with code
  ``thread_missing``; a reply whose parent is not in the export is imported
  at the top level, with a warning. Posts of a thread marked ``isDeleted``
  are skipped (code ``thread_deleted``).
* The author's account is the Disqus ``username`` (for non-anonymous
  authors), else the email, else the name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import attrs

from threadkit.models import Status

from ._model import Export, ExportComment, ExportThread, Skipped, Source
from ._xml import records

__all__ = ["DisqusThread", "identifier_key", "link_path_key", "read_disqus"]

DISQUS = "{http://disqus.com}"
INTERNALS = "{http://disqus.com/disqus-internals}"
_ID = INTERNALS + "id"


@attrs.frozen
class DisqusThread:
    """What a thread key function gets to know about one Disqus thread."""

    dsq_id: str
    identifier: str
    link: str
    title: str


def identifier_key(thread: DisqusThread) -> str:
    """Key a thread by the identifier the site gave Disqus, else by :func:`link_path_key`."""
    return thread.identifier or link_path_key(thread)


def link_path_key(thread: DisqusThread) -> str:
    """Key a thread by its link's path (``/2013/hello/``), else ``disqus-<dsq:id>``."""
    path = urlsplit(thread.link).path if thread.link else ""
    return path or f"disqus-{thread.dsq_id}"


def _text(element: Element, name: str) -> str:
    """Return the stripped text of the child ``name`` (Disqus namespace), or ``""``."""
    return (element.findtext(DISQUS + name) or "").strip()


def _flag(element: Element, name: str, default: bool = False) -> bool:
    """Read a ``true`` / ``false`` child, ``default`` when absent or empty."""
    value = _text(element, name).lower()
    return default if not value else value in ("true", "1")


def _ref(element: Element, name: str) -> str:
    """Return the ``dsq:id`` of the child ``name`` (``<thread dsq:id="..."/>``), or ``""``."""
    child = element.find(DISQUS + name)
    return "" if child is None else child.get(_ID, "").strip()


def _date(value: str) -> datetime | None:
    """Read Disqus's ISO 8601 time (``2013-10-10T19:20:29Z``); naive means UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def read_disqus(
    source: Source,
    *,
    thread_key: Callable[[DisqusThread], str] = identifier_key,
    include_spam: bool = True,
) -> Export:
    """Parse a Disqus export into an :class:`~threadkit.importers.Export` (no store is touched).

    ``source`` is a path, the file's bytes or a binary file. ``include_spam``
    imports spam as spam (the default) or skips it. A DOCTYPE, an entity
    declaration or malformed XML raises
    :class:`~threadkit.importers.ImportFormatError`.
    """
    threads: list[ExportThread] = []
    deleted_threads: set[str] = set()
    comments: list[ExportComment] = []
    skipped: list[Skipped] = []
    warnings: list[str] = []
    for record in records(
        source, depth=1, root=lambda tag: tag == DISQUS + "disqus", what="a Disqus export"
    ):
        if record.tag == DISQUS + "thread":
            thread = _thread(record, thread_key, warnings, len(threads) + 1)
            threads.append(thread)
            if _flag(record, "isDeleted"):
                deleted_threads.add(thread.source_id)
        elif record.tag == DISQUS + "post":
            comment = _post(record, skipped, len(comments) + len(skipped) + 1)
            if comment is None:
                continue
            if comment.status is Status.SPAM and not include_spam:
                comment = attrs.evolve(
                    comment, skip="spam", skip_message="Spam; include_spam is off."
                )
            comments.append(comment)
    if deleted_threads:
        comments = [
            attrs.evolve(c, skip="thread_deleted", skip_message="Its thread was deleted in Disqus.")
            if c.thread_id in deleted_threads and not c.skip
            else c
            for c in comments
        ]
    return Export("disqus", tuple(threads), tuple(comments), tuple(skipped), tuple(warnings))


def _thread(
    element: Element,
    thread_key: Callable[[DisqusThread], str],
    warnings: list[str],
    number: int,
) -> ExportThread:
    """One ``<thread>`` record."""
    dsq_id = element.get(_ID, "").strip()
    if not dsq_id:
        dsq_id = f"thread-{number}"
        warnings.append(f"thread number {number} has no dsq:id; called it {dsq_id}")
    info = DisqusThread(
        dsq_id=dsq_id,
        identifier=_text(element, "id"),
        link=_text(element, "link"),
        title=_text(element, "title"),
    )
    return ExportThread(
        source_id=dsq_id,
        key=thread_key(info),
        title=info.title,
        url=info.link,
        closed=_flag(element, "isClosed"),
        created_at=_date(_text(element, "createdAt")),
    )


def _post(element: Element, skipped: list[Skipped], number: int) -> ExportComment | None:
    """One ``<post>`` record, or ``None`` when unreadable (listed in ``skipped``)."""
    source_id = element.get(_ID, "").strip() or f"post-{number}"
    thread_id = _ref(element, "thread")
    created_at = _date(_text(element, "createdAt"))
    if created_at is None:
        skipped.append(Skipped(source_id, "invalid_date", "It has no readable date.", thread_id))
        return None
    if _flag(element, "isDeleted"):
        status = Status.DELETED
    elif _flag(element, "isSpam"):
        status = Status.SPAM
    elif not _flag(element, "isApproved", default=True):
        status = Status.PENDING
    else:
        status = Status.APPROVED
    author = element.find(DISQUS + "author")
    name = email = username = ""
    anonymous = True
    if author is not None:
        name = _text(author, "name")
        email = _text(author, "email")
        username = _text(author, "username")
        anonymous = _flag(author, "isAnonymous", default=not username)
    return ExportComment(
        source_id=source_id,
        thread_id=thread_id,
        parent_id=_ref(element, "parent") or None,
        body=element.findtext(DISQUS + "message") or "",
        status=status,
        created_at=created_at,
        author_name=name or username,
        author_email=email,
        account="" if anonymous or not username else f"disqus-{username}",
        ip=_text(element, "ipAddress"),
    )
