"""Why a comment was held or marked as spam, as a sentence a moderator reads.

Moderation steps record a stable ``code`` (``hold_keyword``) and an English
message; the moderation pages show the sentence below for the code, translated
into the moderator's language, and fall back to the step's own message for a
code threadkit does not know (a host's own step). Framework-neutral: the caller
passes its ``gettext``.
"""

from __future__ import annotations

from collections.abc import Callable

from threadkit.models import Reason
from threadkit_web.i18n import N_

__all__ = ["REASON_SENTENCES", "reason_sentence"]

REASON_SENTENCES: dict[str, str] = {
    "hold_keyword": N_("It contains a word on the site's hold list."),
    "spam_keyword": N_("It contains a word on the site's spam list."),
    "too_many_links": N_("It has more links than the site allows."),
    "first_comment": N_("It is the author's first comment: first comments wait for approval."),
    "held_by_site": N_("This site reviews every comment first."),
    "blocked_author": N_("Its author was marked as a spammer before."),
    "blocked_ip": N_("It came from an address marked as a spammer's."),
    "shadow_banned": N_("Its author is shadow-banned."),
    "honeypot_filled": N_("A hidden field that only robots fill in was filled in."),
    "duplicate": N_("The same comment was just posted."),
    "shouting": N_("It is written all in capitals."),
    "name_confusable": N_("The name looks like someone else's."),
    "name_reserved": N_("The name is reserved for the site's people."),
    "akismet_spam": N_("Akismet says this is spam."),
    "akismet_discard": N_("Akismet says this is blatant spam."),
    "akismet_unavailable": N_("Akismet could not be asked: please check it yourself."),
    "akismet_recheck": N_("Akismet asks to check it again later."),
}
"""Each known moderation reason code, with the sentence shown for it (English source)."""


def reason_sentence(reason: Reason, gettext: Callable[[str], str]) -> str:
    """Return ``reason`` as a sentence, translated by ``gettext``; a step's own message otherwise.

    >>> reason_sentence(Reason("keywords", "hold_keyword", "held for review"), str)
    "It contains a word on the site's hold list."
    """
    source = REASON_SENTENCES.get(reason.code)
    return reason.message if source is None else gettext(source)
