"""WordPress WXR export (threadkit.exporters.wxr), read back by the WordPress importer."""

from __future__ import annotations

import io

import attrs

from threadkit.exporters.wxr import dump_wxr
from threadkit.importers import import_into
from threadkit.importers.wordpress import read_wordpress
from threadkit.memory import MemoryStore
from threadkit.models import Comment
from threadkit.testing.site_sample import fill_sample_site


def _shape(store: MemoryStore, key: str) -> list[tuple[object, ...]]:
    """Each comment of a thread as (position of parent, status, name, email, url, second)."""
    comments: list[Comment] = list(store.iter_thread(key))
    position = {c.id: i for i, c in enumerate(comments)}
    return [
        (
            None if c.parent_id is None else position[c.parent_id],
            c.status,
            c.author.name,
            c.author.email,
            c.author.url,
            c.created_at.replace(microsecond=0),
            c.context.ip,
        )
        for c in comments
    ]


def test_wxr_round_trip_keeps_threads_nesting_statuses_authors_and_dates() -> None:
    """Export as WXR, import with read_wordpress: same threads, tree, statuses, authors, dates."""
    original = MemoryStore()
    fill_sample_site(original, generated=120)
    out = io.StringIO()
    counts = dump_wxr(original, out)
    copy = MemoryStore()
    report = import_into(copy, read_wordpress(out.getvalue().encode("utf-8")))
    assert (4, 120 + 7) == (counts.threads, counts.comments)
    assert () == report.failed_threads
    for key in ("posts/hello", "posts/ünïcødé-日本", "generated/big"):
        before, after = original.get_thread(key), copy.get_thread(key)
        assert before is not None
        assert after is not None
        assert (before.title, before.url, before.closed, before.comment_count) == (
            after.title,
            after.url,
            after.closed,
            after.comment_count,
        )
        assert _shape(original, key) == _shape(copy, key)


def test_wxr_escapes_markup_in_names_and_bodies() -> None:
    """Names and bodies with <, & and quotes survive as text, and the file is valid XML."""
    store = MemoryStore()
    fill_sample_site(store, generated=0)
    hello = next(c for c in store.iter_thread("posts/hello") if c.body_source == "First!")
    store.update_comment(
        attrs.evolve(hello, author=attrs.evolve(hello.author, name='A <b> & "B"')),
        now=hello.created_at,
    )
    out = io.StringIO()
    dump_wxr(store, out)
    export = read_wordpress(out.getvalue().encode("utf-8"))
    assert 'A <b> & "B"' in {c.author_name for c in export.comments}
