"""The built-in moderation steps, each on its own, and default_pipeline."""

from __future__ import annotations

import doctest
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import threadkit.moderation
import threadkit.moderation.keywords
from threadkit.limits import COMMENT_MAX_BYTES
from threadkit.memory import MemoryStore
from threadkit.models import (
    Action,
    Candidate,
    Comment,
    Identity,
    NewComment,
    Reason,
    RequestContext,
    Status,
    Thread,
    Verdict,
)
from threadkit.moderation import (
    AutoClose,
    BanCheck,
    DuplicateDetection,
    FirstTimeApproval,
    FloodControl,
    Honeypot,
    ImpersonationGuard,
    KeywordList,
    LearnedBlocklist,
    LinkLimit,
    MemoryBlocklist,
    Pipeline,
    SizeLimits,
    default_pipeline,
)
from threadkit.moderation.learning import BlocklistKind
from threadkit.ports import LearningStep, ModerationStep

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
THREAD = Thread("post-1", NOW - timedelta(days=1))
ADA = Identity(
    "anonymous", "browser-ada", "Ada", email="ada@example.org", url="https://ada.example.org"
)
BOB = Identity("anonymous", "browser-bob", "Bob")
ADA_IP = "198.51.100.7"


def candidate(
    body: str = "A perfectly ordinary comment.",
    *,
    author: Identity = ADA,
    ip: str = ADA_IP,
    thread: Thread = THREAD,
    now: datetime = NOW,
    honeypot: str = "",
    comment_id: int | None = None,
    moderator: bool = False,
) -> Candidate:
    return Candidate(
        thread,
        author,
        body,
        RequestContext(ip=ip),
        now,
        honeypot=honeypot,
        comment_id=comment_id,
        moderator=moderator,
    )


def codes(verdict: Verdict) -> list[str]:
    return [reason.code for reason in verdict.reasons]


def store_with(
    *comments: tuple[Identity, str, datetime, Status, str], thread_key: str = THREAD.key
) -> MemoryStore:
    """A MemoryStore holding comments given as (author, ip, created_at, status, body)."""
    store = MemoryStore()
    store.ensure_thread(thread_key, now=THREAD.created_at)
    for author, ip, at, status, body in comments:
        draft = NewComment(
            thread_key, None, author, body, f"<p>{body}</p>", status, at,
            context=RequestContext(ip=ip),
        )  # fmt: skip
        store.add_comment(draft)
    return store


STEPS_WITHOUT_STORE: list[ModerationStep] = [
    SizeLimits(),
    LinkLimit(),
    KeywordList(hold=["zzz"]),
    Honeypot(),
    AutoClose(30),
    LearnedBlocklist(MemoryBlocklist()),
]


def without_guards(verdict: Verdict) -> Verdict:
    """The verdict minus the write guards it carries (tests/test_races_core.py pins those)."""
    return attrs.evolve(verdict, guards=())


@pytest.mark.parametrize(
    "step",
    [
        *STEPS_WITHOUT_STORE,
        FloodControl(MemoryStore()),
        DuplicateDetection(MemoryStore()),
        FirstTimeApproval(store_with((ADA, ADA_IP, NOW, Status.APPROVED, "hi"))),
    ],
    ids=lambda step: type(step).__name__,
)
def test_every_builtin_step_is_a_moderation_step_that_accepts_an_ordinary_comment(
    step: ModerationStep,
) -> None:
    """Each built-in step satisfies the ModerationStep protocol and lets a plain comment by."""
    assert isinstance(step, ModerationStep)
    assert Verdict.accept() == without_guards(step.check(candidate()))


@pytest.mark.parametrize(
    "module",
    [threadkit.moderation, threadkit.moderation.keywords],
    ids=lambda module: module.__name__,
)
def test_docstring_examples_run(module: object) -> None:
    """The examples in the moderation docstrings are true."""
    failures, _ = doctest.testmod(module)  # type: ignore[arg-type]
    assert 0 == failures


# --------------------------------------------------------------------------- SizeLimits


