"""The rules that now live in one place (#16): storekit's vote and draft rules, cli, errors."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from threadkit import errors
from threadkit._unique import index_unique
from threadkit.cli import add_store_options, closing, fail, finish_import, load_object, site_store
from threadkit.codes import CODES
from threadkit.errors import ValidationError
from threadkit.guards import VoteQuota
from threadkit.memory import MemoryStore
from threadkit.models import Comment, Identity, NewComment, Reason, RequestContext, Status
from threadkit.storekit import (
    DRAFTED,
    EDITABLE,
    check_vote_call,
    draft_of,
    stored_comment,
    vote_delta,
    with_edits,
)
from threadkit.testing.store_kit import plain_draft

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)
ADA = Identity("anonymous", "ada", "Ada")


def _draft() -> NewComment:
    context = RequestContext("192.0.2.1", "agent")
    draft = plain_draft("t1", 4, ADA, "hi", T0, status=Status.PENDING, context=context)
    reasons = (Reason("links", "too_many_links", "Three links."),)
    return attrs.evolve(draft, reasons=reasons, notify_replies=True)


@pytest.mark.parametrize("old", [-1, 0, 1])
@pytest.mark.parametrize("new", [-1, 0, 1])
def test_vote_delta_moves_one_vote(old: int, new: int) -> None:
    """Applying the delta to a tally holding ``old`` gives a tally holding ``new``."""
    up, down = vote_delta(old, new)
    assert (int(new == 1), int(new == -1)) == (int(old == 1) + up, int(old == -1) + down)


def test_check_vote_call_returns_the_value_and_utc_time() -> None:
    """A good call gives the value and the time in UTC."""
    local = datetime(2026, 1, 1, 13, tzinfo=timezone(timedelta(hours=1)))
    assert (1, T0) == check_vote_call(1, local, ())
    assert (0, None) == check_vote_call(0, None, ())


@pytest.mark.parametrize("value", [True, 2, 1.0, "1"])
def test_check_vote_call_refuses_other_values(value: object) -> None:
    """Only the ints -1, 0 and 1 are votes."""
    with pytest.raises(ValidationError) as caught:
        check_vote_call(value, None, ())
    assert ("invalid_vote", "value") == (caught.value.code, caught.value.field)


def test_check_vote_call_refuses_a_naive_time_and_guards_without_time() -> None:
    """A naive time is a ValidationError; guards without a time are a programming error."""
    with pytest.raises(ValidationError) as caught:
        check_vote_call(1, datetime(2026, 1, 1), ())
    assert "naive_datetime" == caught.value.code
    with pytest.raises(ValueError, match="pass at="):
        check_vote_call(1, None, (VoteQuota("192.0.2.1", "comment", 2, 60),))


def test_memory_store_votes_through_the_shared_entry() -> None:
    """MemoryStore.vote refuses a bad value before touching the store, as every store must."""
    store = MemoryStore()
    with pytest.raises(ValidationError):
        store.vote(1, "voter", 5)  # type: ignore[arg-type]
    with pytest.raises(errors.NotFoundError):
        store.vote(1, "voter", 1)


def test_drafted_fields_are_the_fields_a_draft_and_a_comment_share() -> None:
    """DRAFTED is derived from the models, so a new shared field is carried without an edit."""
    expected = (
        "thread_key",
        "parent_id",
        "author",
        "body_source",
        "body_html",
        "status",
        "created_at",
        "reasons",
        "context",
        "notify_replies",
    )
    assert expected == DRAFTED


def test_stored_comment_and_draft_of_round_trip() -> None:
    """A draft becomes a comment with zero votes, and the comment gives the draft back."""
    draft = _draft()
    comment = stored_comment(draft, 9, root_id=2, depth=3, created_at=T0)
    assert (9, 2, 3, 0, 0, 0) == (
        comment.id,
        comment.root_id,
        comment.depth,
        comment.upvotes,
        comment.downvotes,
        comment.reply_count,
    )
    assert draft == draft_of(comment, thread_key="t1", parent_id=4)


def test_with_edits_writes_only_the_editable_fields() -> None:
    """Votes, counters and ids of the update are ignored; edited_at is the one given."""
    stored = stored_comment(_draft(), 9, root_id=9, depth=0, created_at=T0)
    update = attrs.evolve(
        stored, id=99, upvotes=7, body_source="new", status=Status.APPROVED, edited_at=None
    )
    edited = with_edits(stored, update, edited_at=T0)
    expected = attrs.evolve(stored, body_source="new", status=Status.APPROVED, edited_at=T0)
    assert expected == edited
    assert set(EDITABLE) < set(attrs.fields_dict(Comment))


def test_error_classes_take_their_status_from_the_table() -> None:
    """Each error class's HTTP status is its default code's status in CODES."""
    for name in errors.__all__:
        error_class = getattr(errors, name)
        entry = CODES[error_class.default_code]
        assert (name, entry.status) == (name, error_class.http_status)


def test_index_unique_refuses_a_repeated_key() -> None:
    """Two items with one key raise the clash message."""
    assert {"a": "a1", "b": "b1"} == index_unique(["a1", "b1"], lambda s: s[0], str)
    with pytest.raises(ValueError, match="twice: a"):
        index_unique(["a1", "a2"], lambda s: s[0], lambda key: f"twice: {key}")


def test_load_object_names_the_option_on_a_bad_spec() -> None:
    """A spec without module and attribute is refused, naming the option."""
    assert MemoryStore is load_object("threadkit.memory:MemoryStore")
    with pytest.raises(ValueError, match=r"--store must look like package\.module:factory"):
        load_object("threadkit.memory")


def test_site_store_refuses_a_store_that_cannot_move_a_site() -> None:
    """site_store passes a SiteStore through and names what another one lacks."""
    store = MemoryStore()
    assert store is site_store(store, "x:y")
    with pytest.raises(TypeError, match="x:y made a store that cannot move a whole site"):
        site_store(object(), "x:y")


def test_closing_closes_the_store_even_on_error() -> None:
    """closing() calls close() however the block ends; a store without one is fine."""
    closed: list[bool] = []

    class Closable:
        def close(self) -> None:
            closed.append(True)

    with pytest.raises(RuntimeError), closing(Closable()):
        raise RuntimeError("boom")
    with closing(object()):
        pass
    assert [True] == closed


def test_fail_and_finish_import(capsys: pytest.CaptureFixture[str]) -> None:
    """fail() prints one error line and gives 2; finish_import() reports and gives 0 or 1."""
    assert 2 == fail("no such file")
    assert 0 == finish_import(True, "imported 3 threads")
    assert 1 == finish_import(False, "imported 1 thread", failed=True)
    out, err = capsys.readouterr()
    assert "error: no such file\n" == err
    assert "dry run: nothing was written\nimported 3 threads\nimported 1 thread\n" == out


def test_add_store_options_with_dry_run_needs_one_of_them() -> None:
    """With dry_run, --store and --dry-run exclude each other and one is required."""
    parser = argparse.ArgumentParser()
    add_store_options(parser, dry_run=True)
    assert parser.parse_args(["--dry-run"]).dry_run
    assert ["a"] == parser.parse_args(["--store", "m:f", "--store-arg", "a"]).store_arg
    with pytest.raises(SystemExit):
        parser.parse_args([])
