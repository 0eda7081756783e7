"""Emails in the recipient's language: replies in the commenter's, moderation in the site's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from threadkit_notify import (
    EmailNotifier,
    Links,
    ModeratorEmailNotifier,
    ReplyEmailNotifier,
    SmtpMailer,
)

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.models import EventKind, Identity, RequestContext, Submission
from threadkit.moderation import KeywordList, Pipeline
from threadkit.signing import TokenSigner

START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
SENDER = "Blog <comments@blog.example>"
ANNA = Identity("anonymous", "anna", "Anna", "anna@example.pl")
BEN = Identity("anonymous", "ben", "Ben", "ben@example.org")
NEVER_USED = SmtpMailer("127.0.0.1", 9)  # compose() only writes the email; nothing is sent


def _emails(
    make: Callable[[MemoryStore, Links], EmailNotifier], *, days: int = 7, accept: str = ""
) -> list[EmailMessage]:
    """Anna comments (Accept-Language ``accept``), Ben replies and posts a held comment."""
    clock = ManualClock(START)
    store = MemoryStore()
    links = Links(TokenSigner("test"), "https://blog.example/c", moderate_ttl=timedelta(days=days))
    notifier = make(store, links)
    hold = Pipeline([KeywordList(hold=["casino"])])
    engine = CommentEngine(store, clock=clock, notifiers=[notifier], pipeline=hold)
    anna = RequestContext("203.0.113.5", language=accept)
    ben = RequestContext("198.51.100.2")
    first = Submission("Dobry", notify_replies=True)
    parent = engine.post("chleb", first, ANNA, anna, title="Chleb", url="https://blog.example/chleb/")
    engine.post("chleb", Submission("Thanks", parent.id), BEN, ben)
    engine.post("chleb", Submission("casino"), BEN, ben)
    queued = store.claim_outbox(now=START + timedelta(days=1), limit=10, lease_seconds=1)
    composed = [notifier.compose(m, store.get_comment(m.comment_id)) for m in queued]
    return [email for email in composed if email is not None]


def _plain(email: EmailMessage) -> str:
    part = email.get_body(("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


def _replies(site_language: str = "en") -> Callable[[MemoryStore, Links], EmailNotifier]:
    def make(store: MemoryStore, links: Links) -> EmailNotifier:
        return ReplyEmailNotifier(NEVER_USED, store, links, sender=SENDER, language=site_language)

    return make


def _moderators(site_language: str) -> Callable[[MemoryStore, Links], EmailNotifier]:
    def make(store: MemoryStore, links: Links) -> EmailNotifier:
        return ModeratorEmailNotifier(
            NEVER_USED,
            store,
            links,
            sender=SENDER,
            moderators=["mod@blog.example"],
            kinds={EventKind.HELD},
            language=site_language,
        )

    return make


def test_reply_email_is_in_the_language_the_commenter_browsed_in() -> None:
    """Anna posted with Accept-Language pl: the reply email's subject and body are Polish."""
    [email] = _emails(_replies(), accept="pl-PL, en;q=0.5")
    body = _plain(email)
    html = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert ["Nowa odpowiedź na Twój komentarz do „Chleb”", "Witaj Anna,", True, True, True] == [
        email["Subject"],
        body.splitlines()[0],
        "<p>Ben odpowiada na Twój komentarz do „Chleb”:</p>" in html,
        "Przeczytaj rozmowę: https://blog.example/chleb/#comment-" in body,
        "Wypisz się z tych e-maili: " in body,
    ]


def test_reply_email_falls_back_to_the_site_language() -> None:
    """A commenter whose browser asked for no shipped language gets the site's (German)."""
    [email] = _emails(_replies("de"), accept="sv-SE")
    assert "Neue Antwort auf Ihren Kommentar zu „Chleb“" == email["Subject"]


def test_moderator_email_uses_the_site_language_and_its_plural_forms() -> None:
    """Polish moderators read "1 dzień", "2 dni", "5 dni"; the reason is a Polish sentence."""
    endings = {}
    for days in (1, 2, 5):
        [email] = _emails(_moderators("pl"), days=days)
        endings[days] = _plain(email).rstrip().splitlines()[-1]
    [held] = _emails(_moderators("pl"))
    assert [
        "Do moderacji: „Chleb”",
        True,
        "Te linki działają przez 1 dzień.",
        "Te linki działają przez 2 dni.",
        "Te linki działają przez 5 dni.",
    ] == [
        held["Subject"],
        "- Zawiera słowo z listy wstrzymań strony. (keywords: hold_keyword)" in _plain(held),
        endings[1],
        endings[2],
        endings[5],
    ]
