"""Materialized path segments sort like the numbers they encode, byte by byte."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st
from threadkit_sqlalchemy import _paths as paths

ordinals = st.integers(min_value=1, max_value=paths.MAX_ORDINAL)


@given(ordinals, ordinals)
def test_segments_compare_as_bytes_like_their_ordinals(a: int, b: int) -> None:
    """Byte order of two segments equals numeric order of their ordinals."""
    left, right = paths.segment(a).encode("ascii"), paths.segment(b).encode("ascii")
    assert (a < b, a == b) == (left < right, left == right)


@given(st.lists(ordinals, min_size=1, max_size=8), st.lists(ordinals, min_size=1, max_size=8))
def test_paths_sort_depth_first(left: list[int], right: list[int]) -> None:
    """Concatenated segments sort like the tuples of ordinals (a parent before its subtree)."""
    a = "".join(map(paths.segment, left)).encode("ascii")
    b = "".join(map(paths.segment, right)).encode("ascii")
    assert (left < right) == (a < b)


@given(st.lists(ordinals, min_size=1, max_size=8), ordinals)
def test_descendants_lie_below_the_end_marker(prefix: list[int], child: int) -> None:
    """Every descendant path p + s satisfies p < p + s < p + END."""
    parent = "".join(map(paths.segment, prefix))
    below = parent + paths.segment(child)
    assert parent < below < parent + paths.END


@pytest.mark.parametrize("bad", [0, -1, paths.MAX_ORDINAL + 1])
def test_out_of_range_ordinals_are_refused(bad: int) -> None:
    """Ordinals outside 1..MAX_ORDINAL raise ValueError instead of corrupting the order."""
    with pytest.raises(ValueError, match="out of range"):
        paths.segment(bad)


def test_module_doctest_passes() -> None:
    """The examples in the paths module docstring run as written."""
    result = doctest.testmod(paths)
    assert (0, True) == (result.failed, result.attempted > 0)
