"""Write a site as a WordPress WXR 1.2 file: one ``<item>`` per thread with its comments.

WordPress (Tools > Import > WordPress) and
:func:`threadkit.importers.wordpress.read_wordpress` read it back: thread
key (as ``wp:post_name``), title, URL, open or closed, and per comment its
nesting, status, author (name, email, website), request IP and user agent,
date and HTML body. What WXR cannot carry (documented in
``docs/importing.md``): votes and tallies, reply-notification flags, the
Markdown source (WordPress gets the rendered HTML), edit times, moderation
reasons, identity providers (authors become WordPress guests) and sub-second
times. Deleted placeholders are written as trashed comments with no author.
Streams one thread at a time, like :func:`threadkit.exporters.site.dump_site`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TextIO
from xml.sax.saxutils import escape

from threadkit.models import Comment, Status, Thread
from threadkit.ports import SiteStore

from .progress import Progress
from .site import SiteCounts

__all__ = ["dump_wxr"]

_APPROVED = {
    Status.APPROVED: "1",
    Status.PENDING: "0",
    Status.SPAM: "spam",
    Status.DELETED: "trash",
}

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>threadkit export</title>
<wp:wxr_version>1.2</wp:wxr_version>
<generator>threadkit</generator>
"""


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _tag(name: str, value: str | int) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def _item(thread: Thread, post_id: int) -> str:
    return "\n".join(
        [
            "<item>",
            _tag("title", thread.title),
            _tag("link", thread.url),
            _tag("wp:post_id", post_id),
            _tag("wp:post_name", thread.key),
            _tag("wp:post_date_gmt", _date(thread.created_at)),
            _tag("wp:post_type", "post"),
            _tag("wp:status", "publish"),
            _tag("wp:comment_status", "closed" if thread.closed else "open"),
            "",
        ]
    )


def _comment(comment: Comment) -> str:
    author = comment.author
    deleted = comment.status is Status.DELETED
    parts = [
        "<wp:comment>",
        _tag("wp:comment_id", comment.id),
        _tag("wp:comment_author", "" if deleted else author.name),
        _tag("wp:comment_author_email", "" if deleted else author.email or ""),
        _tag("wp:comment_author_url", "" if deleted else author.url or ""),
        _tag("wp:comment_author_IP", comment.context.ip),
        _tag("wp:comment_date_gmt", _date(comment.created_at)),
        _tag("wp:comment_content", comment.body_html),
        _tag("wp:comment_approved", _APPROVED[comment.status]),
        _tag("wp:comment_type", "comment"),
        _tag("wp:comment_parent", comment.parent_id or 0),
        _tag("wp:comment_agent", comment.context.user_agent),
        _tag("wp:comment_user_id", 0),
        "</wp:comment>",
        "",
    ]
    return "\n".join(parts)


def dump_wxr(
    store: SiteStore, out: TextIO, *, progress: Progress | None = None, batch_size: int = 5000
) -> SiteCounts:
    """Write every thread and comment of ``store`` to ``out`` as WordPress WXR 1.2."""
    counts = SiteCounts()
    out.write(_HEAD)
    threads = sorted(store.iter_threads(), key=lambda t: t.key)
    if progress is not None:
        progress.total = len(threads)
    for post_id, thread in enumerate(threads, start=1):
        out.write(_item(thread, post_id))
        written = 0
        for comment in store.iter_thread(thread.key, batch_size=batch_size):
            out.write(_comment(comment))
            written += 1
        out.write("</item>\n")
        counts.threads += 1
        counts.comments += written
        if progress is not None:
            progress.advance(comments=written)
    out.write("</channel>\n</rss>\n")
    if progress is not None:
        progress.finish()
    return counts
