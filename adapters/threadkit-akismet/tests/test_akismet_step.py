from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
import threadkit_akismet
from fake_akismet import GUARANTEED_SPAM, FakeAkismet
from threadkit_akismet import (
    CODE_DISCARD,
    CODE_RECHECK,
    CODE_SPAM,
    CODE_UNAVAILABLE,
    AkismetConfigurationError,
    AkismetStep,
    PrivacyNotice,
)

from threadkit import __version__
from threadkit.models import (
    Action,
    Candidate,
    Comment,
    Identity,
    Reason,
    RequestContext,
    Status,
    Thread,
    Verdict,
)

BLOG = "https://blog.example"
NOW = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
THREAD = Thread("post-1", NOW - timedelta(days=3), "Hello", "https://blog.example/hello/")
HOUR = timedelta(hours=1)
ZOE = Identity("anonymous", "b1", "Zoë 🙂", "zoe@example.org", "https://zoe.example")
CONTEXT = RequestContext("203.0.113.9", "Mozilla/5.0 (X11)", "https://blog.example/", "fr")


def candidate(**changes: Any) -> Candidate:
    base = Candidate(thread=THREAD, author=ZOE, body="Très bien écrit ✨", context=CONTEXT, now=NOW)
    return attrs.evolve(base, **changes)


@pytest.fixture
def fake() -> Iterator[FakeAkismet]:
    with FakeAkismet() as server:
        yield server


def make_step(fake: FakeAkismet, **options: object) -> AkismetStep:
    settings: dict[str, object] = {"endpoint": fake.endpoint, "timeout": 2.0}
    settings.update(options)
    return AkismetStep("test-key", BLOG, **settings)  # type: ignore[arg-type]


def zoe_reply_form(**fields: str) -> dict[str, str]:
    """The form Akismet gets about Zoë's reply from CONTEXT in test mode, plus ``fields``."""
    return {
        "api_key": "test-key",
        "blog": BLOG,
        "user_ip": "203.0.113.9",
        "user_agent": "Mozilla/5.0 (X11)",
        "referrer": "https://blog.example/",
        "permalink": "https://blog.example/hello/",
        "comment_type": "reply",
        "comment_author": "Zoë 🙂",
        "comment_author_email": "zoe@example.org",
        "comment_author_url": "https://zoe.example",
        "comment_post_modified_gmt": "2026-05-01T03:02:01Z",
        "blog_charset": "UTF-8",
        "is_test": "1",
        **fields,
    }


def reason_codes(verdict: Verdict) -> list[str]:
    return [r.code for r in verdict.reasons]


# ---------------------------------------------------------------- verify-key


def test_verifies_key_at_start_up(fake: FakeAkismet) -> None:
    """Building the step sends verify-key with the key and the blog URL."""
    make_step(fake)
    expected = [{"api_key": "test-key", "blog": BLOG}]
    assert expected == fake.calls("verify-key")


def test_invalid_key_is_a_configuration_error(fake: FakeAkismet) -> None:
    """A key Akismet calls invalid stops start-up with a clear message and Akismet's help."""
    with pytest.raises(AkismetConfigurationError) as caught:
        AkismetStep("wrong-key", BLOG, endpoint=fake.endpoint)
    expected = (
        "Akismet refused the API key for https://blog.example: We were unable to verify your "
        "key. Check the key (akismet.com account) and the blog URL it is registered for."
    )
    assert expected == str(caught.value)


def test_blog_must_be_a_full_url() -> None:
    """A blog that is not an http(s) URL is refused before any call."""
    with pytest.raises(AkismetConfigurationError, match="full front page URL"):
        AkismetStep("test-key", "blog.example", verify=False)


def test_outage_at_start_up_only_warns(fake: FakeAkismet, caplog: pytest.LogCaptureFixture) -> None:
    """An unreachable Akismet at start-up must not stop the site from booting."""
    fake.fault = "500"
    with caplog.at_level(logging.WARNING, "threadkit_akismet"):
        make_step(fake)
    expected = [
        "could not verify the Akismet key at start-up: Akismet verify-key answered HTTP 500"
    ]
    assert expected == [r.getMessage() for r in caplog.records]


# ---------------------------------------------------------------- comment-check fields


def test_sends_every_field_for_a_reply(fake: FakeAkismet) -> None:
    """comment-check carries every field threadkit knows, exactly, UTF-8 intact."""
    step = make_step(fake, blog_lang="en, fr_ca", is_test=True, honeypot_field_name="website2")
    parent = Comment(
        1, "post-1", None, 1, 0, ZOE, "first", "<p>first</p>", Status.APPROVED, NOW
    )
    step.check(candidate(parent=parent, honeypot=""))
    expected = [
        zoe_reply_form(
            comment_content="Très bien écrit ✨",
            comment_date_gmt="2026-05-04T03:02:01Z",
            blog_lang="en, fr_ca",
            honeypot_field_name="website2",
            website2="",
        )
    ]
    assert expected == fake.calls("comment-check")