def test_body_character_limit_is_off_by_default_and_works_when_set() -> None:
    """By default only bytes count; a body_chars limit, when set, rejects one over."""
    assert Verdict.accept() == SizeLimits().check(candidate("x" * 20_000))
    verdict = SizeLimits(body_chars=10_000).check(candidate("x" * 10_001))
    expected = Reason(
        "size-limits",
        "body_too_long",
        "The comment is 10,001 characters long; the limit is 10,000.",
    )
    assert (Action.REJECT, (expected,)) == (verdict.action, verdict.reasons)


def test_default_byte_limit_is_the_comment_limit() -> None:
    """The default body_bytes is COMMENT_MAX_BYTES: the step and the engine agree."""
    assert COMMENT_MAX_BYTES == SizeLimits().body_bytes


def test_body_exactly_at_the_byte_limit_passes() -> None:
    """A body of exactly COMMENT_MAX_BYTES of UTF-8 (four-byte emoji and ASCII) is accepted."""
    body = "😀" * 1_000 + "x" * (COMMENT_MAX_BYTES - 4_000)
    assert Verdict.accept() == SizeLimits().check(candidate(body))


def test_body_one_byte_over_the_byte_limit_is_rejected() -> None:
    """One byte over body_bytes rejects with body_too_large, though the characters fit."""
    verdict = SizeLimits().check(candidate("😀" * 1_000 + "x" * (COMMENT_MAX_BYTES - 3_999)))
    expected = Reason(
        "size-limits",
        "body_too_large",
        "The comment takes 65,536 bytes in UTF-8; the limit is 65,535.",
    )
    assert (Action.REJECT, (expected,)) == (verdict.action, verdict.reasons)


@pytest.mark.parametrize(
    "body",
    ["", " ", "\n\t\r\n", "\u00a0\u3000", "\u200b\u200d\ufeff", "\x00"],
    ids=["empty", "space", "newlines", "unicode-spaces", "zero-width", "control"],
)
def test_blank_body_is_rejected_as_empty(body: str) -> None:
    """An empty body, or one of only whitespace or invisible characters, is empty_body."""
    verdict = SizeLimits().check(candidate(body))
    assert (Action.REJECT, ["empty_body"]) == (verdict.action, codes(verdict))


def test_a_single_emoji_is_not_blank() -> None:
    """A body of one emoji (with a zero-width joiner inside) is not empty."""
    assert Verdict.accept() == SizeLimits().check(candidate("👩\u200d💻"))


@pytest.mark.parametrize(
    ("field", "limit", "expected"),
    [
        ("name", 100, ["name_too_long"]),
        ("url", 2_000, ["url_too_long", "url_too_large"]),
        ("email", 254, ["email_too_long", "email_too_large"]),
    ],
)
def test_author_fields_pass_at_their_limit_and_fail_one_over(
    field: str, limit: int, expected: list[str]
) -> None:
    """Name, URL and email pass at their default limit and are rejected one over."""
    # An ASCII email or URL is as many bytes as characters, so both of its limits trip.
    base = Identity("anonymous", "b", "Ada")
    at_limit_fields: dict[str, Any] = {field: "a" * limit}
    over_fields: dict[str, Any] = {field: "a" * (limit + 1)}
    at_limit = attrs.evolve(base, **at_limit_fields)
    over = attrs.evolve(base, **over_fields)
    assert Verdict.accept() == SizeLimits().check(candidate(author=at_limit))
    assert expected == codes(SizeLimits().check(candidate(author=over)))


def test_email_byte_limit_counts_utf8_bytes() -> None:
    """A 200-character internationalized email over 254 UTF-8 bytes is email_too_large."""
    author = Identity("anonymous", "b", "Ada", email="é" * 190 + "@example.org")
    assert ["email_too_large"] == codes(SizeLimits().check(candidate(author=author)))


def test_every_violation_is_reported_at_once() -> None:
    """A blank body and an over-long name are both reported, in field order."""
    author = Identity("anonymous", "b", "N" * 101)
    verdict = SizeLimits().check(candidate("   ", author=author))
    assert ["empty_body", "name_too_long"] == codes(verdict)


def test_none_turns_a_limit_off() -> None:
    """With body_chars and body_bytes None, a very long body passes."""
    step = SizeLimits(body_chars=None, body_bytes=None)
    assert Verdict.accept() == step.check(candidate("x" * 100_000))


