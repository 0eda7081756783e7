"""Tests for threadkit.testing.generate: deterministic, consistent, realistic threads."""

from __future__ import annotations

import gc
import itertools
import statistics
from collections import Counter
from datetime import UTC, timedelta

import pytest

from threadkit.models import Comment, Status
from threadkit.testing.generate import (
    DELETED_AUTHOR,
    EPOCH,
    depth_first,
    generate_rows,
    generate_thread,
    plain_html,
    shuffled,
    to_comment,
)

COUNTED = (Status.APPROVED, Status.DELETED)


@pytest.fixture(scope="module")
def big() -> list[Comment]:
    """A 20,000-comment thread shared by the shape tests."""
    return generate_thread(20_000, seed=0)


def test_same_seed_gives_the_same_thread() -> None:
    """Two runs with one seed give equal comments, field for field."""
    assert generate_thread(1500, seed=3) == generate_thread(1500, seed=3)


def test_another_seed_gives_another_thread() -> None:
    """A different seed changes the thread."""
    assert generate_thread(300, seed=1) != generate_thread(300, seed=2)


def test_rows_and_comments_describe_the_same_thread() -> None:
    """generate_thread is generate_rows turned into Comment objects."""
    rows = generate_rows(400, seed=5)
    assert [to_comment(row, "k") for row in rows] == generate_thread(400, seed=5, thread_key="k")


def test_empty_and_negative_sizes() -> None:
    """n=0 gives no comments; a negative n is refused."""
    assert [] == generate_thread(0)
    with pytest.raises(ValueError, match="n must be"):
        generate_rows(-1)


def test_ids_start_at_first_id_and_increase() -> None:
    """Ids run from first_id up without gaps; the thread key is applied."""
    thread = generate_thread(50, first_id=1001, thread_key="post-9")
    assert list(range(1001, 1051)) == [c.id for c in thread]
    assert {"post-9"} == {c.thread_key for c in thread}


def test_structure_is_consistent(big: list[Comment]) -> None:
    """Parents come earlier; root and depth agree with the parent chain."""
    by_id = {c.id: c for c in big}
    for comment in big:
        if comment.parent_id is None:
            assert (comment.id, 0) == (comment.root_id, comment.depth)
        else:
            parent = by_id[comment.parent_id]
            assert parent.id < comment.id
            assert (parent.root_id, parent.depth + 1) == (comment.root_id, comment.depth)


def test_reply_count_counts_approved_replies_and_placeholders(big: list[Comment]) -> None:
    """reply_count equals the direct replies that are approved or placeholders."""
    counted = Counter(c.parent_id for c in big if c.status in COUNTED and c.parent_id)
    assert {c.id: counted.get(c.id, 0) for c in big} == {c.id: c.reply_count for c in big}


def test_timestamps_are_aware_utc_and_increase(big: list[Comment]) -> None:
    """Every created_at is UTC-aware, starts at EPOCH and strictly increases with the id."""
    stamps = [c.created_at for c in big]
    assert EPOCH < stamps[0] < EPOCH + timedelta(minutes=10)
    assert {UTC} == {s.tzinfo for s in stamps}
    assert all(a < b for a, b in itertools.pairwise(stamps))


def test_a_few_percent_are_top_level(big: list[Comment]) -> None:
    """Between 2% and 5% of comments are top level, the first one included."""
    share = sum(c.parent_id is None for c in big) / len(big)
    assert big[0].parent_id is None
    assert 0.02 <= share <= 0.05


def test_replies_cluster_near_the_top(big: list[Comment]) -> None:
    """Depth 1 is the most common reply depth and depth 2 the next."""
    depths = Counter(c.depth for c in big if c.depth)
    assert [1, 2] == [depth for depth, _ in depths.most_common(2)]


def test_debate_chains_go_50_to_110_deep(big: list[Comment]) -> None:
    """The deepest comments come from debate chains 50 to 110 levels deep."""
    assert 50 <= max(c.depth for c in big) <= 110


