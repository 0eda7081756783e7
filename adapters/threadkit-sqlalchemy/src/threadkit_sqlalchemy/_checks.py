"""Refuse, before the database sees it, text a column would not store byte-exact."""

from __future__ import annotations

from threadkit.errors import ValidationError


def _text(value: str, field: str, max_bytes: int) -> None:
    """Refuse text the database would not store byte-exact: too long, NUL, lone surrogates."""
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValidationError(
            "invalid_text", f"{field} is not valid Unicode text.", field=field
        ) from None
    if size > max_bytes:
        raise ValidationError(
            "too_long",
            f"{field} is {size} bytes long; the limit is {max_bytes} bytes (UTF-8).",
            field=field,
        )
    if "\x00" in value:
        raise ValidationError("invalid_text", f"{field} contains a NUL character.", field=field)


def _chars(value: str, field: str, max_chars: int) -> None:
    """Refuse an indexed string longer than its column (``max_chars`` characters)."""
    if len(value) > max_chars:
        raise ValidationError(
            "too_long",
            f"{field} is {len(value)} characters long; the limit is {max_chars}.",
            field=field,
        )
    _text(value, field, 4 * max_chars)