def test_minimal_top_level_comment_fields(fake: FakeAkismet) -> None:
    """A top-level comment is 'comment'; empty optional fields are left out, user_ip is not."""
    step = make_step(fake, post_modified_at=lambda thread: None)
    anonymous = Identity("anonymous", "b2", "Anon")
    step.check(candidate(author=anonymous, context=RequestContext(), body="hi"))
    expected = [
        {
            "api_key": "test-key",
            "blog": BLOG,
            "user_ip": "",
            "permalink": "https://blog.example/hello/",
            "comment_type": "comment",
            "comment_author": "Anon",
            "comment_content": "hi",
            "comment_date_gmt": "2026-05-04T03:02:01Z",
            "blog_charset": "UTF-8",
        }
    ]
    assert expected == fake.calls("comment-check")


def test_moderator_is_sent_as_administrator_and_is_ham(fake: FakeAkismet) -> None:
    """A moderator posting sends user_role=administrator, which Akismet never calls spam."""
    step = make_step(fake)
    spammy = Identity("site", "m1", GUARANTEED_SPAM)
    verdict = step.check(candidate(author=spammy, moderator=True))
    expected = (Verdict.accept(), "administrator")
    assert expected == (verdict, fake.calls("comment-check")[0].get("user_role"))


def test_user_agent_names_threadkit(fake: FakeAkismet) -> None:
    """Requests identify the client as Akismet asks ('Application/Version | Plugin/Version')."""
    make_step(fake)
    expected = f"threadkit/{__version__} | threadkit-akismet/{__version__}"
    assert expected == fake.requests[0].headers["user-agent"]


def test_edit_sends_recheck_reason(fake: FakeAkismet) -> None:
    """Checking an existing comment again (an edit) says why with recheck_reason=edit."""
    make_step(fake).check(candidate(comment_id=7))
    expected = "edit"
    assert expected == fake.calls("comment-check")[0]["recheck_reason"]


# ---------------------------------------------------------------- verdicts


def test_ham_is_accepted(fake: FakeAkismet) -> None:
    """Body 'false' lets the comment through with no reason."""
    expected = Verdict.accept()
    assert expected == make_step(fake).check(candidate())


def test_guaranteed_spam_author_is_spam(fake: FakeAkismet) -> None:
    """Body 'true' stores the comment as spam with Akismet's reason."""
    verdict = make_step(fake).check(candidate(author=Identity("a", "b", GUARANTEED_SPAM)))
    expected = Verdict.spam("akismet", CODE_SPAM, "Akismet says this is spam.")
    assert expected == verdict


def test_filled_honeypot_is_sent_and_caught(fake: FakeAkismet) -> None:
    """The honeypot value travels under its field name, so Akismet can use it."""
    step = make_step(fake, honeypot_field_name="website2")
    verdict = step.check(candidate(honeypot="http://cheap.example"))
    expected = (Action.SPAM, "http://cheap.example")
    assert expected == (verdict.action, fake.calls("comment-check")[0]["website2"])


def test_discard_pro_tip_is_stored_as_spam_by_default(fake: FakeAkismet) -> None:
    """X-akismet-pro-tip: discard marks blatant spam, stored as spam (never shown)."""
    fake.discard = True
    verdict = make_step(fake).check(candidate(author=Identity("a", "b", GUARANTEED_SPAM)))
    expected = Verdict.spam("akismet", CODE_DISCARD, "Akismet says this is blatant spam.")
    assert expected == verdict


def test_discard_pro_tip_can_reject(fake: FakeAkismet) -> None:
    """With discard='reject' blatant spam is refused outright and nothing is stored."""
    fake.discard = True
    step = make_step(fake, discard="reject")
    verdict = step.check(candidate(author=Identity("a", "b", GUARANTEED_SPAM)))
    expected = Verdict.reject("akismet", CODE_DISCARD, "Akismet says this is blatant spam.")
    assert expected == verdict


def test_recheck_after_holds_for_a_later_check(fake: FakeAkismet) -> None:
    """X-akismet-recheck-after keeps the comment pending with a reason re-checks look for."""
    fake.recheck_after = "300"
    verdict = make_step(fake).check(candidate())
    expected = Verdict.hold("akismet", CODE_RECHECK, "Akismet asked to check again in 300 seconds.")
    assert expected == verdict


# ---------------------------------------------------------------- failing safe


def test_timeout_holds(fake: FakeAkismet) -> None:
    """A slow Akismet (past the timeout) holds the comment for review instead of publishing."""
    step = make_step(fake, timeout=0.2)
    fake.fault = "slow"
    verdict = step.check(candidate())
    expected = (Action.HOLD, [CODE_UNAVAILABLE], True)
    assert expected == (
        verdict.action,
        reason_codes(verdict),
        "failed: TimeoutError" in verdict.reasons[0].message,
    )