def test_a_lone_surrogate_counts_three_bytes_instead_of_crashing() -> None:
    """A body holding a lone surrogate is measured (3 bytes), not an encoding error."""
    step = SizeLimits(body_bytes=3)
    assert (Verdict.accept(), ["body_too_large"]) == (
        step.check(candidate("\ud800")),
        codes(step.check(candidate("\ud800a"))),
    )


def test_negative_limit_is_refused() -> None:
    """A negative size limit is a configuration error."""
    with pytest.raises(ValueError, match="0 or more"):
        SizeLimits(name_chars=-1)


# --------------------------------------------------------------------------- LinkLimit


@pytest.mark.parametrize(
    ("body", "links"),
    [
        ("no links here, just example dot org", 0),
        ("[a](https://example.org)", 1),
        ("<https://example.org>", 1),
        ("see https://example.org/page?q=1 for more", 1),
        ("HTTP://EXAMPLE.ORG", 1),
        ("www.example.org", 1),
        ("ftp://example.org/file", 1),
        ("[https://example.org](https://example.org)", 1),
        ("![pic](https://example.org/p.png)", 1),
        ("[a][ref]\n\n[ref]: https://example.org", 1),
        ("`https://example.org`", 1),
        ("```\nhttps://a.example https://b.example\n```", 2),
        ("    https://a.example\n    https://b.example", 2),
        ('<a href="https://example.org">x</a>', 1),
        ("[x](javascript:alert(1))", 0),
        ("mailto:ada@example.org", 0),
        ("[a](https://a.example) <https://b.example> https://c.example www.d.example", 4),
    ],
)
def test_links_are_counted_as_a_reader_sees_them(body: str, links: int) -> None:
    """Markdown links, autolinks, images and bare URLs count once each; other text not."""
    assert Verdict.accept() == LinkLimit(max_links=links).check(candidate(body))
    if links:
        held = LinkLimit(max_links=links - 1).check(candidate(body))
        assert (Action.HOLD, ["too_many_links"]) == (held.action, codes(held))


def test_default_link_limit_holds_the_third_link() -> None:
    """By default two links pass and three are held, with a message giving both numbers."""
    two = "https://a.example and https://b.example"
    three = two + " and https://c.example"
    expected = Reason(
        "link-limit",
        "too_many_links",
        "The comment has 3 links; more than 2 are held for review.",
    )
    assert (Verdict.accept(), Verdict(Action.HOLD, (expected,))) == (
        LinkLimit().check(candidate(two)),
        LinkLimit().check(candidate(three)),
    )


def test_negative_link_limit_is_refused() -> None:
    """A negative max_links is a configuration error."""
    with pytest.raises(ValueError, match="0 or more"):
        LinkLimit(-1)


# --------------------------------------------------------------------------- KeywordList


def test_hold_word_in_the_body_holds_and_names_word_and_field() -> None:
    """A hold-list word in the body holds the comment; the reason names both."""
    verdict = KeywordList(hold=["casino"]).check(candidate("Visit my Casino tonight"))
    expected = Reason(
        "keywords", "hold_keyword", 'The body contains "casino", a word held for review.'
    )
    assert Verdict(Action.HOLD, (expected,)) == verdict


def test_spam_word_marks_as_spam_and_wins_over_hold_words() -> None:
    """A spam-list match gives SPAM, reporting only the spam words."""
    step = KeywordList(hold=["casino"], spam=["viagra"])
    verdict = step.check(candidate("casino and viagra"))
    expected = Reason(
        "keywords", "spam_keyword", 'The body contains "viagra", a word marked as spam.'
    )
    assert Verdict(Action.SPAM, (expected,)) == verdict


@pytest.mark.parametrize(
    "body",
    [
        "VIAGRA",
        "ＶＩＡＧＲＡ",  # fullwidth  # noqa: RUF001
        "𝐯𝐢𝐚𝐠𝐫𝐚",  # mathematical bold  # noqa: RUF001
        "vi\u200bag\u00adra",  # zero-width space and soft hyphen inside
        "cheapviagranow",  # substring, like WordPress
    ],
    ids=["upper", "fullwidth", "math-bold", "zero-width", "substring"],
)
def test_keywords_match_case_and_nfkc_look_alikes(body: str) -> None:
    """Case, NFKC compatibility forms and invisible characters do not hide a keyword."""
    assert Action.SPAM == KeywordList(spam=["viagra"]).check(candidate(body)).action


