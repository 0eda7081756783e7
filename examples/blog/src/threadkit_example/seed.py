"""Demo content for the example blog, seeded once (running it again changes nothing)."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

import attrs

from threadkit import Identity, Status, Submission
from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine

from .posts import POSTS

__all__ = ["seed"]


def _person(
    provider: str, subject: str, name: str, *, url: str | None = None, verified: bool = False
) -> Identity:
    """A demo author with a locally drawn identicon (the seed is public demo data)."""
    seed = hashlib.sha256(f"{provider}:{subject}".encode()).hexdigest()[:32]
    return Identity(provider, subject, name, url=url, avatar=f"identicon:{seed}", verified=verified)


MAREN = _person("demo", "maren", "Maren (author)", verified=True)
DAVID = _person("anonymous", "seed-david", "David", url="https://david.example.org")
PRIYA = _person("anonymous", "seed-priya", "Priya")
TOMASZ = _person("anonymous", "seed-tomasz", "Tomasz Wiśniewski")
AIKO = _person("anonymous", "seed-aiko", "Aiko 愛子")
LUIS = _person("anonymous", "seed-luis", "Luis")

# (key, author, body, parent key): a discussion nested three levels deep in places.
SOURDOUGH: tuple[tuple[str, Identity, str, str | None], ...] = (
    (
        "d1",
        DAVID,
        "This is the first explanation of *when bulk ends* that made sense to me. "
        "The jiggle test is exactly right.",
        None,
    ),
    ("d2", MAREN, "Thanks David! It took me two winters of bricks to learn it 🙂", "d1"),
    ("d3", DAVID, "Thanks Maren. Do you cover the bowl with a lid or a towel?", "d2"),
    ("d4", MAREN, "A shower cap, honestly. Cheap, reusable, and it doesn't stick.", "d3"),
    (
        "p1",
        PRIYA,
        "Top of the fridge is a great tip. Mine lives in the oven with just the "
        "light on, which holds about 26 °C.",
        None,
    ),
    (
        "p2",
        TOMASZ,
        "Careful with the oven trick: I preheated once and forgot the starter "
        "was inside. RIP Zbigniew the starter 😭",
        "p1",
    ),
    ("p3", PRIYA, "Oh no! A moment of silence for Zbigniew 🕯️", "p2"),
    ("a1", AIKO, "Would a 1:5:5 feed work for a rye starter too?", None),
    ("a2", LUIS, "I use 1:4:4 for rye; it gets going faster than wheat.", "a1"),
    ("a3", AIKO, "ありがとう! I'll try that this weekend 🍞", "a2"),
    ("l1", LUIS, "Nine hours of bulk sounds wild, but the flavour point is so true.", None),
)

# Minutes after the one before, for each SOURDOUGH comment: a discussion that runs
# over three weeks (quick replies, next-day answers), not eleven comments in one second.
SOURDOUGH_GAPS = (0, 185, 47, 1310, 2890, 96, 12, 8650, 1475, 2205, 11040)
SOURDOUGH_SPAN = timedelta(minutes=sum(SOURDOUGH_GAPS) + 4 * 60)
"""From the first seeded comment to the moment of seeding (the last one is 4 hours old)."""

DEBATE_VOICES = (DAVID, PRIYA, TOMASZ, AIKO, LUIS)
DEBATE_LINES = (
    "I ride Harbour Road every day and a protected lane would change everything.",
    "Where do the delivery vans stop, though? That's the part nobody answers.",
    "Loading bays at the side streets, like they did on Mill Lane. It works fine there.",
    "Parking numbers are not the whole story: footfall went up on Mill Lane.",
    "My kids could cycle to school on their own. That alone is worth it 🚲",
    "I'm for it, but the junction at the ferry terminal needs a proper design.",
    "Has anyone looked at the bus stops? Floating bus stops confuse people at first.",
    "The consultation map has the wrong width for the pavement near the bakery.",
    "Please keep it civil, everyone: good points on all sides.",
    "Copenhagen did this decades ago and nobody wants to go back.",
)


@attrs.frozen
class DebateRow:
    """One generated comment of the long demo thread, in the shape a bulk loader takes."""

    id: int
    parent_id: int | None
    author: Identity
    body_source: str
    body_html: str
    created_at: datetime
    status: Status = Status.APPROVED
    upvotes: int = 0
    downvotes: int = 0


def seed(engine: CommentEngine, *, long_thread_size: int = 1200, seed_value: int = 7) -> bool:
    """Fill the demo threads unless they already have comments; return whether it did."""
    first, long_post = POSTS[0], POSTS[1]
    existing = engine.counts([first.slug, long_post.slug])
    if existing[first.slug] or existing[long_post.slug]:
        return False
    for post in POSTS:
        engine.thread(post.slug, title=post.title, url=f"/posts/{post.slug}")
    # The same rules on a clock that walks through the discussion's three weeks.
    clock = ManualClock(engine.clock.now() - SOURDOUGH_SPAN)
    timed = CommentEngine(
        engine.store, pipeline=engine.pipeline, renderer=engine.renderer, clock=clock
    )
    made: dict[str, int] = {}
    for (key, author, body, parent), gap in zip(SOURDOUGH, SOURDOUGH_GAPS, strict=True):
        clock.advance(minutes=gap)
        parent_id = made[parent] if parent else None
        comment = timed.post(first.slug, Submission(body, parent_id=parent_id), author)
        made[key] = comment.id
    rows = debate_rows(engine, long_thread_size, random.Random(seed_value))
    bulk_load = getattr(engine.store, "bulk_load", None)
    if bulk_load is not None:
        # One transaction for the whole thread instead of one per comment.
        bulk_load(long_post.slug, rows)
    else:
        new_ids: dict[int, int] = {}
        for row in rows:
            reply_to = new_ids[row.parent_id] if row.parent_id is not None else None
            posted = engine.post(
                long_post.slug, Submission(row.body_source, parent_id=reply_to), row.author
            )
            new_ids[row.id] = posted.id
    return True


def debate_rows(engine: CommentEngine, size: int, rng: random.Random) -> list[DebateRow]:
    """A long, realistic-looking debate: some top-level posts, replies mostly to recent ones."""
    start = engine.clock.now() - timedelta(days=6)
    rows: list[DebateRow] = []
    for number in range(1, size + 1):
        author = DEBATE_VOICES[number % len(DEBATE_VOICES)]
        body = f"{DEBATE_LINES[rng.randrange(len(DEBATE_LINES))]} (#{number})"
        parent: int | None = None
        if rows and rng.random() > 0.08:
            recent = rows[-12:]
            pick = recent[rng.randrange(len(recent))] if rng.random() < 0.85 else rng.choice(rows)
            parent = pick.id
        rows.append(
            DebateRow(
                id=number,
                parent_id=parent,
                author=author,
                body_source=body,
                body_html=engine.renderer.render(body),
                created_at=start + timedelta(minutes=7 * number),
                upvotes=rng.randrange(0, 9) if rng.random() < 0.3 else 0,
            )
        )
    return rows
