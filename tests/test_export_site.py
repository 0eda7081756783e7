"""Site export/import as JSON Lines (threadkit.exporters.site) on the memory store."""

from __future__ import annotations

import io
import json

import attrs
import pytest

from threadkit.errors import ConflictError, ValidationError
from threadkit.exporters import Progress, dump_site, load_site
from threadkit.memory import MemoryStore
from threadkit.models import SortOrder, Status, Thread, Visibility
from threadkit.testing.site_sample import SAMPLE_START, fill_sample_site


def _export(store: MemoryStore) -> str:
    out = io.StringIO()
    dump_site(store, out)
    return out.getvalue()


def _content(thread: Thread | None) -> dict[str, object]:
    """A thread's content and counters, without store bookkeeping such as a row version."""
    assert thread is not None
    return attrs.asdict(thread, filter=lambda field, _: field.name != "version")


@pytest.fixture
def sample() -> MemoryStore:
    """A memory store holding the sample site."""
    store = MemoryStore()
    fill_sample_site(store)
    return store


def test_round_trip_is_byte_identical(sample: MemoryStore) -> None:
    """Export, import into an empty store, export again: the same bytes."""
    first = _export(sample)
    copy = MemoryStore()
    load_site(copy, io.StringIO(first))
    assert first == _export(copy)


def test_export_starts_with_the_header_and_orders_threads_by_key(sample: MemoryStore) -> None:
    """Line 1 names the format and version, then bans; threads in code point order of key."""
    records = [json.loads(line) for line in _export(sample).splitlines()]
    assert {"format": "threadkit-site", "version": 1} == records[0]
    assert ["ban", "ban", "thread"] == [r["type"] for r in records[1:4]]
    keys = [r["key"] for r in records if r.get("type") == "thread"]
    assert sorted(keys) == keys
    assert ["generated/big", "posts/empty", "posts/hello", "posts/ünïcødé-日本"] == keys


def test_every_status_votes_and_fields_survive(sample: MemoryStore) -> None:
    """Statuses, placeholders, tallies, individual votes, context and counters come back."""
    copy = MemoryStore()
    counts = load_site(copy, io.StringIO(_export(sample)))
    assert (4, 4, 2) == (counts.threads, counts.votes, counts.bans)
    assert sorted(b.value for b in sample.active_bans(SAMPLE_START)) == sorted(
        b.value for b in copy.active_bans(SAMPLE_START)
    )
    for key in ("posts/hello", "posts/ünïcødé-日本", "generated/big", "posts/empty"):
        assert _content(sample.get_thread(key)) == _content(copy.get_thread(key))
        before = list(sample.iter_thread(key))
        after = list(copy.iter_thread(key))
        strip = [(c.status, c.author, c.body_source, c.upvotes, c.downvotes) for c in before]
        assert strip == [(c.status, c.author, c.body_source, c.upvotes, c.downvotes) for c in after]
        assert [c.reply_count for c in before] == [c.reply_count for c in after]
        assert [(c.context, c.reasons, c.edited_at) for c in before] == [
            (c.context, c.reasons, c.edited_at) for c in after
        ]
    statuses = {c.status for c in copy.iter_thread("posts/hello")}
    assert {Status.APPROVED, Status.PENDING, Status.SPAM, Status.DELETED} == statuses
    anna = copy.votes_by("form:browser-anna")
    voted = {}
    for cid, value in anna.items():
        comment = copy.get_comment(cid)
        assert comment is not None
        voted[comment.body_source] = value
    assert {"First!": 1, "مرحبا!": 1} == voted


def test_imported_store_pages_like_the_original(sample: MemoryStore) -> None:
    """A reader sees the same page of each thread after the import (counts recomputed)."""
    copy = MemoryStore()
    load_site(copy, io.StringIO(_export(sample)))
    for key in ("posts/hello", "generated/big"):
        pages = [
            store.page(
                key, sort=SortOrder.TOP, visibility=Visibility(), top_limit=50, total_limit=500
            )
            for store in (sample, copy)
        ]
        bodies = [[c.body_source for c in p.comments] for p in pages]
        assert bodies[0] == bodies[1]


def test_a_non_empty_store_is_refused_unless_allowed(sample: MemoryStore) -> None:
    """Importing into a store with threads fails with a message, and writes nothing."""
    text = _export(sample)
    target = MemoryStore()
    fill_sample_site(target, generated=0)
    with pytest.raises(ConflictError, match="empty store"):
        load_site(target, io.StringIO(text))
    assert target.get_thread("generated/big") is None
    with pytest.raises(ConflictError, match="already exists"):
        load_site(target, io.StringIO(text), allow_non_empty=True)
    assert target.get_thread("generated/big") is not None


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("", "invalid_backup", "empty"),
        ('{"format": "wxr"}\n', "wrong_format", "not a threadkit site export"),
        ('{"format": "threadkit-site", "version": 9}\n', "wrong_format", "version 9"),
        ('{"format": "threadkit-site", "version": 1}\n{oops\n', "invalid_backup", "line 2"),
        (
            '{"format": "threadkit-site", "version": 1}\n{"type": "vote"}\n',
            "invalid_backup",
            "before any thread",
        ),
        (
            '{"format": "threadkit-site", "version": 1}\n'
            '{"type": "thread", "key": "a", "title": "", "url": "", "closed": 1,'
            ' "created_at": "2025-01-01T00:00:00+00:00"}\n',
            "invalid_backup",
            "'closed' has the wrong type",
        ),
    ],
)
def test_bad_files_get_a_clear_error(text: str, code: str, fragment: str) -> None:
    """A malformed file is refused with its code and a message naming the line or field."""
    with pytest.raises(ValidationError) as caught:
        load_site(MemoryStore(), io.StringIO(text))
    assert code == caught.value.code
    assert fragment in caught.value.message


def test_a_bad_vote_writes_nothing_of_its_thread(sample: MemoryStore) -> None:
    """A vote on a comment the thread lacks is refused before the thread is written."""
    lines = _export(sample).splitlines(keepends=True)
    bad = next(i for i, line in enumerate(lines) if '"type":"vote"' in line)
    lines[bad] = json.dumps({**json.loads(lines[bad]), "comment": 9999}) + "\n"
    key = next(
        json.loads(line)["key"] for line in reversed(lines[:bad]) if '"type":"thread"' in line
    )
    copy = MemoryStore()
    with pytest.raises(ValidationError, match="comment 9999"):
        load_site(copy, lines)
    assert copy.get_thread(key) is None


def test_progress_prints_plain_lines_off_a_terminal(sample: MemoryStore) -> None:
    """Progress on a non-terminal stream writes plain lines, no carriage returns."""
    err = io.StringIO()
    dump_site(sample, io.StringIO(), progress=Progress("threads", stream=err, every=1))
    lines = err.getvalue().splitlines()
    assert "\r" not in err.getvalue()
    assert lines[-1].startswith("threads: 4/4")
    quiet = io.StringIO()
    dump_site(sample, io.StringIO(), progress=Progress("threads", stream=quiet, quiet=True))
    assert "" == quiet.getvalue()


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_draws_a_bar_in_place_on_a_terminal(sample: MemoryStore) -> None:
    """On a terminal the progress line redraws in place (carriage returns) with a bar."""
    err = _Terminal()
    dump_site(sample, io.StringIO(), progress=Progress("threads", stream=err))
    text = err.getvalue()
    assert 5 == text.count("\r")
    assert "[##############################] threads: 4/4" in text
