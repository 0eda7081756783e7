"""Votes: one per voter and comment, tallied on the comment row."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.models import Comment
from threadkit.storekit import CastVote, VoteEntry, vote_delta

from . import _guards
from ._base import StoreBase
from ._checks import _chars
from ._rows import _C, _T
from ._schema import AUTHOR_KEY_LENGTH, IP_LENGTH, comments, votes
from ._threads import bump_version


class VotesPart(VoteEntry, StoreBase):
    """The :class:`~threadkit.ports.VoteStore` methods."""

    def _tally(self, conn: Connection, comment_id: int, thread_id: int, old: int, new: int) -> None:
        """Move one vote on a comment from ``old`` to ``new`` in its counters; raise the version."""
        up, down = vote_delta(old, new)
        if up or down:
            bump_version(conn, thread_id)
            conn.execute(
                sa.update(comments)
                .where(_C.id == comment_id)
                .values(
                    upvotes=_C.upvotes + up,
                    downvotes=_C.downvotes + down,
                    neg_score=_C.neg_score + down - up,
                )
            )

    def _cast_vote(self, vote: CastVote) -> Comment:
        """Store a checked vote; guards are counted under a per-address lock, in its transaction."""
        comment_id, voter_key, new = vote.comment_id, vote.voter_key, vote.value
        ip, when, guards = vote.ip, vote.at, vote.guards
        _chars(voter_key, "voter_key", AUTHOR_KEY_LENGTH)
        _chars(ip, "ip", IP_LENGTH)

        def work(conn: Connection) -> Comment:
            # Thread row first, then the comment: the order every comment write locks in.
            found = conn.execute(sa.select(_C.thread_id).where(_C.id == comment_id)).first()
            if found is None:
                raise self._no_comment(comment_id)
            conn.execute(self._for_update(sa.select(_T.id).where(_T.id == found.thread_id)))
            locked = conn.execute(
                self._for_update(sa.select(_C.id, _C.thread_id).where(_C.id == comment_id))
            ).first()
            if locked is None:
                raise self._no_comment(comment_id)
            where = sa.and_(votes.c.comment_id == comment_id, votes.c.voter_key == voter_key)
            old = conn.execute(sa.select(votes.c.value).where(where)).scalar() or 0
            if new and not old:
                if guards and when is not None:
                    _guards.check_vote_guards(conn, guards, comment_id, locked.thread_id, when)
                conn.execute(
                    sa.insert(votes).values(
                        comment_id=comment_id,
                        voter_key=voter_key,
                        value=new,
                        ctx_ip=ip,
                        created_at=when,
                    )
                )
            elif new and old != new:
                conn.execute(sa.update(votes).where(where).values(value=new))
            elif not new and old:
                conn.execute(sa.delete(votes).where(where))
            self._tally(conn, comment_id, locked.thread_id, old, new)
            comment = self._fetch_comment(conn, comment_id)
            assert comment is not None
            return comment

        return self._write(work)

    def votes_by(self, voter_key: str) -> dict[int, int]:
        """Every vote this voter cast, as ``{comment_id: +1 or -1}``."""
        query = sa.select(votes.c.comment_id, votes.c.value).where(votes.c.voter_key == voter_key)
        return self._read(lambda conn: {cid: int(v) for cid, v in conn.execute(query)})

    def erase_votes(self, voter_key: str) -> int:
        """Withdraw every vote this voter cast; return how many there were."""

        def work(conn: Connection) -> int:
            cast = conn.execute(
                sa.select(votes.c.comment_id, votes.c.value, _C.thread_id)
                .join_from(votes, comments, votes.c.comment_id == _C.id)
                .where(votes.c.voter_key == voter_key)
                .order_by(votes.c.comment_id)
            ).all()
            # Lock the threads first (in id order), as every comment write does.
            thread_ids = sorted({thread_id for _, _, thread_id in cast})
            if thread_ids:
                conn.execute(self._for_update(sa.select(_T.id).where(_T.id.in_(thread_ids))))
            for comment_id, value, thread_id in cast:
                self._tally(conn, comment_id, thread_id, int(value), 0)
            conn.execute(sa.delete(votes).where(votes.c.voter_key == voter_key))
            return len(cast)

        return self._write(work)
