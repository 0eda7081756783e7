"""Reading pages of a thread and subtrees (keyset scans of the path index)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.models import Comment, CommentRows, SortOrder, Visibility
from threadkit.storekit import (
    PageEntry,
    PageQuery,
    bad_cursor,
    check_limit,
    int_cursor,
    split_cursor,
)

from . import _paths
from ._base import StoreBase
from ._rows import (
    _C,
    _LEAN_PATH,
    _LEAN_SDEPTH,
    _LEAN_SPARENT,
    _NEG_SCORE,
    _PATH,
    _SDEPTH,
    _SELECT_FAMILY,
    _SELECT_LEAN_ROWS,
    _SELECT_ROWS,
    _SELECT_TOPS,
    _SELECT_TREE,
    _SPARENT,
    _T,
    _TOP_ORD,
    _comment,
    _lean_comment,
    _listed_top,
    _raw_rows,
    _Row,
    _visibility_kind,
    _visibility_params,
    _visible,
)
from ._schema import comments, threads

_PUBLIC = Visibility()
_THREAD_ID = sa.select(_T.id).where(_T.key == sa.bindparam("thread_key"))
_LIMIT = sa.bindparam("limit", type_=sa.BigInteger)
_HEAD = (
    sa.select(_C.thread_id, _C.path, _C.sdepth, _C.sparent_id, _T.key)
    .join_from(comments, threads, _C.thread_id == _T.id)
    .where(_C.id == sa.bindparam("comment_id"))
)


class _Layout(NamedTuple):
    """The columns a page or subtree reads, where its storage columns sit, and its builder."""

    select: sa.Select[Any]
    path: int
    sdepth: int
    sparent: int
    build: Callable[[_Row, str], Comment]


_WHOLE = _Layout(_SELECT_ROWS, _PATH, _SDEPTH, _SPARENT, _comment)
# A family's rows when a batch meets the depth cap: the tree and storage columns.
_TREE = _Layout(_SELECT_TREE, _PATH, _SDEPTH, _SPARENT, _comment)
_LEAN = _Layout(_SELECT_LEAN_ROWS, _LEAN_PATH, _LEAN_SDEPTH, _LEAN_SPARENT, _lean_comment)


# Statements are built once per shape and reused: SQLAlchemy then finds the compiled
# form by a cache key it keeps on the statement, instead of building both per call.
# Values (thread, viewer, bounds, limits, ids) are bind parameters.


@functools.lru_cache(maxsize=64)
def _tops_query(sort: SortOrder, after: bool, kind: Visibility) -> sa.Select[Any]:
    """Build the keyset scan of top-level rows (``after``: with a cursor) for a visibility kind."""
    query = _SELECT_TOPS.where(
        _C.thread_id == sa.bindparam("thread_id"),
        _C.depth == 0,
        _listed_top(kind, bound=True),
    )
    if sort is SortOrder.TOP:
        if after:
            score = sa.bindparam("score", type_=sa.Integer)
            query = query.where(
                _C.neg_score >= -score,
                sa.or_(_C.neg_score > -score, _C.id > sa.bindparam("after", type_=sa.Integer)),
            )
        query = query.order_by(_C.neg_score, _C.id)
    elif sort is SortOrder.NEWEST:
        if after:
            query = query.where(_C.top_ord < sa.bindparam("ord", type_=sa.Integer))
        query = query.order_by(_C.top_ord.desc())
    else:
        if after:
            query = query.where(_C.top_ord > sa.bindparam("ord", type_=sa.Integer))
        query = query.order_by(_C.top_ord)
    return query.limit(_LIMIT)


@functools.lru_cache(maxsize=256)
def _range_query(
    select: sa.Select[Any], kind: Visibility | None, with_low: bool, roots: bool, tops: bool
) -> sa.Select[Any]:
    """Build the range scan of the path index (see :meth:`PagingPart._descendants`).

    ``kind`` None: every row; ``tops``: the rows whose ids are bound as
    ``tops`` too, whatever their status.
    """
    visible: sa.ColumnElement[bool] = sa.true() if kind is None else _visible(kind, bound=True)
    if tops:
        visible = sa.or_(visible, _C.id.in_(sa.bindparam("tops", expanding=True)))
    low = sa.bindparam("low", type_=_C.path.type)
    query = select.where(
        _C.thread_id == sa.bindparam("thread_id"),
        _C.path >= low if with_low else _C.path > low,
        _C.path < sa.bindparam("high", type_=_C.path.type),
        visible,
    )
    if roots:
        query = query.where(
            sa.or_(_C.depth == 0, _C.root_id.in_(sa.bindparam("roots", expanding=True)))
        )
    return query.order_by(_C.path).limit(_LIMIT)


class PagingPart(PageEntry, StoreBase):
    """The :class:`~threadkit.ports.PageReader` methods.

    With ``lean_public_reads`` set (``store.lean_public_reads = True``), pages
    and subtrees for a reader who is nobody (``Visibility()``: no identity, no
    moderator) take the lean read: only the public columns
    (:data:`._rows._LEAN_COLUMNS`), and their comments carry no email,
    Markdown source (``""``), reasons, request data or reply subscription.
    Off by default: :class:`~threadkit.ports.PageReader` promises whole
    comments (the conformance suite compares them with ``get_comment``'s);
    a site whose public-visibility reads all end in public pages (the web
    adapters' readers) may turn it on. ``benchmarks/test_read_path_bench.py``
    compares both paths.
    """

    lean_public_reads = False

    def _reading(self, visibility: Visibility) -> _Layout:
        """Return the rows of ``visibility``'s pages (all columns, or the public ones)."""
        if self.lean_public_reads and visibility == _PUBLIC:
            return _LEAN
        return _WHOLE

    def _ordered(
        self,
        rows: list[_Row],
        layout: _Layout,
        whole: Callable[[str], list[tuple[str, _Row | None]]] | None = None,
    ) -> list[_Row]:
        """Put ``rows`` in depth-first order, as :meth:`_preorder` does, for any ``layout``.

        ``whole`` reads a flattened run whole (see :meth:`_whole_run`) by its
        holder's path; given it, ``rows`` are every visible row of their runs,
        and a run holding a reply whose parent the reader may not see is put
        in order from the whole run: alone, that reply's place is unknown.
        """
        if whole is None:
            return self._preorder(rows, layout.sdepth, layout.sparent)
        sparent = layout.sparent

        def in_order(run: list[_Row]) -> list[_Row]:
            present = {row[0] for row in run}
            if all(row[1] in present or row[1] == row[sparent] for row in run):
                return self._run_preorder(run)
            holder = _paths.split_last(run[0][layout.path])[0]
            return [row for _, row in whole(holder) if row is not None]

        return self._preorder(rows, layout.sdepth, sparent, in_order)

    def _tops(
        self,
        conn: Connection,
        thread_id: int,
        sort: SortOrder,
        visibility: Visibility,
        cursor: str | None,
        limit: int,
    ) -> list[_Row]:
        """Return the next ``limit`` listed top-level rows in ``sort`` order after ``cursor``."""
        params: dict[str, Any] = {
            "thread_id": thread_id,
            "limit": limit,
            **_visibility_params(visibility),
        }
        if cursor is not None:
            if sort is SortOrder.TOP:
                params["score"], params["after"] = int_cursor(cursor, "t", 2)
            else:
                params["ord"] = int_cursor(cursor, "n" if sort is SortOrder.NEWEST else "o", 1)[0]
        query = _tops_query(sort, cursor is not None, _visibility_kind(visibility))
        return _raw_rows(conn, query, params)

    @staticmethod
    def _top_cursor(sort: SortOrder, top: _Row) -> str:
        if sort is SortOrder.TOP:
            return f"t.{-top[_NEG_SCORE]}.{top[0]}"
        return f"{'n' if sort is SortOrder.NEWEST else 'o'}.{top[_TOP_ORD]}"

    def _descendants(
        self,
        conn: Connection,
        thread_id: int,
        low: str,
        high: str,
        visibility: Visibility | None,
        limit: int,
        roots: Sequence[int] | None = None,
        *,
        tops: Sequence[int] | None = None,
        with_low: bool = False,
        select: sa.Select[Any] = _SELECT_ROWS,
    ) -> list[_Row]:
        """Rows ``visibility`` sees with ``low < path < high``, in path order, at most ``limit``.

        ``visibility`` None: every row. ``tops``: these rows too, whatever
        their status. ``with_low`` includes the row at ``low`` itself
        (``low <= path``). With ``roots``, only top-level rows and
        descendants of ``roots``. ``select`` is the columns' query (all of
        them, or the public ones).
        """
        kind = None if visibility is None else _visibility_kind(visibility)
        query = _range_query(select, kind, with_low, roots is not None, tops is not None)
        params: dict[str, Any] = {"thread_id": thread_id, "low": low, "high": high, "limit": limit}
        if visibility is not None:
            params.update(_visibility_params(visibility))
        if roots is not None:
            params["roots"] = list(roots)
        if tops is not None:
            params["tops"] = list(tops)
        return _raw_rows(conn, query, params)

    def _read_page(self, thread_key: str, query: PageQuery) -> CommentRows:
        """Read one page of a thread (see :class:`~threadkit.storekit.PageEntry`).

        As :meth:`threadkit.ports.PageReader.page` says: the next ``top_limit``
        visible top-level comments in ``sort`` order, each with its visible
        descendants depth first (siblings oldest first), at most ``total_limit``
        rows; a top-level comment comes with all its visible descendants, except
        the first, which is cut at ``total_limit``.
        """
        sort, visibility, cursor = query.sort, query.visibility, query.cursor
        top_limit, total_limit = query.top_limit, query.total_limit
        layout = self._reading(visibility)
        select = layout.select

        def work(conn: Connection) -> CommentRows:
            thread_id = conn.execute(_THREAD_ID, {"thread_key": thread_key}).scalar()
            if thread_id is None:
                return CommentRows([])
            tops = self._tops(conn, thread_id, sort, visibility, cursor, top_limit + 1)
            more = len(tops) > top_limit
            tops = tops[:top_limit]
            if not tops:
                return CommentRows([])
            # The listed tops come back whatever their status (a hidden one holds a place).
            top_ids = [top[0] for top in tops]
            blocks: Callable[[int, _Row, int], tuple[list[_Row], bool]]
            if sort is SortOrder.OLDEST:
                blocks = self._oldest_blocks(conn, thread_id, tops, visibility, total_limit, layout)
            else:

                def blocks(index: int, top: _Row, room: int) -> tuple[list[_Row], bool]:
                    # The top-level row itself (all its columns) comes first.
                    found = self._descendants(
                        conn,
                        thread_id,
                        top[_PATH],
                        top[_PATH] + _paths.END,
                        visibility,
                        room + 1,
                        tops=top_ids,
                        with_low=True,
                        select=select,
                    )
                    if not found or found[0][0] != top[0]:
                        return [], True  # hidden since the keyset scan (concurrent change)
                    return found, len(found) <= room

            def whole(holder: str) -> list[tuple[str, _Row | None]]:
                return self._whole_run(conn, thread_id, holder, visibility, layout)

            rows: list[_Row] = []
            last: _Row | None = None
            cut: str | None = None
            for index, top in enumerate(tops):
                room = total_limit - len(rows)
                if room <= 0:
                    more = True
                    break
                block, complete = blocks(index, top, room)
                if not block:  # gone since the keyset scan, or past the end of the read
                    if not complete:
                        more = True
                        break
                    last = top
                    continue
                if not complete:
                    if last is not None:
                        more = True
                        break
                    if self._meets_cap(block, layout):
                        # Cut in depth-first order, not in the path order of a flattened run.
                        below = self._depth_first(
                            conn,
                            thread_id,
                            top[_PATH],
                            top[_PATH] + _paths.END,
                            visibility,
                            room - 1,
                            layout,
                            block[1:],
                        )
                        block = [block[0], *below[: room - 1]]
                    else:
                        block = self._ordered(block[:room], layout)
                    if room > 1:  # the subtree continues after the block's last row
                        cut = f"s.{top[0]}.{block[-1][layout.path]}"
                    rows.extend(block)
                    last = top
                    continue
                rows.extend(self._ordered(block, layout, whole))
                last = top
            next_cursor = self._top_cursor(sort, last) if more and last is not None else None
            build = layout.build
            return CommentRows([build(row, thread_key) for row in rows], next_cursor, cut)

        return self._read(work)

    def _oldest_blocks(
        self,
        conn: Connection,
        thread_id: int,
        tops: list[_Row],
        visibility: Visibility,
        total_limit: int,
        layout: _Layout,
    ) -> Callable[[int, _Row, int], tuple[list[_Row], bool]]:
        """Fetch every top of an oldest-first page, all ``layout``'s columns, and their descendants.

        One range scan: the visible top-level rows in the range are exactly
        ``tops`` (the keyset scan's), each followed by its descendants. When
        the scan stops at its limit, the block it stopped in and every later
        one may be incomplete. ``total_limit + 1`` rows are enough: the
        blocks before the one the scan stopped in hold at most
        ``total_limit`` rows, and that block cannot fit beside them (or, when
        it is the first, is cut at ``total_limit``).
        """
        limit = total_limit + 1
        found = self._descendants(
            conn,
            thread_id,
            tops[0][_PATH],
            tops[-1][_PATH] + _paths.END,
            visibility,
            limit,
            roots=[top[0] for top in tops],
            tops=[top[0] for top in tops],
            with_low=True,
            select=layout.select,
        )
        full: dict[int, _Row] = {}
        groups: dict[int, list[_Row]] = {}
        for row in found:
            if row[3] == 0:
                full[row[0]] = row
            else:
                groups.setdefault(row[2], []).append(row)
        cut_from = len(tops)
        if len(found) >= limit:
            # The scan stopped inside the block of the last top at or before its last row.
            last_path = found[-1][layout.path]
            cut_from = 0
            for index, top in enumerate(tops):
                if top[_PATH] > last_path:
                    break
                cut_from = index

        def blocks(index: int, top: _Row, room: int) -> tuple[list[_Row], bool]:
            head = full.get(top[0])
            if head is None:
                # Hidden since the keyset scan (concurrent change), or past the cut.
                return [], index < cut_from
            block = [head, *groups.get(top[0], ())]
            return block, index < cut_from and len(block) <= room

        return blocks

    def _read_subtree(
        self, comment_id: int, visibility: Visibility, cursor: str | None, total_limit: int
    ) -> CommentRows:
        """Read visible descendants of ``comment_id``, not the comment itself.

        Depth first, siblings oldest first (parents before children), at most
        ``total_limit``; ``next_cursor`` continues. An unknown id gives no rows.
        """
        return self._read(
            lambda conn: self._subtree_rows(
                conn, comment_id, visibility, cursor, total_limit, self._reading(visibility)
            )[0]
        )

    def subtree_family(
        self,
        comment_id: int,
        *,
        visibility: Visibility,
        cursor: str | None = None,
        total_limit: int,
    ) -> list[tuple[int, int, int | None]]:
        """Return ``(id, depth, parent_id)`` of the rows :meth:`subtree` returns, in its order.

        See :class:`~threadkit.ports.SubtreeFamily`: the same range scan as
        :meth:`subtree`, reading only the tree columns and building no comments.
        """
        check_limit(total_limit, "total_limit")

        def work(conn: Connection) -> list[tuple[int, int, int | None]]:
            found, rows = self._subtree_rows(
                conn, comment_id, visibility, cursor, total_limit, None
            )
            if rows is None:  # a run at the depth cap: its comments were built
                return [(c.id, c.depth, c.parent_id) for c in found.comments]
            return [(row[0], row[1], row[3]) for row in rows]

        return self._read(work)

    def _subtree_rows(
        self,
        conn: Connection,
        comment_id: int,
        visibility: Visibility,
        cursor: str | None,
        total_limit: int,
        layout: _Layout | None,
    ) -> tuple[CommentRows, list[_Row] | None]:
        """Read a subtree batch (see :meth:`_read_subtree`) with ``layout``'s columns.

        Returns the batch and its rows in order; with no ``layout`` (a family),
        no comments and no cursor, and rows of ``(id, depth, sdepth, parent_id)``.
        A comment at the depth cap answers whole comments and ``None`` rows (its
        run needs every column to check visibility).
        """
        head = conn.execute(_HEAD, {"comment_id": comment_id}).first()
        if head is None:
            return CommentRows([]), []
        if head.sdepth >= self.storage_depth_cap:
            flat = self._flat_subtree(conn, comment_id, head, visibility, cursor, total_limit)
            return flat, None
        low = head.path
        if cursor is not None:
            root, after = split_cursor(cursor, "s", 2)
            if root != str(comment_id) or not after.startswith(head.path):
                raise bad_cursor(cursor)
            low = after

        def scan(columns: sa.Select[Any]) -> list[_Row]:
            return self._descendants(
                conn,
                head.thread_id,
                low,
                head.path + _paths.END,
                visibility,
                total_limit + 1,
                select=columns,
            )

        try:
            in_run = cursor is not None and _paths.split_last(low)[1] >= self.storage_depth_cap
        except (ValueError, IndexError):
            raise bad_cursor(cursor or "") from None

        def depth_first(rows: _Layout, read: Sequence[_Row] = ()) -> list[_Row]:
            # Flattened runs: read each one whole, so the batch is cut depth first.
            return self._depth_first(
                conn,
                head.thread_id,
                low,
                head.path + _paths.END,
                visibility,
                total_limit,
                rows,
                read,
            )

        if layout is None:
            found = scan(_SELECT_FAMILY)
            del found[total_limit:]
            if in_run or any(row[2] >= self.storage_depth_cap for row in found):
                wide = depth_first(_TREE)
                found = [(row[0], row[3], row[_SDEPTH], row[1]) for row in wide[:total_limit]]  # type: ignore[misc]
            return CommentRows([]), found
        found = scan(layout.select)
        ordered_already = in_run or self._meets_cap(found, layout)
        if ordered_already:
            found = depth_first(layout, found)
        next_cursor = None
        if len(found) > total_limit:
            del found[total_limit:]
            next_cursor = f"s.{comment_id}.{found[-1][layout.path]}"
        ordered = found if ordered_already else self._ordered(found, layout)
        build = layout.build
        return CommentRows([build(row, head.key) for row in ordered], next_cursor), ordered

    def _meets_cap(self, rows: Sequence[_Row], layout: _Layout) -> bool:
        """Whether any of ``rows`` is stored at the depth cap (in a flattened run)."""
        cap = self.storage_depth_cap
        return any(row[layout.sdepth] >= cap for row in rows)

    def _depth_first(
        self,
        conn: Connection,
        thread_id: int,
        low: str,
        high: str,
        visibility: Visibility,
        limit: int,
        layout: _Layout,
        read: Sequence[_Row] = (),
    ) -> list[_Row]:
        """Return the first ``limit + 1`` rows ``visibility`` sees after ``low``, below ``high``.

        Depth first (as :meth:`subtree` lists them), whatever the depth cap
        flattened: ``low`` is the path of the last row already listed. Path
        order is depth first except inside a flattened run (the rows stored
        under one comment at the cap, in creation order), so each run met is
        read whole and put in order before the batch is cut: a cut in path
        order would list a later reply before an earlier one's replies, and
        a link's "N more replies" would not be what it loads.

        ``read`` are the first rows of that range in path order, ``layout``'s
        columns, already read by the caller: they are used, not read again
        (a cut page of a deep thread read its 500 rows twice).
        """
        found: list[_Row] = []
        with_low = False
        path, cap = layout.path, self.storage_depth_cap
        holder, depth = _paths.split_last(low)
        if depth >= cap:  # continuing inside a run
            run = self._whole_run(conn, thread_id, holder, visibility, layout)
            paths = [entry for entry, _ in run]
            # A row gone since the cursor was made: go on in path order from it.
            rest = run[paths.index(low) + 1 :] if low in paths else [e for e in run if e[0] > low]
            found.extend(row for _, row in rest if row is not None)
            low, with_low = holder + _paths.END, True
        pending = [row for row in read if row[path] >= low] if with_low else list(read)
        while len(found) <= limit:
            want = limit + 1 - len(found)
            from_read = bool(pending)
            if from_read:
                rows, pending = pending[:want], pending[want:]
            else:
                rows = self._descendants(
                    conn,
                    thread_id,
                    low,
                    high,
                    visibility,
                    want,
                    with_low=with_low,
                    select=layout.select,
                )
            flat = next(
                (index for index, row in enumerate(rows) if row[layout.sdepth] >= cap), None
            )
            if flat is None:
                found.extend(rows)
                if not from_read or len(rows) == want:
                    break
                # The rows read ran out: the range may go on past the last of them.
                low, with_low = rows[-1][path], False
                continue
            found.extend(rows[:flat])
            holder = _paths.split_last(rows[flat][path])[0]
            run = self._whole_run(conn, thread_id, holder, visibility, layout)
            found.extend(row for _, row in run if row is not None)
            low, with_low = holder + _paths.END, True
            # The rows read after the run are the range's next ones: not read again.
            pending = [row for row in (*rows[flat:], *pending) if row[path] >= low]
        return found[: limit + 1]

    def _whole_run(
        self, conn: Connection, thread_id: int, holder: str, visibility: Visibility, layout: _Layout
    ) -> list[tuple[str, _Row | None]]:
        """Every row of the flattened run under ``holder``, depth first: ``(path, row)``.

        ``row`` is ``layout``'s row, or None where ``visibility`` does not see
        it (its place still orders the replies the reader sees).
        """
        high = holder + _paths.END
        every = self._descendants(conn, thread_id, holder, high, None, 2**62, select=_SELECT_TREE)
        seen = {
            row[0]: row
            for row in self._descendants(
                conn, thread_id, holder, high, visibility, 2**62, select=layout.select
            )
        }
        return [(row[_PATH], seen.get(row[0])) for row in self._run_preorder(every)]

    def _flat_subtree(
        self,
        conn: Connection,
        comment_id: int,
        head: _Row,
        visibility: Visibility,
        cursor: str | None,
        total_limit: int,
    ) -> CommentRows:
        """Subtree of a comment stored at the depth cap: its replies are its storage siblings.

        Reads the flattened run after the comment (its size, not the
        thread's, bounds the cost) and keeps the true descendants.
        """
        holder = conn.execute(sa.select(_C.path).where(_C.id == head.sparent_id)).scalar_one()
        run = self._descendants(conn, head.thread_id, head.path, holder + _paths.END, None, 2**62)
        members = {comment_id}
        mine: list[_Row] = []
        for row in run:
            if row[1] in members:
                members.add(row[0])
                mine.append(row)
        ordered = [
            row for row in self._run_preorder(mine) if visibility.can_see(_comment(row, head.key))
        ]
        start = 0
        if cursor is not None:
            root, after = int_cursor(cursor, "f", 2)
            ids = [row[0] for row in ordered]
            if root != comment_id or after not in ids:
                raise bad_cursor(cursor)
            start = ids.index(after) + 1
        block = ordered[start : start + total_limit]
        next_cursor = None
        if start + total_limit < len(ordered):
            next_cursor = f"f.{comment_id}.{block[-1][0]}"
        return CommentRows([_comment(row, head.key) for row in block], next_cursor)
