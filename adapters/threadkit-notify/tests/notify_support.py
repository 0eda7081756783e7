"""What the email notifier tests share: a clock start, a signer, a sender, a holding step."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from threadkit.models import Candidate, Identity, Verdict
from threadkit.signing import TokenSigner

START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
SIGNER = TokenSigner("test-secret")
BASE = "https://blog.example/comments"
SENDER = "Blög Comments <comments@blog.example>"
ZOE = Identity("anonymous", "zoe", "Zoë 🙂", "zoe@example.org")


class HoldMarked:
    """Holds comments containing 'hold me' (a stand-in for any moderation step)."""

    name = "first-time"

    def check(self, candidate: Candidate) -> Verdict:
        if "hold me" in candidate.body:
            return Verdict.hold(self.name, "first_comment", "First comment from this author.")
        return Verdict.accept()


def text_of(message: EmailMessage) -> str:
    """The plain-text body, with SMTP's CRLF line ends read as newlines."""
    part = message.get_body(("plain",))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")