def test_keyword_written_in_fullwidth_matches_plain_text() -> None:
    """The list entries are normalized too: a fullwidth entry matches ASCII text."""
    step = KeywordList(hold=["ｃａｓｉｎｏ"])  # noqa: RUF001
    assert Action.HOLD == step.check(candidate("casino")).action


def test_casefold_matches_sharp_s() -> None:
    """Casefolding makes "STRASSE" match "Straße"."""
    assert Action.HOLD == KeywordList(hold=["STRASSE"]).check(candidate("Große Straße")).action


def test_letters_of_another_script_are_not_folded() -> None:
    """NFKC leaves Cyrillic look-alikes alone, as documented (a Cyrillic a inside "viagra")."""
    assert Verdict.accept() == KeywordList(spam=["viagra"]).check(candidate("vi\u0430gra"))


@pytest.mark.parametrize(
    ("author", "ip", "word", "field"),
    [
        (Identity("a", "1", "Casino King"), "", "casino", "name"),
        (Identity("a", "1", "Ada", email="promo@casino.example"), "", "casino", "email"),
        (Identity("a", "1", "Ada", url="https://casino.example"), "", "casino", "url"),
        (Identity("a", "1", "Ada"), "203.0.113.9", "203.0.113.", "ip"),
        (Identity("a", "1", "Ada"), "", "SpamBot", "user agent"),
    ],
    ids=["name", "email", "url", "ip", "user-agent"],
)
def test_keywords_are_looked_for_in_every_field(
    author: Identity, ip: str, word: str, field: str
) -> None:
    """Name, email, URL, IP and user agent are searched, and the reason names the field."""
    subject = attrs.evolve(
        candidate("hello", author=author, ip=ip),
        context=RequestContext(ip=ip, user_agent="Mozilla/5.0 (spambot/1.0)"),
    )
    verdict = KeywordList(hold=[word]).check(subject)
    expected = Reason(
        "keywords", "hold_keyword", f'The {field} contains "{word}", a word held for review.'
    )
    assert Verdict(Action.HOLD, (expected,)) == verdict


def test_every_matching_word_gives_one_reason_in_list_order() -> None:
    """Two matching words give two reasons; a word found twice gives one."""
    step = KeywordList(hold=["loan", "casino"])
    verdict = step.check(candidate("casino casino loan"))
    assert ['"loan"', '"casino"'] == [r.message.split()[3].rstrip(",") for r in verdict.reasons]


def test_lists_accept_one_word_per_line_and_ignore_blank_entries() -> None:
    """A newline-separated string works like a list; blank and duplicate lines are dropped."""
    step = KeywordList(hold="casino\n\n  \nloan\ncasino\n", spam=["", "\u200b"])
    assert (("casino", "loan"), ()) == (step.hold, step.spam)


# --------------------------------------------------------------------------- Honeypot


def test_filled_honeypot_is_spam() -> None:
    """Any value in the honeypot field marks the comment as spam."""
    expected = Verdict.spam(
        "honeypot", "honeypot_filled", "A field meant to stay empty was filled in."
    )
    assert expected == Honeypot().check(candidate(honeypot="http://bot.example"))


def test_honeypot_can_reject_instead() -> None:
    """Honeypot(action=REJECT) refuses the comment outright."""
    assert Action.REJECT == Honeypot(Action.REJECT).check(candidate(honeypot="x")).action


def test_honeypot_that_accepts_is_refused() -> None:
    """Configuring the honeypot to ACCEPT is an error: it would do nothing."""
    with pytest.raises(ValueError, match="HOLD, SPAM or REJECT"):
        Honeypot(Action.ACCEPT)


# --------------------------------------------------------------------------- FloodControl


def test_second_comment_from_the_same_ip_too_soon_is_rejected_with_retry_after() -> None:
    """Five seconds after a comment from the same IP, another waits ten more."""
    store = store_with((BOB, ADA_IP, NOW - timedelta(seconds=5), Status.APPROVED, "hi"))
    verdict = FloodControl(store).check(candidate())
    expected = Verdict.reject(
        "flood-control",
        "too_fast",
        "You are posting too quickly; please wait 10 seconds.",
        retry_after=10.0,
    )
    assert expected == verdict


