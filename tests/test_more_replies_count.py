"""Issue #15: a "N more replies" link counts exactly the comments its click adds.

The old count was the missing *direct* replies while the link loads a subtree,
so "1 more reply" could add 2, 11 or 76 comments. The check here is the one a
reader makes: follow every link of a fresh page and count what is new.
"""

from __future__ import annotations

from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.models import Comment, Identity, Submission
from threadkit.tree import TreeNode, walk

SEEDER = Identity("anonymous", "seed", "Seeder")


def _engine(total_limit: int = 12) -> CommentEngine:
    policy = EnginePolicy(max_display_depth=2, top_limit=5, total_limit=total_limit)
    return CommentEngine(MemoryStore(), policy=policy)


def _say(engine: CommentEngine, body: str, parent: Comment | None = None) -> Comment:
    parent_id = None if parent is None else parent.id
    return engine.post("debate", Submission(body, parent_id=parent_id), SEEDER)


def seed_debate(engine: CommentEngine) -> None:
    """A top comment whose first reply fills the page, and a second reply with five of its own.

    With ``total_limit`` 12 the page shows the top, its first reply and ten
    comments below that; the first reply misses three direct replies (the old
    link said "3 more replies"), but its first batch brings two of them.
    """
    top = _say(engine, "Top")
    first = _say(engine, "First", top)
    lead = _say(engine, "First-0", first)
    _say(engine, "First-0-deep", lead)
    for number in range(1, 12):
        _say(engine, f"First-{number}", first)
    second = _say(engine, "Second", top)
    for number in range(5):
        _say(engine, f"Second-{number}", second)


def _ids(nodes: list[TreeNode]) -> list[int]:
    return [node.comment.id for node in walk(nodes)]


def _links(nodes: list[TreeNode]) -> dict[int, int]:
    return {node.comment.id: node.more_replies for node in walk(nodes) if node.more_replies}


def _added_by(engine: CommentEngine, comment_id: int, shown: set[int]) -> list[int]:
    """The comments a link's click adds: its subtree's first batch minus what is shown."""
    return [cid for cid in _ids(engine.subtree(comment_id).nodes) if cid not in shown]


def test_every_link_counts_what_its_click_adds() -> None:
    """Each link's number is the count of new comments its first batch brings."""
    engine = _engine()
    seed_debate(engine)
    page = engine.page("debate")
    shown = _ids(page.nodes)
    assert 12 == len(shown) == len(set(shown))
    links = _links(page.nodes)
    assert 2 == len(links)  # the top comment and its first reply
    for comment_id, count in links.items():
        assert count == len(_added_by(engine, comment_id, set(shown)))
    first = page.nodes[0].children[0].comment.id
    assert 2 == links[first]  # the old count said 3 ("3 more replies") and added 2


def test_a_cut_reply_chain_counts_the_rest_of_the_chain() -> None:
    """A chain cut mid-way links from its last shown level and its top, each counting its adds."""
    engine = _engine(total_limit=5)
    parent = _say(engine, "Root")
    for number in range(7):
        parent = _say(engine, f"Level {number}", parent)
    page = engine.page("debate")
    shown = set(_ids(page.nodes))
    links = _links(page.nodes)
    # The last level adds the three below it (the old count said "1 more reply"); the
    # top comment's batch of five adds one.
    assert [1, 3] == list(links.values())
    for comment_id, count in links.items():
        assert count == len(_added_by(engine, comment_id, shown))


def test_a_whole_thread_shows_no_link() -> None:
    """A page that holds everything offers nothing to load."""
    engine = _engine(total_limit=50)
    seed_debate(engine)
    assert {} == _links(engine.page("debate").nodes)


def test_a_subtree_batch_has_no_per_comment_links() -> None:
    """A cut subtree batch continues through next_cursor only, so no row loads twice."""
    engine = _engine(total_limit=4)
    seed_debate(engine)
    top = engine.page("debate").nodes[0].comment.id
    batch = engine.subtree(top)
    assert batch.next_cursor is not None
    assert {} == _links(batch.nodes)
