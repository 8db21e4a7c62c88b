"""Segmentation: split a source text into translatable segments and a skeleton.

:func:`segment_text` turns a text into a :class:`SegmentedDocument`: the
segments (future msgids) plus a sequence of pieces, where a :class:`Literal`
is copied verbatim and a :class:`Slot` marks where a segment's (translated)
text goes. :func:`render` puts a text back together; with the identity
translation it reproduces the source exactly::

    render(doc, lambda i, seg: seg.text) == text

Plain text is split into paragraphs at blank lines (here). Markdown is
segmented by :mod:`pipeline.documents.markdown` from a CommonMark parser's
block structure, with slots that know how their construct takes a translation
(:meth:`Slot.fill`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pipeline.errors import OutreachError
from pipeline.text.letters import has_letters

KINDS = ("paragraph", "heading", "list item", "blockquote", "table cell", "front matter",
         "caption", "title", "alt text", "tooltip", "description", "navigation",  # web pages
         "header", "footer", "footnote", "endnote", "text box")  # office documents


@dataclass(frozen=True)
class Segment:
    """One translatable unit; ``text`` is the msgid."""

    text: str  # structural markup removed, inline markup and inner "\n" kept
    line: int  # 1-based source line where the text starts
    kind: str  # one of KINDS


@dataclass(frozen=True)
class Literal:
    """Skeleton text copied verbatim."""

    text: str


@dataclass(frozen=True)
class Slot:
    """Where segment ``index`` goes, with the markup around each of its lines."""

    index: int
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    continuation: str

    def fill(self, text: str, original: str) -> str:
        """The skeleton around ``text``, the translation of the segment ``original``.

        Line ``i`` of the text gets ``prefixes[i]`` (``continuation`` past the
        end); suffixes are kept only when the line counts match. Formats whose
        constructs need more (Markdown) subclass this.
        """
        lines = text.split("\n")
        exact = len(lines) == len(self.prefixes)
        rendered = []
        for k, line in enumerate(lines):
            prefix = self.prefixes[k] if k < len(self.prefixes) else self.continuation
            rendered.append(prefix + line + (self.suffixes[k] if exact else ""))
        return "\n".join(rendered)


@dataclass(frozen=True)
class SegmentedDocument:
    """Segments in document order plus the skeleton that rebuilds the text."""

    segments: tuple[Segment, ...]
    pieces: tuple[Literal | Slot, ...]


def is_translatable(text: str) -> bool:
    """Whether a segment has words to translate; "18:00" or "---" in a cell stay as they are."""
    return has_letters(text)


def render(doc: SegmentedDocument, translate: Callable[[int, Segment], str]) -> str:
    """Rebuild a text, asking ``translate(index, segment)`` for each slot's text."""
    out: list[str] = []
    for piece in doc.pieces:
        if isinstance(piece, Literal):
            out.append(piece.text)
        else:
            segment = doc.segments[piece.index]
            out.append(piece.fill(translate(piece.index, segment), segment.text))
    return "".join(out)


def segment_text(text: str, fmt: str = "text") -> SegmentedDocument:
    """Segment ``text`` (with "\\n" newlines) as plain text (``fmt`` "text"); other formats
    are :func:`pipeline.documents.formats.segment_text`'s."""
    if fmt != "text":
        raise OutreachError(f"unknown source format {fmt!r} here (plain text only)")
    builder = _Builder(text)
    builder.plain()
    return builder.result()


# A row is (line index, prefix, content, suffix) with prefix+content+suffix == the line
# (or the part of it that the segment covers).
Row = tuple[int, str, str, str]


def _split(index: int, line: str, prefix_len: int = 0) -> Row:
    """Split a line into structural prefix (+ leading whitespace), content, trailing whitespace."""
    rest = line[prefix_len:]
    body = rest.lstrip()
    prefix = line[: len(line) - len(body)]
    content = body.rstrip()
    return (index, prefix, content, body[len(content) :])


def _blank(line: str) -> bool:
    return not line.strip()


class _Builder:
    """Collects pieces and segments; also segments plain text."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.n = len(self.lines)
        self.segments: list[Segment] = []
        self.pieces: list[Literal | Slot] = []

    def nl(self, index: int) -> str:
        """The newline after line ``index`` ("" for the last line)."""
        return "\n" if index < self.n - 1 else ""

    def lit(self, text: str) -> None:
        if not text:
            return
        if self.pieces and isinstance(self.pieces[-1], Literal):
            self.pieces[-1] = Literal(self.pieces[-1].text + text)
        else:
            self.pieces.append(Literal(text))

    def lit_lines(self, start: int, stop: int) -> None:
        for index in range(start, stop):
            self.lit(self.lines[index] + self.nl(index))

    def slot(self, kind: str, rows: list[Row], continuation: str, newline: bool = True) -> None:
        """Add a segment made of ``rows`` (all with non-empty content)."""
        if not rows:
            return
        index = len(self.segments)
        text = "\n".join(row[2] for row in rows)
        self.segments.append(Segment(text=text, line=rows[0][0] + 1, kind=kind))
        prefixes = tuple(row[1] for row in rows)
        suffixes = tuple(row[3] for row in rows)
        self.pieces.append(Slot(index, prefixes, suffixes, continuation))
        if newline:
            self.lit(self.nl(rows[-1][0]))

    def result(self) -> SegmentedDocument:
        return SegmentedDocument(tuple(self.segments), tuple(self.pieces))

    def plain(self) -> None:
        """Plain text: paragraphs separated by whitespace-only lines."""
        rows: list[Row] = []
        for index, line in enumerate(self.lines):
            if _blank(line):
                self._flush_plain(rows)
                rows = []
                self.lit(line + self.nl(index))
            else:
                rows.append(_split(index, line))
        self._flush_plain(rows)

    def _flush_plain(self, rows: list[Row]) -> None:
        if rows:
            self.slot("paragraph", rows, rows[-1][1])