def test_same_author_from_another_ip_is_limited_too() -> None:
    """The per-identity interval applies across IP addresses (and to held comments)."""
    store = store_with((ADA, "192.0.2.1", NOW - timedelta(seconds=14), Status.PENDING, "hi"))
    assert 1.0 == FloodControl(store).check(candidate()).retry_after


def test_exactly_the_interval_later_is_allowed() -> None:
    """A comment exactly per_ip_seconds after the last one passes."""
    store = store_with((ADA, ADA_IP, NOW - timedelta(seconds=15), Status.APPROVED, "hi"))
    assert Verdict.accept() == without_guards(FloodControl(store).check(candidate()))


def test_retry_after_is_the_longer_of_the_two_waits() -> None:
    """With an IP wait of 10 s and an identity wait of 40 s, retry_after is 40."""
    store = store_with(
        (ADA, "192.0.2.1", NOW - timedelta(seconds=20), Status.APPROVED, "one"),
        (BOB, ADA_IP, NOW - timedelta(seconds=5), Status.APPROVED, "two"),
    )
    step = FloodControl(store, per_ip_seconds=15, per_identity_seconds=60)
    assert 40.0 == step.check(candidate()).retry_after


def test_a_comment_stamped_in_the_future_never_asks_for_more_than_the_interval() -> None:
    """Clock skew between workers caps retry_after at the interval."""
    store = store_with((ADA, ADA_IP, NOW + timedelta(minutes=5), Status.APPROVED, "hi"))
    assert 15.0 == FloodControl(store).check(candidate()).retry_after


@pytest.mark.parametrize(
    "kwargs",
    [{"moderator": True}, {"comment_id": 1}],
    ids=["moderator", "recheck"],
)
def test_flood_control_skips_moderators_and_rechecks(kwargs: dict[str, object]) -> None:
    """Moderators are never limited and a re-check never trips the limit."""
    store = store_with((ADA, ADA_IP, NOW, Status.APPROVED, "hi"))
    assert Verdict.accept() == FloodControl(store).check(candidate(**kwargs))  # type: ignore[arg-type]


def test_a_request_without_ip_skips_the_ip_check() -> None:
    """Two different authors with no known IP do not limit each other."""
    store = store_with((BOB, "", NOW, Status.APPROVED, "hi"))
    assert Verdict.accept() == without_guards(FloodControl(store).check(candidate(ip="")))


def test_none_turns_an_interval_off() -> None:
    """per_ip_seconds=None stops the IP check; the identity check still works."""
    store = store_with((BOB, ADA_IP, NOW, Status.APPROVED, "hi"))
    step = FloodControl(store, per_ip_seconds=None)
    assert Verdict.accept() == without_guards(step.check(candidate()))


# --------------------------------------------------------------------------- DuplicateDetection


def test_same_author_same_thread_same_body_is_a_duplicate() -> None:
    """Posting the exact same body twice in a thread is rejected as duplicate."""
    store = store_with((ADA, ADA_IP, NOW, Status.SPAM, "Nice post!"))
    expected = Verdict.reject(
        "duplicates", "duplicate", "You already posted this comment in this thread."
    )
    assert expected == DuplicateDetection(store).check(candidate("Nice post!"))


@pytest.mark.parametrize(
    ("author", "thread_key", "body", "comment_id"),
    [
        (BOB, THREAD.key, "Nice post!", None),
        (ADA, "post-2", "Nice post!", None),
        (ADA, THREAD.key, "Nice post!!", None),
        (ADA, THREAD.key, "Nice post!", 1),
    ],
    ids=["other-author", "other-thread", "other-body", "recheck"],
)
def test_near_duplicates_and_rechecks_pass(
    author: Identity, thread_key: str, body: str, comment_id: int | None
) -> None:
    """Another author, thread or body is no duplicate, and a re-check never matches itself."""
    store = store_with((author, ADA_IP, NOW, Status.APPROVED, "Nice post!"), thread_key=thread_key)
    step = DuplicateDetection(store)
    assert Verdict.accept() == without_guards(step.check(candidate(body, comment_id=comment_id)))


# --------------------------------------------------------------------------- FirstTimeApproval


