"""Conformance: thread subscriptions, written with the comment and ended by one click."""

from __future__ import annotations

from typing import ClassVar, cast

import attrs
import pytest

from threadkit.errors import InvalidParentError
from threadkit.models import Identity, RequestContext, Status, Subscription
from threadkit.subscriptions import PENDING_WINDOW, SubscriptionStore
from threadkit.testing.capabilities import SUBSCRIPTIONS
from threadkit.testing.store_kit import ADA, BOB, Kit, plain_draft

__all__ = ["SubscriptionSuite"]

ZOE = Identity("github", "zoe", "Zoë 🙂", email="Zoe@Example.ORG", verified=True)
AMY = Identity("github", "amy", "Amy", email="amy@example.org", verified=True)
"""A verified address: active at once, like ZOE (ADA, anonymous, starts pending)."""


def _subscribe(
    kit: Kit,
    author: Identity = ZOE,
    *,
    thread_key: str = "t1",
    status: Status = Status.APPROVED,
    notify_thread: bool = True,
    parent_id: int | None = None,
) -> int:
    """Post a comment that asks for thread emails (or not); return its id."""
    context = RequestContext(ip="192.0.2.9", language="pl-PL, en;q=0.5")
    draft = plain_draft(
        thread_key, parent_id, author, "Subscribe me", kit.clock.tick(), status=status,
        context=context,
    )  # fmt: skip
    return kit.store.add_comment(attrs.evolve(draft, notify_thread=notify_thread)).id


def _zoe_on_two_threads_ada_on_one(kit: Kit) -> None:
    """Threads t1 and t2; Zoë subscribes to both, then Ada to t1."""
    kit.thread()
    kit.thread("t2")
    _subscribe(kit)
    _subscribe(kit, thread_key="t2")
    _subscribe(kit, AMY)


def _subs(kit: Kit) -> SubscriptionStore:
    return cast(SubscriptionStore, kit.store)


def _emails(found: list[Subscription]) -> list[str]:
    return [s.email for s in found]


