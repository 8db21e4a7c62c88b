"""Segmentation: split a source text into translatable segments and a skeleton.

:func:`segment_text` turns a text into a :class:`SegmentedDocument`: the
segments (future msgids) plus a sequence of pieces, where a :class:`Literal`
is copied verbatim and a :class:`Slot` marks where a segment's (translated)
text goes. :func:`render` puts a text back together; with the identity
translation it reproduces the source exactly::

    render(doc, lambda i, seg: seg.text) == text

Plain text is split into paragraphs at blank lines. Markdown is parsed line by
line by a small block parser (no dependency): front matter, code, HTML and
thematic breaks stay literal; headings, list items, block-quote paragraphs,
table cells and paragraphs become segments. Inline markup stays in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from pipeline.errors import OutreachError

KINDS = ("paragraph", "heading", "list item", "blockquote", "table cell",
         "header", "footer", "footnote", "endnote", "text box")  # the last five: office documents


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


@dataclass(frozen=True)
class SegmentedDocument:
    """Segments in document order plus the skeleton that rebuilds the text."""

    segments: tuple[Segment, ...]
    pieces: tuple[Literal | Slot, ...]


def is_translatable(text: str) -> bool:
    """Whether a segment has words to translate; "18:00" or "---" in a cell stay as they are."""
    return any(ch.isalpha() for ch in text)


def render(doc: SegmentedDocument, translate: Callable[[int, Segment], str]) -> str:
    """Rebuild a text, asking ``translate(index, segment)`` for each slot's text.

    Line ``i`` of a translation gets ``prefixes[i]`` (``continuation`` past the
    end); suffixes are kept only when the line counts match.
    """
    out: list[str] = []
    for piece in doc.pieces:
        if isinstance(piece, Literal):
            out.append(piece.text)
            continue
        lines = translate(piece.index, doc.segments[piece.index]).split("\n")
        exact = len(lines) == len(piece.prefixes)
        rendered = []
        for k, line in enumerate(lines):
            prefix = piece.prefixes[k] if k < len(piece.prefixes) else piece.continuation
            rendered.append(prefix + line + (piece.suffixes[k] if exact else ""))
        out.append("\n".join(rendered))
    return "".join(out)


def segment_text(text: str, fmt: str) -> SegmentedDocument:
    """Segment ``text`` (with "\\n" newlines) as ``fmt`` "text" or "markdown"."""
    if fmt == "text":
        builder = _Builder(text)
        builder.plain()
    elif fmt == "markdown":
        builder = _Markdown(text)
        builder.parse()
    else:
        raise OutreachError(f"unknown source format {fmt!r} (expected 'text' or 'markdown')")
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


# --- Markdown -------------------------------------------------------------------

_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}#{1,6}(?=[ \t]|$)")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_THEMATIC = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_HTML = re.compile(r"^ {0,3}<(?:!--|/?[A-Za-z][A-Za-z0-9-]*(?=[ \t/>]|$))")
_QUOTE = re.compile(r"^[ \t]*>(?:[ \t]*>)*[ \t]*")
_LIST = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_TASK = re.compile(r"^\[[ xX]\][ \t]+")
_DELIM = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_PIPE = re.compile(r"(?<!\\)\|")


def _indent(line: str) -> int:
    """Width of the leading spaces/tabs (tabs count to the next multiple of 4)."""
    return len(line[: len(line) - len(line.lstrip(" \t"))].expandtabs(4))


def _list_item(line: str, any_indent: bool) -> re.Match[str] | None:
    """A list-item marker at the start of ``line`` (thematic breaks excluded)."""
    match = _LIST.match(line)
    if not match or _THEMATIC.match(line):
        return None
    if not any_indent and _indent(match.group(1)) > 3:
        return None
    return match


def _is_fence(line: str, any_indent: bool) -> bool:
    """An opening code fence (a backtick fence's info string has no backtick)."""
    match = _FENCE.match(line)
    if not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return False
    return any_indent or _indent(line) <= 3


def _cells(line: str) -> int:
    """Number of table cells in a row (edge pipes do not make empty cells)."""
    parts = _PIPE.split(line.strip())
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return len(parts)


class _Markdown(_Builder):
    """A small line-based Markdown block parser."""

    def parse(self) -> None:
        i = self._front_matter()
        in_list = False
        while i < self.n:
            line = self.lines[i]
            if _blank(line):
                self.lit_lines(i, i + 1)
                i += 1
                continue
            item = _list_item(line, any_indent=in_list)
            if in_list and not item and _indent(line) == 0:
                in_list = False
            if _is_fence(line, in_list):
                i = self._fence(i)
            elif not in_list and _indent(line) >= 4:
                i = self._indented_code(i)
            elif _HTML.match(line):
                i = self._html(i)
            elif _ATX.match(line):
                i = self._heading(i)
            elif _THEMATIC.match(line):
                in_list = False
                self.lit_lines(i, i + 1)
                i += 1
            elif self._table_start(i):
                i = self._table(i)
            elif _QUOTE.match(line):
                i = self._quote(i)
            elif item:
                in_list = True
                i = self._item(i, item)
            else:
                i = self._paragraph(i, "list item" if in_list else "paragraph")

    # Literal blocks

    def _front_matter(self) -> int:
        if self.n < 2 or self.lines[0].rstrip() != "---":
            return 0
        for j in range(1, self.n):
            if self.lines[j].rstrip() in ("---", "..."):
                self.lit_lines(0, j + 1)
                return j + 1
        return 0

    def _fence(self, i: int) -> int:
        match = _FENCE.match(self.lines[i])
        assert match is not None  # parse() only calls this on a fence line
        fence = match.group(2)
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < self.n and not closing.match(self.lines[j]):
            j += 1
        stop = min(j + 1, self.n)
        self.lit_lines(i, stop)
        return stop

    def _indented_code(self, i: int) -> int:
        j = i + 1
        while j < self.n and (_blank(self.lines[j]) or _indent(self.lines[j]) >= 4):
            j += 1
        self.lit_lines(i, j)
        return j

    def _html(self, i: int) -> int:
        comment = self.lines[i].lstrip().startswith("<!--")
        j = i
        while j < self.n:
            line = self.lines[j]
            if comment and "-->" in line:
                j += 1
                break
            if not comment and _blank(line):
                break
            j += 1
        self.lit_lines(i, j)
        return j

    # Segments

    def _heading(self, i: int) -> int:
        line = self.lines[i]
        match = _ATX.match(line)
        assert match is not None  # parse() only calls this on a heading line
        marker = match.end()
        _, prefix, content, suffix = _split(i, line, marker)
        close = _ATX_CLOSE.search(content)
        if close:
            content, suffix = content[: close.start()], content[close.start() :] + suffix
        if content:
            self.slot("heading", [(i, prefix, content, suffix)], "")
        else:
            self.lit_lines(i, i + 1)
        return i + 1

    def _interrupts(self, j: int, in_item: bool) -> bool:
        """Does line ``j`` end the paragraph (or list item) before it?"""
        line = self.lines[j]
        if _blank(line) or _ATX.match(line) or _THEMATIC.match(line) or self._table_start(j):
            return True
        if _QUOTE.match(line) and _indent(line) <= 3:
            return True
        if _is_fence(line, in_item):
            return True
        item = _list_item(line, any_indent=in_item)
        if item and not in_item:  # CommonMark: only non-empty bullets or "1." interrupt
            marker = item.group(2)
            return bool(line[item.end() :].strip()) and (marker[0] in "-*+" or marker[:-1] == "1")
        return bool(item)

    def _paragraph(self, i: int, kind: str) -> int:
        rows = [_split(i, self.lines[i])]
        j = i + 1
        while j < self.n:
            if kind == "paragraph" and _SETEXT.match(self.lines[j]):
                self.slot("heading", rows, "")
                self.lit_lines(j, j + 1)
                return j + 1
            if self._interrupts(j, in_item=False):
                break
            rows.append(_split(j, self.lines[j]))
            j += 1
        self.slot(kind, rows, "")
        return j

    def _item(self, i: int, match: re.Match[str]) -> int:
        line = self.lines[i]
        marker_end = match.end()
        continuation = match.group(1) + " " * (marker_end - len(match.group(1)))
        task = _TASK.match(line[marker_end:])
        first = _split(i, line, marker_end + (task.end() if task else 0))
        rows = [first] if first[2] else []
        if not rows:
            self.lit_lines(i, i + 1)
        j = i + 1
        while j < self.n and not self._interrupts(j, in_item=True):
            rows.append(_split(j, self.lines[j]))
            j += 1
        if len(rows) > 1:
            continuation = rows[-1][1]
        self.slot("list item", rows, continuation)
        return j

    def _quote(self, i: int) -> int:
        rows: list[Row] = []
        j = i
        while j < self.n:
            line = self.lines[j]
            match = _QUOTE.match(line)
            if not match:
                if not rows or self._interrupts(j, in_item=False):
                    break
                rows.append(_split(j, line))  # lazy continuation
                j += 1
                continue
            row = _split(j, line, match.end())
            if not row[2]:
                self._flush_quote(rows)
                rows = []
                self.lit_lines(j, j + 1)
                j += 1
                continue
            heading = _ATX.match(row[2])
            inner = heading or _list_item(row[2], any_indent=False)
            if inner and row[2][inner.end() :].strip():
                self._flush_quote(rows)  # a heading or list item inside the quote
                rows = [_split(j, line, len(row[1]) + inner.end())]
                if heading:
                    self._flush_quote(rows)
                    rows = []
            else:
                rows.append(row)
            j += 1
        self._flush_quote(rows)
        return j

    def _flush_quote(self, rows: list[Row]) -> None:
        if rows:
            self.slot("blockquote", rows, rows[-1][1])

    # Tables

    def _table_start(self, i: int) -> bool:
        if i + 1 >= self.n or "|" not in self.lines[i] or "|" not in self.lines[i + 1]:
            return False
        if not _DELIM.match(self.lines[i + 1]) or _indent(self.lines[i]) > 3:
            return False
        return _cells(self.lines[i]) == _cells(self.lines[i + 1])

    def _table(self, i: int) -> int:
        self._row(i)
        self.lit_lines(i + 1, i + 2)
        j = i + 2
        while j < self.n and "|" in self.lines[j] and not _blank(self.lines[j]):
            line = self.lines[j]
            if _QUOTE.match(line) or _ATX.match(line) or _is_fence(line, False):
                break
            self._row(j)
            j += 1
        return j

    def _row(self, j: int) -> None:
        """One table row: each non-empty cell is a segment, the rest literal."""
        line = self.lines[j]
        start = 0
        for bound in [m.start() for m in _PIPE.finditer(line)] + [len(line)]:
            chunk = line[start:bound]
            content = chunk.strip()
            if content:
                lead = chunk[: len(chunk) - len(chunk.lstrip())]
                self.lit(lead)
                self.slot("table cell", [(j, "", content, "")], "", newline=False)
                self.lit(chunk[len(lead) + len(content) :])
            else:
                self.lit(chunk)
            self.lit(line[bound : bound + 1])
            start = bound + 1
        self.lit(self.nl(j))