def test_first_comment_is_held() -> None:
    """An author with no approved comment (only a pending one) is held."""
    store = store_with((ADA, ADA_IP, NOW, Status.PENDING, "hi"))
    expected = Verdict.hold(
        "first-time", "first_comment", "A first comment waits for a moderator's approval."
    )
    assert expected == FirstTimeApproval(store).check(candidate())


def test_author_with_an_approved_comment_passes() -> None:
    """Once a moderator approved one comment, the author posts freely."""
    store = store_with((ADA, ADA_IP, NOW, Status.APPROVED, "hi"))
    assert Verdict.accept() == FirstTimeApproval(store).check(candidate())


def test_verified_identities_are_held_unless_trusted() -> None:
    """A verified newcomer is held by default and passes with trust_verified=True."""
    verified = Identity("github", "42", "Ada", verified=True)
    store = MemoryStore()
    assert (Action.HOLD, Action.ACCEPT) == (
        FirstTimeApproval(store).check(candidate(author=verified)).action,
        FirstTimeApproval(store, trust_verified=True).check(candidate(author=verified)).action,
    )


def test_moderators_are_not_held_as_first_timers() -> None:
    """A moderator's first comment is not held."""
    assert Verdict.accept() == FirstTimeApproval(MemoryStore()).check(candidate(moderator=True))


# --------------------------------------------------------------------------- AutoClose


def test_thread_is_open_exactly_at_the_deadline_and_closed_just_after() -> None:
    """AutoClose(days) accepts at created_at + days and rejects a microsecond later."""
    step = AutoClose(days=1)
    deadline = THREAD.created_at + timedelta(days=1)
    later = step.check(candidate(now=deadline + timedelta(microseconds=1)))
    expected = Verdict.reject(
        "auto-close", "thread_closed", "This thread stopped taking comments 1 day after it started."
    )
    assert (Verdict.accept(), expected) == (step.check(candidate(now=deadline)), later)


@pytest.mark.parametrize(
    "kwargs",
    [{"moderator": True}, {"comment_id": 1}],
    ids=["moderator", "recheck"],
)
def test_auto_close_skips_moderators_and_rechecks(kwargs: dict[str, object]) -> None:
    """Moderators may post to an old thread, and re-checks of old comments pass."""
    old = candidate(now=NOW + timedelta(days=400), **kwargs)  # type: ignore[arg-type]
    assert Verdict.accept() == AutoClose(30).check(old)


@pytest.mark.parametrize("days", [0, -1, float("nan"), 10**12])
def test_auto_close_refuses_impossible_days(days: float) -> None:
    """Zero, negative, NaN or astronomically many days are configuration errors."""
    with pytest.raises(ValueError, match="days must be"):
        AutoClose(days)


# --------------------------------------------------------------------------- LearnedBlocklist


def spam_comment(author: Identity, ip: str) -> Comment:
    return Comment(
        1, THREAD.key, None, 1, 0, author, "buy", "<p>buy</p>", Status.SPAM, NOW,
        context=RequestContext(ip=ip),
    )  # fmt: skip


def test_learned_blocklist_blocks_author_and_ip_after_spam_feedback() -> None:
    """After a spam decision, the same author and IP are marked as spam, with two reasons."""
    step = LearnedBlocklist(MemoryBlocklist())
    Pipeline([step]).learn(spam_comment(ADA, ADA_IP), is_spam=True)
    verdict = step.check(candidate())
    assert (Action.SPAM, ["blocked_author", "blocked_ip"]) == (verdict.action, codes(verdict))


def test_ham_feedback_unblocks() -> None:
    """A not-spam decision takes author and IP off the list again."""
    step = LearnedBlocklist(MemoryBlocklist())
    step.learn(spam_comment(ADA, ADA_IP), is_spam=True)
    step.learn(spam_comment(ADA, ADA_IP), is_spam=False)
    assert Verdict.accept() == step.check(candidate())


def test_block_ips_off_ignores_the_ip() -> None:
    """With block_ips=False, another author on a blocked IP passes."""
    step = LearnedBlocklist(MemoryBlocklist(), block_ips=False)
    step.learn(spam_comment(BOB, ADA_IP), is_spam=True)
    assert Verdict.accept() == step.check(candidate())


