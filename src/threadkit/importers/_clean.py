"""Cleaning one exported comment into a draft: author, context, body; every fix noted."""

from __future__ import annotations

import hashlib
import ipaddress
import unicodedata
from collections.abc import Callable

import attrs

from threadkit.errors import ValidationError
from threadkit.models import DELETED_AUTHOR, Identity, NewComment, RequestContext, Status
from threadkit.text import clean_email, clean_name, clean_url, is_refused_character

from ._model import ExportComment


def _strip_controls(text: str) -> str:
    """Drop the characters ``clean_name`` refuses (controls, bidi and TAG characters)."""
    return "".join(
        " " if char in "\t\n\r" else char
        for char in text
        if char in "\t\n\r" or not is_refused_character(char)
    )


def _subject(comment: ExportComment, email: str | None, name: str) -> str:
    """Derive a stable, non-reversible subject: old account, else email, else name."""
    if comment.account:
        basis = "a:" + comment.account
    elif email:
        basis = "e:" + email.lower()
    else:
        basis = "n:" + name
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


@attrs.define
class _Cleaner:
    """Turns exported comments into drafts, noting every fix in ``warnings``."""

    provider: str
    html: Callable[[str], str]
    anonymous_name: str
    warnings: list[str] = attrs.field(factory=list)

    def author(self, comment: ExportComment) -> Identity:
        """Return the unverified identity of an imported comment's author."""
        where = f"comment {comment.source_id}"
        try:
            name = clean_name(comment.author_name)
        except ValidationError:
            text = unicodedata.normalize("NFC", _strip_controls(comment.author_name))
            name = " ".join(text.split())[:100].strip()
            if not name:
                name = self.anonymous_name
            elif comment.author_name.strip():
                self.warnings.append(f"{where}: author name cleaned to {name!r}")
        email = self._optional(clean_email, comment.author_email, f"{where}: email")
        url = self._optional(clean_url, comment.author_url, f"{where}: website")
        return Identity(self.provider, _subject(comment, email, name), name, email=email, url=url)

    def _optional(self, clean: Callable[[str], str], value: str, what: str) -> str | None:
        """Return ``clean(value)``: ``None`` if blank, dropped with a warning if invalid."""
        if not value.strip():
            return None
        try:
            return clean(value)
        except ValidationError as error:
            self.warnings.append(f"{what} {value!r} dropped ({error.code})")
            return None

    def context(self, comment: ExportComment) -> RequestContext:
        """Return the private request data kept with the comment (IP, user agent)."""
        ip = comment.ip.strip()
        if ip:
            try:
                ip = ipaddress.ip_address(ip).compressed
            except ValueError:
                self.warnings.append(f"comment {comment.source_id}: IP {ip!r} dropped")
                ip = ""
        agent = _strip_controls(comment.user_agent).strip()[:500]
        return RequestContext(ip=ip, user_agent=agent)

    def draft(self, comment: ExportComment, thread_key: str, placeholder: bool) -> NewComment:
        """Return the ``NewComment`` for ``comment`` (its parent is set when written)."""
        if placeholder:
            return NewComment(
                thread_key, None, DELETED_AUTHOR, "", "", Status.DELETED, comment.created_at
            )
        return NewComment(
            thread_key,
            None,
            self.author(comment),
            comment.body,
            self.html(comment.body),
            comment.status,
            comment.created_at,
            context=self.context(comment),
        )