class SubscriptionSuite:
    """Thread subscriptions (:class:`~threadkit.subscriptions.SubscriptionStore`)."""

    required_capabilities: ClassVar[frozenset[str]] = frozenset({SUBSCRIPTIONS})

    def test_a_comment_asking_for_thread_emails_subscribes_its_address(
        self, store_kit: Kit
    ) -> None:
        """add_comment stores the subscription: lower-cased address, name, language, time."""
        store_kit.thread()
        cid = _subscribe(store_kit)
        created = store_kit.get(cid).created_at
        [sub] = _subs(store_kit).thread_subscriptions("t1")
        expected = ("t1", "zoe@example.org", "github:zoe", created, "Zoë 🙂", "pl-PL, en;q=0.5")
        assert expected == (
            sub.thread_key, sub.email, sub.author_key, sub.created_at, sub.name, sub.language
        )  # fmt: skip
        assert sub.id > 0
        assert sub == _subs(store_kit).get_subscription(sub.id)

    def test_no_subscription_without_the_box_an_address_or_for_spam(self, store_kit: Kit) -> None:
        """Unticked, no email, or spam: nothing is subscribed; a held comment subscribes."""
        store_kit.thread()
        _subscribe(store_kit, notify_thread=False)
        _subscribe(store_kit, BOB)
        _subscribe(store_kit, status=Status.SPAM)
        assert [] == _subs(store_kit).thread_subscriptions("t1")
        _subscribe(store_kit, AMY, status=Status.PENDING)
        assert ["amy@example.org"] == _emails(_subs(store_kit).thread_subscriptions("t1"))

    def test_one_subscription_per_address_and_thread(self, store_kit: Kit) -> None:
        """The same address (any case, any identity) twice on a thread is listed once, oldest."""
        store_kit.thread()
        store_kit.thread("t2")
        _subscribe(store_kit)
        first = _subs(store_kit).thread_subscriptions("t1")
        again = Identity("anonymous", "zoe-phone", "Zoe", email="zoe@example.org")
        _subscribe(store_kit, again)
        _subscribe(store_kit, AMY)
        _subscribe(store_kit, ZOE, thread_key="t2")
        found = _subs(store_kit).thread_subscriptions("t1")
        assert ["zoe@example.org", "amy@example.org"] == _emails(found)
        assert first[0] == found[0]
        assert ["zoe@example.org"] == _emails(_subs(store_kit).thread_subscriptions("t2"))

    def test_remove_ends_the_subscription_once_and_is_harmless_again(self, store_kit: Kit) -> None:
        """remove_subscription ends one thread's subscription; again it returns None."""
        _zoe_on_two_threads_ada_on_one(store_kit)
        [zoe, amy] = _subs(store_kit).thread_subscriptions("t1")
        assert zoe == _subs(store_kit).remove_subscription(zoe.id)
        assert None is _subs(store_kit).remove_subscription(zoe.id)
        assert None is _subs(store_kit).get_subscription(zoe.id)
        assert [amy] == _subs(store_kit).thread_subscriptions("t1")
        assert ["zoe@example.org"] == _emails(_subs(store_kit).thread_subscriptions("t2"))

    def test_ticking_the_box_again_subscribes_again(self, store_kit: Kit) -> None:
        """After unsubscribing, a new comment with the box ticked makes a new subscription."""
        store_kit.thread()
        _subscribe(store_kit)
        [old] = _subs(store_kit).thread_subscriptions("t1")
        _subs(store_kit).remove_subscription(old.id)
        _subscribe(store_kit)
        [new] = _subs(store_kit).thread_subscriptions("t1")
        assert new.id != old.id

    def test_personal_data_finds_and_erases_subscriptions(self, store_kit: Kit) -> None:
        """By identity key or by email (any case): listed oldest first, erased, others kept."""
        _zoe_on_two_threads_ada_on_one(store_kit)
        subs = _subs(store_kit)
        assert ["t1", "t2"] == [
            s.thread_key for s in subs.subscriptions_of(author_key="github:zoe")
        ]
        assert ["t1", "t2"] == [
            s.thread_key for s in subs.subscriptions_of(email="ZOE@example.org")
        ]
        assert 2 == subs.erase_subscriptions(email="zoe@EXAMPLE.org")
        assert [] == subs.subscriptions_of(author_key="github:zoe")
        assert 1 == subs.erase_subscriptions(author_key=AMY.key)
        assert [] == subs.thread_subscriptions("t1")

    def test_a_refused_comment_subscribes_nobody(self, store_kit: Kit) -> None:
        """The subscription is part of the comment's write: a refused write leaves none."""
        store_kit.thread()
        store_kit.thread("t2")
        elsewhere = store_kit.add(thread_key="t2")
        with pytest.raises(InvalidParentError):
            _subscribe(store_kit, parent_id=elsewhere.id)
        assert [] == _subs(store_kit).thread_subscriptions("t1")

    def test_an_unverified_address_waits_for_its_owner_to_confirm(self, store_kit: Kit) -> None:
        """Anonymous Ada's subscription is pending: not a recipient until confirmed, once."""
        store_kit.thread()
        cid = _subscribe(store_kit, ADA)
        subs = _subs(store_kit)
        pending = subs.comment_subscription(cid)
        assert pending is not None
        assert (False, "ada@example.org", cid) == (
            pending.confirmed, pending.email, pending.comment_id
        )  # fmt: skip
        assert [] == subs.thread_subscriptions("t1")
        assert [pending] == subs.subscriptions_of(email="ada@example.org")
        confirmed = attrs.evolve(pending, confirmed=True)
        assert confirmed == subs.confirm_subscription(pending.id)
        assert confirmed == subs.confirm_subscription(pending.id)
        assert [confirmed] == subs.thread_subscriptions("t1")
        subs.remove_subscription(pending.id)
        assert None is subs.confirm_subscription(pending.id)

    def test_ticking_again_while_pending_keeps_the_first_comment_s_row(
        self, store_kit: Kit
    ) -> None:
        """Within the window the pending row stays the first comment's (one confirmation email)."""
        store_kit.thread()
        first = _subscribe(store_kit, ADA)
        second = _subscribe(store_kit, ADA)
        subs = _subs(store_kit)
        assert None is subs.comment_subscription(second)
        [only] = subs.subscriptions_of(email="ada@example.org")
        assert (first, False) == (only.comment_id, only.confirmed)

    def test_after_the_window_a_new_comment_renews_the_pending_row(self, store_kit: Kit) -> None:
        """A pending row older than PENDING_WINDOW is taken over by the next comment that asks."""
        store_kit.thread()
        first = _subscribe(store_kit, ADA)
        store_kit.clock.advance(seconds=PENDING_WINDOW.total_seconds())
        later = _subscribe(store_kit, ADA)
        [only] = _subs(store_kit).subscriptions_of(email="ada@example.org")
        assert (later, False, store_kit.get(later).created_at) == (
            only.comment_id, only.confirmed, only.created_at
        )  # fmt: skip
        assert first != later

    def test_a_verified_post_confirms_a_pending_address(self, store_kit: Kit) -> None:
        """The same address from a verified identity confirms the pending row, keeping its id."""
        store_kit.thread()
        _subscribe(store_kit, ADA)
        [pending] = _subs(store_kit).subscriptions_of(email="ada@example.org")
        _subscribe(store_kit, attrs.evolve(AMY, email="ADA@example.org"))
        [now] = _subs(store_kit).thread_subscriptions("t1")
        assert (pending.id, True) == (now.id, now.confirmed)
