"""Parsing untrusted input (request bodies, query values) into threadkit values.

Every function here raises :class:`~threadkit.errors.ValidationError` and
nothing else for bad input, whatever the input is: ``code`` says what is wrong
for programs, ``field`` names the input at fault and ``message`` tells a person
what to fix. Messages never echo a whole input value back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Literal

from threadkit.codes import CODES
from threadkit.errors import ValidationError
from threadkit.models import SortOrder, Submission

__all__ = [
    "MAX_CURSOR_LENGTH",
    "MAX_ID",
    "MAX_NESTING",
    "ROOT",
    "parse_cursor",
    "parse_form_submission",
    "parse_id",
    "parse_json_object",
    "parse_sort",
    "parse_submission",
    "parse_vote",
]

#: ``field`` of an error about a request body as a whole (a JSON path root).
ROOT = "$"
#: Deepest nesting of arrays and objects a request body may have.
MAX_NESTING = 32
#: Largest comment id (the largest signed 64-bit integer, what SQL stores hold).
MAX_ID = 2**63 - 1
#: Longest cursor accepted; stores make much shorter ones.
MAX_CURSOR_LENGTH = 512

# NUL breaks C strings and PostgreSQL text; lone surrogates cannot be encoded as UTF-8.
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_CURSOR = re.compile(r"[\x20-\x7e]+")
_DIGITS = re.compile(r"[0-9]{1,19}")
_FORM_TRUE = frozenset({"1", "on", "true", "yes"})
_FORM_FALSE = frozenset({"", "0", "off", "false", "no"})
_VOTES: dict[str, Literal[-1, 0, 1]] = {
    "up": 1,
    "down": -1,
    "none": 0,
    "1": 1,
    "+1": 1,
    "-1": -1,
    "0": 0,
}


def kind(value: object) -> str:
    """Name the JSON kind of ``value`` for a message ("a string", "null", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _snippet(text: str, limit: int = 40) -> str:
    """Quote the start of ``text`` for a message, never the whole of a long string."""
    return repr(text[:limit] + "..." if len(text) > limit else text)


# ---------------------------------------------------------------- JSON bodies


class _Duplicate:
    """Stands in for a JSON object that repeats a key, so the walk can say where."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, object]]) -> object:
    """Build a decoded object, or a ``_Duplicate`` marker if a key repeats."""
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return _Duplicate(key)
        seen.add(key)
    raise AssertionError("unreachable: a shorter dict means a repeated key")  # pragma: no cover


def _constant(name: str) -> object:
    """Refuse ``NaN`` and ``Infinity``, which Python's json accepts but JSON has not."""
    raise ValidationError(
        "invalid_json",
        f"The request body is not valid JSON: {name} is not a JSON number.",
        field=ROOT,
    )


def _float(text: str) -> float:
    """Decode a JSON number with a fraction or exponent, refusing ones too large for a float."""
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValidationError(
            "number_too_large",
            "The request body holds a number too large to use; send a smaller one.",
            field=ROOT,
        )
    return number


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)