def test_learned_blocklist_is_a_learning_step_that_spares_moderators() -> None:
    """It satisfies LearningStep, and a blocked moderator is still let through."""
    step = LearnedBlocklist(MemoryBlocklist())
    step.learn(spam_comment(ADA, ADA_IP), is_spam=True)
    assert (True, Verdict.accept()) == (
        isinstance(step, LearningStep),
        step.check(candidate(moderator=True)),
    )


class BrokenBlocklist:
    def contains(self, kind: BlocklistKind, value: str) -> bool:
        return False

    def add(self, kind: BlocklistKind, value: str) -> None:
        raise ConnectionError("blocklist down")

    def discard(self, kind: BlocklistKind, value: str) -> None:
        raise ConnectionError("blocklist down")


def test_failing_blocklist_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """A blocklist that fails while learning logs a warning instead of raising."""
    step = LearnedBlocklist(BrokenBlocklist())
    with caplog.at_level(logging.WARNING, logger="threadkit.moderation.learning"):
        step.learn(spam_comment(ADA, ADA_IP), is_spam=True)
    assert ["could not update the blocklist for comment 1"] == caplog.messages


# --------------------------------------------------------------------------- default_pipeline


def test_default_pipeline_order() -> None:
    """The defaults: size, honeypot, bans, impersonation, flood, duplicates, links (others off)."""
    store = MemoryStore()
    expected = [
        SizeLimits(),
        Honeypot(),
        BanCheck(store),
        ImpersonationGuard(store),
        FloodControl(store),
        DuplicateDetection(store),
        LinkLimit(),
    ]
    assert expected == list(default_pipeline(store).steps)


def test_default_pipeline_slots_can_be_filled_replaced_dropped_and_extended() -> None:
    """Overrides fill off slots, replace and drop defaults in place; extra goes last."""
    store = MemoryStore()
    extra = KeywordList(hold=["late"], name="extra-words")
    pipeline = default_pipeline(
        store,
        auto_close=AutoClose(30),
        links=LinkLimit(5),
        honeypot=None,
        first_time=FirstTimeApproval(store),
        extra=[extra],
    )
    expected = [
        SizeLimits(),
        AutoClose(30),
        BanCheck(store),
        ImpersonationGuard(store),
        FloodControl(store),
        DuplicateDetection(store),
        LinkLimit(5),
        FirstTimeApproval(store),
        extra,
    ]
    assert expected == list(pipeline.steps)


def test_default_pipeline_refuses_unknown_slots() -> None:
    """A misspelt slot name is a TypeError that lists the real ones."""
    with pytest.raises(TypeError, match="unknown slot\\(s\\) flod; the slots are size_limits"):
        default_pipeline(MemoryStore(), flod=None)


def test_default_pipeline_end_to_end() -> None:
    """On a real store: a fresh comment passes, a quick repeat is rejected with retry_after."""
    store = store_with((ADA, ADA_IP, NOW - timedelta(seconds=3), Status.APPROVED, "first"))
    pipeline = default_pipeline(store)
    fresh = pipeline.check(candidate(author=BOB, ip="192.0.2.50"))
    repeat = pipeline.check(candidate("first"))
    assert (Verdict.accept(), Action.REJECT, 12.0, ["too_fast"]) == (
        without_guards(fresh),
        repeat.action,
        repeat.retry_after,
        codes(repeat),
    )


# --------------------------------------------------------------------------- robustness

texts = st.text(st.characters(categories=["Cs"]) | st.characters(), max_size=200)


@given(body=texts, name=texts, url=texts, ip=texts, honeypot=texts)
def test_text_steps_judge_any_input_without_error(
    body: str, name: str, url: str, ip: str, honeypot: str
) -> None:
    """Steps that read text give a verdict for any input, lone surrogates included."""
    author = Identity("anonymous", "b", name, email=name, url=url)
    subject = candidate(body, author=author, ip=ip, honeypot=honeypot)
    steps: list[ModerationStep] = [
        SizeLimits(),
        LinkLimit(),
        KeywordList(hold=["casino"], spam=[body[:3] or "x"]),
        Honeypot(),
    ]
    actions = [step.check(subject).action for step in steps]
    assert len(steps) == sum(isinstance(action, Action) for action in actions)
