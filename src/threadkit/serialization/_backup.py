"""The full internal round trip, for export and backup: every field, nothing hidden.

This shape is private: it includes emails, request contexts and moderation
reasons. Never send it to a browser; the public shapes are in ``_shapes``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import attrs
import cattrs
import msgspec

from threadkit import guards, models
from threadkit.errors import ValidationError
from threadkit.models import utc

__all__ = ["backup_converter", "dumps", "loads"]

T = TypeVar("T")


def _iso(moment: datetime) -> str:
    """Write an aware datetime as ISO 8601 UTC with microseconds and ``Z``."""
    return utc(moment).isoformat(timespec="microseconds")[:-6] + "Z"


def _datetime(value: object, _: object) -> datetime:
    """Read back a datetime written by ``_iso`` (any ISO 8601 with an offset will do)."""
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    return utc(datetime.fromisoformat(value))


def _int(value: object, _: object) -> int:
    """Read an integer, refusing booleans, fractions and numeric strings."""
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _float(value: object, _: object) -> float:
    """Read a number (JSON writes 2.0 as 2.0, but a hand-edited file may say 2)."""
    if type(value) not in (int, float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)  # type: ignore[arg-type]  # checked just above


def _str(value: object, _: object) -> str:
    """Read a string, refusing anything else."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _bool(value: object, _: object) -> bool:
    """Read a boolean, refusing 0 and 1."""
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def _int_keyed_dict(cls: Any) -> bool:
    """Whether ``cls`` is ``dict[int, ...]``, whose keys JSON writes as strings."""
    args: tuple[Any, ...] = getattr(cls, "__args__", ())
    return getattr(cls, "__origin__", None) is dict and len(args) == 2 and args[0] is int


def _resolve_guard_types() -> None:
    """Resolve the models' annotations, some of which name guard types imported only for mypy.

    cattrs reads the annotations of a class to build its hooks; ``Guard``,
    ``CommentGuard`` and ``IdempotencyKey`` live in :mod:`threadkit.guards`,
    which imports the models, so ``threadkit.models`` cannot import them at run time.
    """
    namespace = {**vars(models), **vars(guards)}
    for value in vars(models).values():
        if isinstance(value, type) and attrs.has(value):
            attrs.resolve_types(value, globalns=namespace)


def _make_backup_converter() -> cattrs.Converter:
    """Build the strict converter for backups: every field of every model."""
    _resolve_guard_types()
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_unstructure_hook(datetime, _iso)
    conv.register_structure_hook(datetime, _datetime)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(bool, _bool)

    def int_keyed_dict_hook(cls: Any) -> Any:
        value_type = cls.__args__[1]

        def structure(value: object, _: object) -> dict[int, Any]:
            if not isinstance(value, dict):
                raise TypeError(f"expected an object, got {type(value).__name__}")
            out: dict[int, Any] = {}
            for key, item in value.items():
                if not isinstance(key, str) or not key.lstrip("-").isdigit() or len(key) > 20:
                    raise ValueError(f"expected an integer key, got {key!r:.40}")
                out[int(key)] = conv.structure(item, value_type)
            return out

        return structure

    conv.register_structure_hook_factory(_int_keyed_dict, int_keyed_dict_hook)

    def comment_guard(value: object, _: object) -> guards.CommentGuard:
        # cattrs tells union members apart by required fields; NoDuplicate and
        # OpenThread have none, so the keys each one writes decide (MinInterval
        # has a step too, so its scope is asked first).
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type(value).__name__}")
        if "scope" in value:
            return conv.structure(value, guards.MinInterval)
        if "step" in value:
            return conv.structure(value, guards.NoDuplicate)
        return conv.structure(value, guards.OpenThread)

    conv.register_structure_hook(guards.CommentGuard, comment_guard)
    return conv


#: The converter behind ``dumps`` and ``loads``.
backup_converter = _make_backup_converter()
_ENCODER = msgspec.json.Encoder()


def dumps(obj: object) -> bytes:
    """Encode a model (or a list or dict of models) to JSON bytes with every field.

    Datetimes become ISO 8601 UTC strings with microseconds and ``Z``; enums
    their values; tuples arrays. ``loads(type(obj), dumps(obj)) == obj``.

    >>> from threadkit.models import Reason
    >>> dumps(Reason("links", "too_many", "Too many links."))
    b'{"step":"links","code":"too_many","message":"Too many links."}'
    """
    return _ENCODER.encode(backup_converter.unstructure(obj))


def loads(cls: type[T], data: bytes | str) -> T:
    """Decode what ``dumps`` wrote back into a ``cls`` (e.g. ``list[Comment]``).

    Bad input raises :class:`~threadkit.errors.ValidationError`: code
    ``invalid_json`` for text that is not JSON, ``invalid_backup`` for JSON
    that does not fit ``cls`` (``field`` is the path of the first bad value).

    >>> from threadkit.models import Reason
    >>> loads(Reason, b'{"step":"links","code":"too_many","message":"Too many links."}')
    Reason(step='links', code='too_many', message='Too many links.')
    """
    try:
        value = msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ValidationError("invalid_json", f"Not valid JSON: {exc}", field="$") from None
    try:
        return backup_converter.structure(value, cls)
    except Exception as exc:  # cattrs reports a failed field as any exception type
        messages = cattrs.transform_error(exc, path="$")
        first = messages[0] if messages else str(exc)
        field = first.rpartition(" @ ")[2] if " @ " in first else "$"
        raise ValidationError(
            "invalid_backup", f"Not a valid {_type_name(cls)}: {'; '.join(messages)}", field=field
        ) from None


def _type_name(cls: object) -> str:
    """Name a class or a generic alias such as ``list[Comment]`` for a message."""
    return getattr(cls, "__qualname__", None) or repr(cls)