def _key_path(path: str, key: str) -> str:
    """Extend a JSON path by an object key."""
    if key.isidentifier() and key.isascii():
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _check_tree(value: object) -> None:
    """Walk decoded JSON without recursion: nesting, repeated keys, bad characters."""
    stack: list[tuple[object, str, int]] = [(value, ROOT, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            if _BAD_CHARACTER.search(item):
                raise ValidationError(
                    "invalid_character",
                    f"The text at {path} contains a NUL character or a lone UTF-16"
                    " surrogate; remove it.",
                    field=path,
                )
        elif isinstance(item, _Duplicate):
            raise ValidationError(
                "duplicate_key",
                f"The object at {path} has the key {_snippet(item.key)} more than once;"
                " send each key once.",
                field=path,
            )
        elif isinstance(item, dict | list):
            if depth >= MAX_NESTING:
                raise ValidationError(
                    "too_deep",
                    f"The request body nests arrays and objects more than {MAX_NESTING} deep.",
                    field=path,
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    key_path = _key_path(path, key)
                    if _BAD_CHARACTER.search(key):
                        raise ValidationError(
                            "invalid_character",
                            f"A key in the object at {path} contains a NUL character or a"
                            " lone UTF-16 surrogate; remove it.",
                            field=path,
                        )
                    stack.append((child, key_path, depth + 1))
            else:
                stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))


def parse_json_object(raw: bytes) -> dict[str, object]:
    """Decode a request body that must be one JSON object.

    Refused, each with its own ``code`` (``field`` is a JSON path, ``"$"`` for
    the whole body): a body that is not UTF-8 (``invalid_utf8``), holds a NUL
    byte (``nul_byte``) or is not JSON (``invalid_json``, also for ``NaN`` and
    ``Infinity``); a top level that is not an object (``not_object``);
    nesting deeper than ``MAX_NESTING`` (``too_deep``); an object with a key
    twice (``duplicate_key``); text with a NUL character or a lone surrogate,
    even escaped (``invalid_character``); numbers too large to use
    (``number_too_large``).

    >>> parse_json_object(b'{"body": "Hi", "parent_id": null}')
    {'body': 'Hi', 'parent_id': None}
    >>> parse_json_object(b'[1]')
    Traceback (most recent call last):
    ...
    threadkit.errors.ValidationError: The request body must be a JSON object ({...}), not an array.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise ValidationError(
            "invalid_json", f"The request body must be bytes, not {kind(raw)}.", field=ROOT
        )
    data = bytes(raw)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ValidationError(
            "nul_byte", f"The request body has a NUL byte at offset {nul}; remove it.", field=ROOT
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "invalid_utf8",
            f"The request body is not valid UTF-8 (at byte {exc.start}); send UTF-8 JSON.",
            field=ROOT,
        ) from None
    if text.startswith("\ufeff"):
        raise ValidationError(
            "invalid_json",
            "The request body starts with a byte order mark (U+FEFF); send JSON without it.",
            field=ROOT,
        )
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            "invalid_json",
            f"The request body is not valid JSON: {exc.msg} at line {exc.lineno}"
            f" column {exc.colno}.",
            field=ROOT,
        ) from None
    except RecursionError:
        raise ValidationError(
            "too_deep",
            f"The request body nests arrays and objects more than {MAX_NESTING} deep.",
            field=ROOT,
        ) from None
    except ValueError:  # an integer with more digits than Python converts
        raise ValidationError(
            "number_too_large",
            "The request body holds a number too large to use; send a smaller one.",
            field=ROOT,
        ) from None
    if not isinstance(value, dict | _Duplicate):
        raise ValidationError(
            "not_object",
            f"The request body must be a JSON object ({{...}}), not {kind(value)}.",
            field=ROOT,
        )
    _check_tree(value)
    assert isinstance(value, dict)  # _check_tree refuses a _Duplicate
    return value


# ---------------------------------------------------------------- values


def parse_id(value: object, *, field: str = "id") -> int:
    """Parse a comment id from decoded JSON: an integer from 1 to ``MAX_ID``.

    ``true``, ``1.0`` and ``"1"`` are refused: JSON clients send numbers.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            "wrong_type",
            f'"{field}" must be a comment id (an integer), not {kind(value)}.',
            field=field,
        )
    if not 1 <= value <= MAX_ID:
        raise ValidationError(
            "out_of_range",
            f'"{field}" must be a comment id, a whole number from 1 to {MAX_ID}.',
            field=field,
        )
    return value


def parse_sort(value: object, *, field: str = "sort") -> SortOrder | None:
    """Parse a sort order (``"oldest"``, ``"newest"``, ``"top"``); ``None`` or ``""`` mean default.

    >>> parse_sort("newest")
    <SortOrder.NEWEST: 'newest'>
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        for order in SortOrder:
            if order.value == value:
                return order
        shown = f"{_snippet(value)} is not one"
    else:
        shown = f"not {kind(value)}"
    choices = ", ".join(f'"{order.value}"' for order in SortOrder)
    raise ValidationError(
        "invalid_sort", f'"{field}" must be one of {choices}; {shown}.', field=field
    )


def parse_cursor(value: object, *, field: str = "cursor") -> str | None:
    """Check a page cursor handed back by a client; ``None`` or ``""`` mean the first page.

    Cursors are opaque strings made by the store; this only refuses what no
    store makes: non-strings, text outside printable ASCII, or more than
    ``MAX_CURSOR_LENGTH`` characters.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(
            "invalid_cursor",
            f'"{field}" must be the cursor string from the previous page, not {kind(value)}.',
            field=field,
        )
    if len(value) > MAX_CURSOR_LENGTH or not _CURSOR.fullmatch(value):
        raise ValidationError(
            "invalid_cursor",
            f'"{field}" is not a cursor this server made; pass next_cursor back unchanged.',
            field=field,
        )
    return value


def parse_vote(value: object, *, field: str = "value") -> Literal[-1, 0, 1]:
    """Parse a vote: ``1``, ``-1`` or ``0`` (withdraw), or ``"up"``, ``"down"``, ``"none"``.

    >>> parse_vote("down")
    -1
    """
    if isinstance(value, str) and value in _VOTES:
        return _VOTES[value]
    if type(value) is int and -1 <= value <= 1:  # not a bool: True is not a vote
        return _VOTES[str(value)]
    raise ValidationError(
        "invalid_vote",
        f'"{field}" must be 1 (up), -1 (down) or 0 (withdraw the vote); got {kind(value)}.',
        field=field,
    )


