"""The example blog's articles: plain data, written for this project."""

from __future__ import annotations

import attrs

__all__ = ["POSTS", "Post", "find_post"]


@attrs.frozen
class Post:
    """One article of the example blog; ``slug`` doubles as its thread key."""

    slug: str
    title: str
    date: str
    author: str
    paragraphs: tuple[str, ...]


POSTS: tuple[Post, ...] = (
    Post(
        slug="sourdough-in-a-cold-kitchen",
        title="Sourdough in a cold kitchen",
        date="2026-11-02",
        author="Maren",
        paragraphs=(
            "My kitchen sits at about 16 °C from November to March, and for two winters "
            "my loaves came out flat, sour and dense. This year I changed three things, "
            "and the bread is finally behaving.",
            "First, the starter lives on top of the fridge now, the one place that stays "
            "warm. Second, I feed it at a 1:5:5 ratio in the evening, so it peaks in the "
            "morning when I mix. Third, and most important, I stopped following the clock "
            "in recipes and started watching the dough: bulk fermentation ends when it has "
            "grown by about half and jiggles when the bowl is shaken, however long that takes.",
            "In a cold kitchen that can be nine hours. Plan for it, start early, and the "
            "long slow rise gives a flavour a warm kitchen never will.",
        ),
    ),
    Post(
        slug="the-great-bike-lane-debate",
        title="The great bike lane debate",
        date="2026-11-18",
        author="Maren",
        paragraphs=(
            "The council's plan to put a protected bike lane on Harbour Road has produced "
            "more letters than any proposal in a decade. I asked readers what they thought.",
            "You answered. More than a thousand times. Below is the whole conversation, "
            "paged, so that it stays readable: older comments are a click away, and long "
            'reply chains fold up with a "more replies" link.',
        ),
    ),
    Post(
        slug="a-quiet-post",
        title="A quiet post with no comments yet",
        date="2026-11-24",
        author="Maren",
        paragraphs=(
            "Not every post starts a conversation. This one is here so that you can be "
            "the first to leave a reply.",
        ),
    ),
)


def find_post(slug: str) -> Post | None:
    """Return the post with this slug, or ``None``."""
    return next((post for post in POSTS if post.slug == slug), None)
