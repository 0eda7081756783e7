"""How a prepared statement builds its driver arguments (``_fast._Compiled``, issue 12).

The caller's values are picked in one call and the statement's literals put
in place; these tests pin the order, the literals, the converted values and
the old answer for a key left out (``NULL``), for every shape of statement.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from threadkit_sqlalchemy._fast import _Compiled
from threadkit_sqlalchemy._schema import comments, threads

_T = threads.c
_C = comments.c


def _compiled(statement: sa.Executable, keys: tuple[str, ...] = ()) -> _Compiled:
    return _Compiled(statement, sqlite.dialect(), keys)


def test_values_come_in_the_statements_order() -> None:
    """Bound values follow the SQL's placeholders, whatever order the caller gave them in."""
    update = sa.update(comments).where(_C.id == sa.bindparam("b_id"))
    compiled = _compiled(update.values(child_seq=sa.bindparam("b_seq")))
    assert [7, 3] == list(compiled.arguments({"b_id": 3, "b_seq": 7}))


def test_a_literal_is_put_in_its_place() -> None:
    """A value written into the statement (``version + 1``) sits between the caller's."""
    update = (
        sa.update(threads)
        .where(_T.id == sa.bindparam("b_id"))
        .values(top_seq=sa.bindparam("b_top"), version=_T.version + 1)
    )
    assert [5, 1, 9] == list(_compiled(update).arguments({"b_id": 9, "b_top": 5}))


def test_one_value_and_no_value_are_still_sequences() -> None:
    """A statement of one bound value, or of none, gives a sequence of that length."""
    one = sa.select(_T.id).where(_T.key == sa.bindparam("b_key"))
    none = sa.select(sa.func.count(_T.id))
    assert (["k"], []) == (
        list(_compiled(one).arguments({"b_key": "k"})),
        [*_compiled(none).arguments({})],
    )


def test_a_key_left_out_binds_null_and_timestamps_convert() -> None:
    """A missing key is ``NULL`` as before; a timestamp goes in as the column type stores it."""
    at = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    insert = _compiled(sa.insert(comments), ("created_at", "status", "edited_at"))
    values = list(insert.arguments({"created_at": at, "status": "approved"}))
    assert ["approved", "2026-12-03 06:00:00.000000", None] == values  # the table's order