def _text(value: object, field: str, what: str) -> str:
    """Check one text field: a string without NUL or lone surrogates."""
    if not isinstance(value, str):
        raise ValidationError(
            "wrong_type", f'"{field}" must be {what} (a string), not {kind(value)}.', field=field
        )
    if _BAD_CHARACTER.search(value):
        raise ValidationError(
            "invalid_character",
            f'"{field}" contains a NUL character or a lone UTF-16 surrogate; remove it.',
            field=field,
        )
    return value


def _body(value: object) -> str:
    """Check the comment text: present, a string, not blank."""
    body = _text(value, "body", "the comment text")
    if not body.strip():
        raise ValidationError("empty_body", CODES["empty_body"].message, field="body")
    return body


_MISSING = object()


def parse_submission(data: object) -> Submission:
    """Parse a comment submission from decoded JSON (see ``parse_json_object``).

    ``{"body": str, "parent_id": int | null, "notify_replies": bool,
    "notify_thread": bool, "honeypot": str}``; only ``body`` is required and
    unknown keys are ignored (the identity provider reads its own, such as ``name`` or ``email``); a
    ``null`` ``honeypot`` counts as empty.
    ``parent_id`` must be a JSON integer: ``true``, ``1.0`` and ``"1"`` are
    refused. Errors name the key at fault in ``field``.

    >>> parse_submission({"body": "Thanks!", "parent_id": 7})
    Submission(body='Thanks!', parent_id=7, honeypot='', notify_replies=False, notify_thread=False)
    """
    if not isinstance(data, Mapping):
        raise ValidationError(
            "not_object",
            f'A comment must be a JSON object with a "body" string, not {kind(data)}.',
            field=ROOT,
        )
    body = data.get("body", _MISSING)
    if body is _MISSING:
        raise ValidationError("required", 'The comment text is missing: send "body".', field="body")
    text = _body(body)
    parent = data.get("parent_id")
    parent_id = None if parent is None else parse_id(parent, field="parent_id")
    honeypot = data.get("honeypot")
    return Submission(
        body=text,
        parent_id=parent_id,
        honeypot="" if honeypot is None else _text(honeypot, "honeypot", "text"),
        notify_replies=_json_flag(data, "notify_replies"),
        notify_thread=_json_flag(data, "notify_thread"),
    )


def _json_flag(data: Mapping[str, object], name: str) -> bool:
    """Return the JSON boolean ``name`` (absent: false); anything but true/false is refused."""
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise ValidationError(
            "wrong_type", f'"{name}" must be true or false, not {kind(value)}.', field=name
        )
    return value


def _form_flag(form: Mapping[str, object], name: str) -> bool:
    """Return the checkbox ``name`` of a form (absent: unticked); odd values are refused."""
    text = _text(form.get(name, ""), name, "a checkbox value").lower()
    if text not in _FORM_TRUE | _FORM_FALSE:
        raise ValidationError(
            "wrong_type", f'"{name}" must be a checkbox value such as "on" or empty.', field=name
        )
    return text in _FORM_TRUE


def parse_form_submission(form: Mapping[str, object]) -> Submission:
    """Parse a submission from an HTML form, where every value is a string.

    ``parent_id`` is decimal digits or empty; ``notify_replies`` and
    ``notify_thread`` are checkboxes
    (absent or ``""``, ``"0"``, ``"off"``, ``"false"``, ``"no"`` mean no; ``"1"``,
    ``"on"``, ``"true"``, ``"yes"`` mean yes). Same errors as ``parse_submission``.

    >>> parse_form_submission({"body": "Hi", "parent_id": "7", "notify_replies": "on"})
    Submission(body='Hi', parent_id=7, honeypot='', notify_replies=True, notify_thread=False)
    """
    if not isinstance(form, Mapping):
        raise ValidationError(
            "not_object", f"A comment form must be a mapping, not {kind(form)}.", field=ROOT
        )
    body = form.get("body", _MISSING)
    if body is _MISSING:
        raise ValidationError("required", "The comment text is missing.", field="body")
    text = _body(body)
    parent_text = _text(form.get("parent_id", ""), "parent_id", "a comment id")
    parent: int | None = None
    if parent_text.strip():
        if not _DIGITS.fullmatch(parent_text.strip()):
            raise ValidationError(
                "wrong_type", '"parent_id" must be a comment id (digits only).', field="parent_id"
            )
        parent = parse_id(int(parent_text), field="parent_id")
    return Submission(
        body=text,
        parent_id=parent,
        honeypot=_text(form.get("honeypot", ""), "honeypot", "text"),
        notify_replies=_form_flag(form, "notify_replies"),
        notify_thread=_form_flag(form, "notify_thread"),
    )
