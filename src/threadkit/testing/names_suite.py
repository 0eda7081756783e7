"""Conformance: a store's ``verified_author_names``, behind ``ImpersonationGuard``.

The method is the optional :class:`threadkit.moderation.VerifiedNames` capability.

:class:`CommentStoreSuite` includes this suite; a store without the method
skips it (the guard then protects only reserved names and what it sees).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from threadkit.models import DELETED_AUTHOR, Identity, NewComment, Status
from threadkit.moderation import VerifiedNames
from threadkit.ports import CommentStore

__all__ = ["VerifiedNamesSuite"]

_T0 = datetime(2026, 1, 1, tzinfo=UTC)


class VerifiedNamesSuite:
    """What ``verified_author_names(after_id)`` answers, on every store that has it."""

    def test_verified_author_names_lists_new_verified_names_and_the_last_id(
        self, store: CommentStore
    ) -> None:
        """Verified authors' names after an id (no placeholder, no anonymous), and the last id."""
        if not isinstance(store, VerifiedNames):
            pytest.skip("this store does not offer verified_author_names (optional)")
        store.ensure_thread("names", now=_T0)
        writers = [
            (Identity("github", "cy", "Cy", verified=True), Status.APPROVED),
            (Identity("anonymous", "b1", "Ada"), Status.APPROVED),
            (Identity("site", "dee", "Dee", verified=True), Status.SPAM),
            (Identity("site", "cy2", "Cy", verified=True), Status.PENDING),
            (DELETED_AUTHOR, Status.DELETED),
            (Identity("site", "eve", "Eve", verified=True), Status.APPROVED),
        ]
        ids = [
            store.add_comment(NewComment("names", None, who, "hi", "<p>hi</p>", status, _T0)).id
            for who, status in writers
        ]
        assert (
            (["Cy", "Dee", "Eve"], ids[-1]),
            (["Eve"], ids[-1]),
            ([], ids[-1]),
        ) == (
            store.verified_author_names(0),
            store.verified_author_names(ids[-2]),
            store.verified_author_names(ids[-1]),
        )
