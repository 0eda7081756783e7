"""Read an export with the standard library's expat parser, safely and as a stream.

Exports come from elsewhere, so the parser refuses any document type
declaration (``<!DOCTYPE ...>``) and any entity declaration: no internal
entity can be defined (so no "billion laughs" expansion) and no external
entity or DTD is ever fetched. The five predefined entities (``&amp;`` ...)
and character references still work, as every real export needs them.

Elements are built with :mod:`xml.etree.ElementTree` and handed out one
record at a time (each ``<item>`` of a WXR file, each ``<thread>`` or
``<post>`` of a Disqus file), then forgotten, so memory stays flat however
large the file.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element
from xml.parsers import expat

from ._model import ImportFormatError, Source

__all__ = ["records"]

_CHUNK = 1 << 16


def _qualified(name: str) -> str:
    """Turn expat's ``uri}local`` into ElementTree's ``{uri}local``."""
    return "{" + name if "}" in name else name


class _Refused(Exception):
    """Raised inside an expat handler to stop at a construct we do not accept."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def records(
    source: Source, *, depth: int, root: Callable[[str], bool], what: str
) -> Iterator[Element]:
    """Yield each element that ends at ``depth`` below the root, complete, then drop it.

    ``root`` is asked about the root element's qualified tag and refuses the
    document (``ImportFormatError`` with code ``wrong_format``) when it says
    no; ``what`` names the expected format in messages. A malformed document
    raises ``ImportFormatError`` (code ``malformed_xml``), a DOCTYPE or
    entity declaration ``ImportFormatError`` (code ``doctype_refused``).
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element] = []
    done: list[Element] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        element = Element(_qualified(name), {_qualified(k): v for k, v in attributes.items()})
        if not stack and not root(element.tag):
            raise _Refused(
                "wrong_format",
                f"This is not {what}: its root element is <{element.tag}>.",
            )
        if len(stack) > depth:
            stack[-1].append(element)
        stack.append(element)

    def end(name: str) -> None:
        element = stack.pop()
        if len(stack) == depth:
            done.append(element)

    def data(text: str) -> None:
        if len(stack) <= depth:
            return  # text between records (indentation): nobody reads it
        element = stack[-1]
        if len(element):
            last = element[-1]
            last.tail = (last.tail or "") + text
        else:
            element.text = (element.text or "") + text

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    _refuse_declarations(parser, what)

    def feed(chunk: bytes, final: bool) -> None:
        try:
            parser.Parse(chunk, final)
        except _Refused as refused:
            raise ImportFormatError(refused.code, refused.message) from None
        except expat.ExpatError as error:
            raise ImportFormatError(
                "malformed_xml",
                f"The file is not well-formed XML (line {error.lineno}, column"
                f" {error.offset}): {expat.ErrorString(error.code)}.",
            ) from None

    stream, close = _open(source)
    try:
        while chunk := stream.read(_CHUNK):
            feed(chunk, False)
            yield from done
            done.clear()
        feed(b"", True)
        yield from done
        done.clear()
    finally:
        if close:
            stream.close()


def _refuse_declarations(parser: expat.XMLParserType, what: str) -> None:
    """Make ``parser`` refuse DOCTYPEs and entity declarations (entity-expansion attacks)."""

    def doctype(*_: object) -> None:
        raise _Refused(
            "doctype_refused",
            f"The file declares a document type (<!DOCTYPE ...>); {what} never does, and"
            " DTDs can hide entity-expansion attacks, so it is refused.",
        )

    def entity(*_: object) -> None:
        raise _Refused(
            "doctype_refused",
            "The file declares an XML entity; entity declarations are refused"
            " (they can expand into gigabytes).",
        )

    def external(*_: object) -> int:
        raise _Refused("doctype_refused", "The file refers to an external entity; refused.")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external


def _open(source: Source) -> tuple[BinaryIO, bool]:
    """Return a binary stream for ``source`` and whether we must close it."""
    if isinstance(source, bytes):
        return io.BytesIO(source), True
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True  # closed by records()
    return source, False