def test_default_timeout_is_two_seconds() -> None:
    """The documented default wait for Akismet is 2 seconds."""
    expected = 2.0
    assert expected == AkismetStep("k", BLOG, verify=False).client.timeout


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            "500",
            "Not checked for spam (Akismet comment-check answered HTTP 500); "
            "held until Akismet can check it.",
        ),
        (
            "garbage",
            "Not checked for spam (Akismet gave an unexpected answer "
            "'<html><body>Bad gateway</body></html>'); held until Akismet can check it.",
        ),
        (
            "error_header",
            "Not checked for spam (Akismet reported an error: Your site key is suspended.); "
            "held until Akismet can check it.",
        ),
    ],
)
def test_faults_hold_with_reason(fake: FakeAkismet, fault: str, message: str) -> None:
    """A 5xx, a garbage body or an X-akismet-error header (even with 'false') holds."""
    step = make_step(fake)
    fake.fault = fault
    expected = Verdict.hold("akismet", CODE_UNAVAILABLE, message)
    assert expected == step.check(candidate())


def test_invalid_answer_holds_with_debug_help(fake: FakeAkismet) -> None:
    """Body 'invalid' (a key revoked after start-up) holds, quoting X-akismet-debug-help."""
    step = AkismetStep("revoked", BLOG, endpoint=fake.endpoint, verify=False)
    expected = Verdict.hold(
        "akismet",
        CODE_UNAVAILABLE,
        "Not checked for spam (Akismet refused the request as invalid: Invalid API key.); "
        "held until Akismet can check it.",
    )
    assert expected == step.check(candidate())


def test_connection_refused_holds() -> None:
    """Nothing listening at all is an outage like any other: hold."""
    with FakeAkismet() as gone:
        endpoint = gone.endpoint
    step = AkismetStep("test-key", BLOG, endpoint=endpoint, verify=False)
    expected = [CODE_UNAVAILABLE]
    assert expected == reason_codes(step.check(candidate()))


# ---------------------------------------------------------------- learning


class Threads:
    def get_thread(self, key: str) -> Thread | None:
        return THREAD if key == THREAD.key else None


def stored(**changes: Any) -> Comment:
    # Comment(id, thread, parent, root, depth, author, source, html, status, created_at)
    base = Comment(
        5, "post-1", 2, 2, 1, ZOE, "Buy now", "<p>Buy now</p>", Status.SPAM, NOW - HOUR,
        context=CONTEXT,
    )
    return attrs.evolve(base, **changes)


def test_learn_spam_submits_spam_with_stored_context(fake: FakeAkismet) -> None:
    """A moderator's 'spam' sends submit-spam with the comment's own ip, agent and referrer."""
    step = make_step(fake, store=Threads(), is_test=True)
    step.learn(stored(), is_spam=True)
    expected = [zoe_reply_form(comment_content="Buy now", comment_date_gmt="2026-05-04T02:02:01Z")]
    assert expected == fake.calls("submit-spam")


def test_learn_ham_after_akismet_said_spam(fake: FakeAkismet) -> None:
    """Approving what Akismet called spam sends submit-ham (a false positive)."""
    step = make_step(fake)
    flagged = stored(reasons=(Reason("akismet", CODE_SPAM, "Akismet says this is spam."),))
    step.learn(flagged, is_spam=False)
    expected = ["verify-key", "submit-ham"]
    assert expected == [r.method for r in fake.calls_made]


def test_learn_ham_without_akismet_spam_sends_nothing(fake: FakeAkismet) -> None:
    """Approving a comment Akismet never called spam is no correction: nothing is sent."""
    step = make_step(fake)
    other = stored(reasons=(Reason("keywords", "spam_word", "Spam word."),))
    step.learn(other, is_spam=False)
    expected = ["verify-key"]
    assert expected == [r.method for r in fake.calls_made]


def test_learn_never_raises_on_outage(fake: FakeAkismet, caplog: pytest.LogCaptureFixture) -> None:
    """Feedback that cannot be delivered is logged; the moderator's decision stands."""
    step = make_step(fake)
    fake.fault = "500"
    with caplog.at_level(logging.WARNING, "threadkit_akismet"):
        step.learn(stored(), is_spam=True)
    expected = ["Akismet submit-spam for comment 5 failed: Akismet submit-spam answered HTTP 500"]
    assert expected == [r.getMessage() for r in caplog.records]


# ---------------------------------------------------------------- privacy notice


def test_privacy_notice_constants() -> None:
    """The privacy line's text and link are exposed for templates."""
    expected = (
        "This site uses Akismet to reduce spam.",
        "Learn how your comment data is processed.",
        "https://akismet.com/privacy/",
    )
    notice = threadkit_akismet
    assert expected == (notice.PRIVACY_NOTICE, notice.PRIVACY_LINK_TEXT, notice.PRIVACY_URL)


def test_privacy_notice_on_the_step_is_configurable_and_escaped() -> None:
    """A site can set its own wording and link; html() escapes both."""
    notice = PrivacyNotice("Akismet filtre le spam <ici>.", "En savoir plus", "https://x.example/?a=1&b=2")
    step = AkismetStep("k", BLOG, verify=False, privacy_notice=notice)
    expected = (
        'Akismet filtre le spam &lt;ici&gt;. <a href="https://x.example/?a=1&amp;b=2" '
        'rel="noopener" target="_blank">En savoir plus</a>'
    )
    assert expected == step.privacy_notice.html()
