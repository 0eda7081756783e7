"""The slice of a comment store that history-aware moderation steps ask about.

Defined with the other store slices in :mod:`threadkit.ports`; imported here
too, where the moderation steps have always found it. :class:`ReadsTogether`
is the optional capability that lets those questions share one transaction.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol, cast, runtime_checkable

from threadkit.ports import ModerationHistory

__all__ = ["ModerationHistory", "ReadsTogether", "reading_together"]


@runtime_checkable
class ReadsTogether(Protocol):
    """A store that can answer a block of reads from one transaction.

    Before a post the engine and the moderation steps ask several questions
    (the thread, bans, the last comment of this IP and author, duplicates);
    answered together they cost one transaction instead of one each. The
    answers only decide early (the write re-checks its guards), so they may
    come from one snapshot. Writes inside the block keep their own
    transactions (the engine posts inside the block, so a store may hand the
    block's connection to the write; its later reads then go on their own).
    Example::

        class MyStore:
            def reads_together(self) -> AbstractContextManager[None]:
                return nullcontext()  # every read on its own, as before
    """

    def reads_together(self) -> AbstractContextManager[None]:
        """Return a context manager; the store's reads inside it share one transaction."""
        ...


def reading_together(store: object) -> AbstractContextManager[None]:
    """Return ``store.reads_together()`` if the store has it, else a block that does nothing."""
    # The method on the store's class is what isinstance() looks for first, and a runtime
    # Protocol check costs 10-20 us, on every post: only other stores are checked.
    if callable(getattr(type(store), "reads_together", None)):
        return cast(ReadsTogether, store).reads_together()
    return store.reads_together() if isinstance(store, ReadsTogether) else nullcontext()