def test_no_single_conversation_dominates(big: list[Comment]) -> None:
    """The largest top-level conversation holds under 10% of the thread."""
    sizes = Counter(c.root_id for c in big)
    assert sizes.most_common(1)[0][1] < len(big) * 0.10


def test_bodies_are_realistic_unicode(big: list[Comment]) -> None:
    """Bodies have a realistic median length and include accents, emoji and CJK."""
    bodies = [c.body_source for c in big if c.status is not Status.DELETED]
    assert 80 <= statistics.median(len(b) for b in bodies) <= 400
    text = "".join(bodies[:2000])
    assert "é" in text
    assert any(0x1F300 <= ord(ch) <= 0x1FAFF for ch in text)
    assert any(0x4E00 <= ord(ch) <= 0x9FFF for ch in text)


def test_body_html_is_the_escaped_body() -> None:
    """body_html is the body as escaped HTML paragraphs."""
    for comment in generate_thread(300, seed=9):
        expected = plain_html(comment.body_source) if comment.body_source else ""
        assert expected == comment.body_html


def test_plain_html_escapes_and_splits_paragraphs() -> None:
    """plain_html escapes markup and makes one paragraph per blank-line block."""
    assert "<p>a &lt;b&gt; &amp;</p>\n<p>c</p>" == plain_html("a <b> &\n\nc")


def test_statuses_are_mostly_approved_with_valid_placeholders(big: list[Comment]) -> None:
    """Most are approved; placeholders have replies, no author, no body; held ones are leaves."""
    statuses = Counter(c.status for c in big)
    assert statuses[Status.APPROVED] > 0.95 * len(big)
    assert all(statuses[s] > 0 for s in Status)
    parents = {c.parent_id for c in big}
    for comment in big:
        if comment.status is Status.DELETED:
            assert (DELETED_AUTHOR, "", "") == (
                comment.author,
                comment.body_source,
                comment.body_html,
            )
            assert comment.id in parents
    held = [c for c in big if c.status in (Status.PENDING, Status.SPAM)]
    assert all(c.id not in parents for c in held)


def test_depth_first_puts_each_comment_before_its_descendants() -> None:
    """depth_first lists each row followed by its subtree, siblings by id."""
    thread = generate_thread(2000, seed=4)
    ordered = depth_first(shuffled(thread, seed=1))
    assert sorted(c.id for c in thread) == sorted(c.id for c in ordered)
    path: list[int] = []
    last_child: dict[int | None, int] = {}
    for comment in ordered:
        while path and path[-1] != comment.parent_id:
            path.pop()
        assert (comment.parent_id is None) == (not path)
        assert last_child.get(comment.parent_id, 0) < comment.id
        last_child[comment.parent_id] = comment.id
        path.append(comment.id)


def test_depth_first_starts_new_trees_at_orphans() -> None:
    """A row whose parent is absent starts its own tree."""
    thread = generate_thread(200, seed=2)
    missing = next(c.id for c in thread if c.reply_count)
    rows = [c for c in thread if c.id != missing]
    assert len(rows) == len(depth_first(rows))


def test_shuffled_is_a_seeded_permutation() -> None:
    """A shuffle is a permutation fixed by its seed: same seed, same order."""
    thread = generate_thread(100)
    assert shuffled(thread, seed=1) == shuffled(thread, seed=1)
    assert shuffled(thread, seed=1) != shuffled(thread, seed=2)
    assert sorted(c.id for c in shuffled(thread)) == [c.id for c in thread]


def test_generation_restores_the_garbage_collector() -> None:
    """Generating pauses the cyclic GC but leaves it as it found it."""
    was = gc.isenabled()
    gc.enable()
    try:
        generate_thread(100)
        assert gc.isenabled()
    finally:
        if not was:
            gc.disable()
