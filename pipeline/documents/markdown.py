"""Markdown: segments from a real CommonMark parser, a byte-exact skeleton.

Block structure comes from markdown-it-py (CommonMark, plus GFM tables and
front matter from mdit-py-plugins). Its block tokens carry source line ranges;
the leaves that hold prose become segments:

* paragraphs (kind ``paragraph``, or ``list item`` / ``blockquote`` after the
  innermost container they sit in), ATX and setext headings (``heading``),
  table cells (``table cell``), and the ``title:``/``description:`` values of
  the front matter (``front matter``: one line, a ``>``/``|`` block scalar, or a plain
  value continued on deeper lines);
* everything else stays literal, byte for byte: code (fenced and indented,
  also inside quotes and list items), HTML blocks, link reference definitions,
  thematic breaks, the rest of the front matter, and every container marker.

Each segment's text is the content of its source lines with the markup around
it (``> ``, list markers, ``#``, indentation, pipes) moved into the skeleton,
so ``render(segment(x)) == x`` with the identity translation.

A translation may hold line breaks the source did not (a reviewer pressing
Enter, a model emitting a newline); they never change the structure. In a
paragraph each new line gets the construct's continuation prefix (indentation
inside list items, ``> `` inside quotes) and a line the parser would read as a
new block (``- x``, ``# x``, ``---`` ...) is joined to the line before; the first
line is backslash-escaped when it would open a block. Headings, table cells
and front-matter values are joined into one line (``qa-line-break`` warns);
``|`` is escaped in cells; front-matter values are quoted as YAML needs.

Inline parsing is switched off: segmentation needs block structure only, and
the block rules are linear in the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block.table import table as _gfm_table
from mdit_py_plugins.front_matter import front_matter_plugin

from pipeline.documents.segmentation import Literal, Segment, SegmentedDocument, Slot, render as render_text

_ROW_STARTS = "outreach_table_row_starts"


def _table_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """The GFM table rule, recording where each row's text starts (after its containers)."""
    found = _gfm_table(state, start_line, end_line, silent)
    if found and not silent:
        starts = state.env.setdefault(_ROW_STARTS, {})
        for line in range(start_line, state.line):
            starts[line] = state.bMarks[line] + state.tShift[line]
    return found


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
    md.block.ruler.at("table", _table_rule, {"alt": ["paragraph", "reference"]})
    md.core.ruler.disable(["inline", "text_join"])
    return md


_MD = _parser()


def parse(text: str) -> tuple[list, dict]:
    """markdown-it block tokens of ``text`` and the parser's env (lone CRs read as spaces,
    so its lines stay ours)."""
    env: dict = {}
    return _MD.parse(text.replace("\r", " "), env), env


# --- slots that know how their construct takes a translation ----------------------


@dataclass(frozen=True)
class ParagraphSlot(Slot):
    """A paragraph: new lines continue it, never open a block.

    ``guarded``: the line before is not blank (a link reference definition may
    end there, and a first line starting with a quote would become its title).
    """

    guarded: bool = False

    def fill(self, text: str, original: str) -> str:
        if text == original:
            return super().fill(text, original)
        lines = [line.strip() for line in text.split("\n")]
        lines = [line for line in lines if line] or [""]
        kept = [_escape_first(lines[0], self.guarded)]
        for line in lines[1:]:
            if _continues(kept[-1], line):
                kept.append(line)
            else:
                kept[-1] += " " + line
        if len(kept) > 1 and not _is_paragraph("\n".join(kept), len(kept)):
            kept = [_escape_first(_joined(text), self.guarded)]  # joining changed a line's meaning
        exact = len(kept) == len(self.prefixes)
        out = []
        for k, line in enumerate(kept):
            prefix = self.prefixes[k] if k < len(self.prefixes) else self.continuation
            out.append(prefix + line + (self.suffixes[k] if exact else ""))
        return "\n".join(out)


@dataclass(frozen=True)
class HeadingSlot(Slot):
    """A heading: one line, whatever the translation holds."""

    atx: bool = True

    def fill(self, text: str, original: str) -> str:
        if text == original:
            return super().fill(text, original)
        line = _joined(text)
        if self.atx:
            closing = re.search(r"(?:^|[ \t])(#+)[ \t]*$", line)
            if closing:  # would be read as the closing sequence
                line = line[: closing.start(1)] + "\\" + line[closing.start(1):]
        else:
            line = _escape_first(line)
        return self.prefixes[0] + line + self.suffixes[-1]


@dataclass(frozen=True)
class CellSlot(Slot):
    """A table cell: one line, ``|`` escaped."""

    def fill(self, text: str, original: str) -> str:
        if text == original:
            return super().fill(text, original)
        cell = re.sub(r"(?<!\\)\|", r"\\|", _joined(text))
        if cell.endswith("\\"):
            cell += " "  # a final backslash would escape the next separator
        return cell


@dataclass(frozen=True)
class FieldSlot(Slot):
    """A front-matter value: ``raw`` as written, ``quote`` one of '', "'", '"'."""

    raw: str = ""
    quote: str = ""

    def fill(self, text: str, original: str) -> str:
        if text == original:
            return self.raw
        value = _joined(text)
        if self.quote == "'":
            return value.replace("'", "''")
        if self.quote == '"' or not _plain_yaml(value):
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            return escaped if self.quote == '"' else f'"{escaped}"'
        return value


@dataclass(frozen=True)
class LongFieldSlot(Slot):
    """A front-matter value over several lines, ``raw`` as written: a block scalar
    (``description: >`` or ``|`` and its indented lines; ``block``) takes the translation at
    the first line's indentation, folded on one line or line by line; a plain scalar continued
    on deeper lines takes it on its first line, quoted as YAML needs."""

    raw: str = ""
    block: str = ""   # ">", "|" or "" (a plain scalar)

    def fill(self, text: str, original: str) -> str:
        if text == original:
            return self.raw
        if self.block == "|":
            lines = [line.strip() for line in text.split("\n") if line.strip()] or [""]
            return "\n".join(self.prefixes[0] + line for line in lines)
        value = _joined(text)
        if self.block == ">":
            return self.prefixes[0] + value
        if not _plain_yaml(value):
            value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return self.prefixes[0] + value


def _joined(text: str) -> str:
    return " ".join(part for part in (line.strip() for line in text.split("\n")) if part)


def _plain_yaml(value: str) -> bool:
    """Can ``value`` stand as a plain YAML scalar and still read back as this string?"""
    if not value or value != value.strip() or value[0] in "-?:,[]{}#&*!|>'\"%@`":
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    return not re.fullmatch(r"(?i)y|yes|n|no|true|false|on|off|null|~|[-+.\d][\w.:+-]*", value)


@lru_cache(maxsize=4096)
def _is_paragraph(text: str, lines: int) -> bool:
    """Does ``text`` parse as exactly one paragraph of ``lines`` lines?"""
    tokens, _ = parse(text)
    return (len(tokens) == 3 and tokens[0].type == "paragraph_open"
            and tokens[0].map == [0, lines])


def _escape_first(line: str, guarded: bool = False) -> str:
    """``line``, backslash-escaped if it would open a block instead of a paragraph."""
    if not line or (_is_paragraph(line, 1) and not (guarded and line[0] in "\"'(")):
        return line
    digits = len(line) - len(line.lstrip("0123456789"))
    if digits and line[digits:digits + 1] in (".", ")"):
        return line[:digits] + "\\" + line[digits:]
    if line[0].isascii() and not line[0].isalnum() and not line[0].isspace():
        return "\\" + line
    return line


def _continues(previous: str, line: str) -> bool:
    """Is ``line`` after ``previous`` still the same paragraph (whatever came before, and
    after this very line, which might make it a table header)?"""
    return _is_paragraph("x\n" + line, 2) and _is_paragraph(previous + "\n" + line, 2)


# --- segmentation -------------------------------------------------------------------

_CONTAINER_KINDS = {"list_item_open": "list item", "blockquote_open": "blockquote"}
_TASK = re.compile(r"\[[ xX]\][ \t]+(?=\S)")
_FIELD = re.compile(r"(title|description)[ \t]*:[ \t]+(?=\S)")
_MARKERS = re.compile(r"[-+*]|\d{1,9}[.)]|\[[ xX]\]")


class _Document:
    """Collects segments and slots (by source offset) for one text."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.segments: list[Segment] = []
        self.slots: list[tuple[int, int, Slot]] = []  # (start offset, end offset, slot)

    def add(self, kind: str, rows: list[tuple[int, int, int]], cls=ParagraphSlot, whole_lines: bool = True,
            **extra) -> None:
        """A segment made of ``rows`` (line index, content start, content end)."""
        if "msgid" not in extra:   # what Python calls space (U+0085, U+2028 ...) CommonMark does not
            rows = [_trimmed(self.lines[i], i, a, b) for i, a, b in rows]
        contents = [self.lines[i][a:b] for i, a, b in rows]
        if not rows or not all(contents):
            return
        text = extra.pop("msgid", "\n".join(contents))
        index = len(self.segments)
        if whole_lines:
            prefixes = tuple(self.lines[i][:a] for i, a, _ in rows)
            suffixes = tuple(self.lines[i][b:] for i, _, b in rows)
            start, end = self.starts[rows[0][0]], self.starts[rows[-1][0]] + len(self.lines[rows[-1][0]])
        else:
            prefixes, suffixes = ("",) * len(rows), ("",) * len(rows)
            start, end = self.starts[rows[0][0]] + rows[0][1], self.starts[rows[-1][0]] + rows[-1][2]
        if self.slots and start < self.slots[-1][1]:
            return  # never overlap what is already placed (cannot happen with well-formed tokens)
        continuation = _MARKERS.sub(lambda m: " " * len(m.group(0)), prefixes[0])
        slot = cls(index, prefixes, suffixes, continuation, **extra)
        self.segments.append(Segment(text=text, line=rows[0][0] + 1, kind=kind))
        self.slots.append((start, end, slot))

    def _deeper(self, start: int, stop: int, indent: int) -> list[int]:
        """The lines from ``start`` that continue a value indented ``indent`` (blank ones too, not at the end)."""
        found: list[int] = []
        for index in range(start, stop):
            line = self.lines[index]
            if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
                break
            found.append(index)
        while found and not self.lines[found[-1]].strip():
            found.pop()
        return found

    def _long_field(self, index: int, start: int, deeper: list[int], block: str) -> None:
        """A value over several lines (see :class:`LongFieldSlot`); one with a blank line or a
        comment inside, or a quoted one, stays as it is."""
        lines = [self.lines[i] for i in deeper]
        if not lines or not all(line.strip() for line in lines) or any(" #" in line or line.lstrip().startswith("#")
                                                                       for line in lines):
            return
        rows = [(i, len(self.lines[i]) - len(self.lines[i].lstrip()), len(self.lines[i].rstrip())) for i in deeper]
        if not block:
            head = self.lines[index][start:].rstrip()
            if not head or head[0] in "-?:,[]{}#&*!|>%@`\"'" or ": " in head or " #" in head:
                return
            rows.insert(0, (index, start, start + len(head)))
        contents = [self.lines[i][a:b] for i, a, b in rows]
        msgid = "\n".join(contents) if block == "|" else " ".join(contents)
        raw = "\n".join(self.lines[i] for i in range(rows[0][0], rows[-1][0] + 1))
        placed = len(self.slots)
        self.add("front matter", rows, LongFieldSlot, msgid=msgid, raw=raw, block=block)
        if len(self.slots) > placed and block != "|":   # one line of msgid: one prefix (the first line's)
            start, end, slot = self.slots[-1]
            self.slots[-1] = (start, end, replace(slot, prefixes=slot.prefixes[:1], suffixes=("",)))

    def result(self) -> SegmentedDocument:
        pieces: list[Literal | Slot] = []
        cursor = 0
        for start, end, slot in self.slots:
            if start > cursor:
                pieces.append(Literal(self.text[cursor:start]))
            pieces.append(slot)
            cursor = end
        if cursor < len(self.text):
            pieces.append(Literal(self.text[cursor:]))
        return SegmentedDocument(tuple(self.segments), tuple(pieces))

    # Leaves

    def line_rows(self, first: int, stop: int, content: str) -> list[tuple[int, int, int]] | None:
        """Rows of lines ``first..stop-1`` whose stripped contents are ``content``'s lines."""
        wanted = [part.strip() for part in content.split("\n")]
        if len(wanted) != stop - first:
            return None
        rows = []
        for index, part in zip(range(first, stop), wanted):
            body = self.lines[index].rstrip()
            if not part or not body.endswith(part):
                return None
            rows.append((index, len(body) - len(part), len(body)))
        return rows

    def paragraph(self, kind: str, first: int, stop: int, content: str, first_in_item: bool) -> None:
        rows = self.line_rows(first, stop, content)
        if rows and kind == "list item" and first_in_item:
            index, a, b = rows[0]
            task = _TASK.match(self.lines[index], a, b)
            if task:
                rows[0] = (index, task.end(), b)
        if rows:
            self.add(kind, rows, guarded=first > 0 and bool(self.lines[first - 1].strip()))

    def heading(self, token, content: str) -> None:
        first, stop = token.map
        if token.markup in ("=", "-"):  # setext: text lines, then the underline
            rows = self.line_rows(first, stop - 1, content)
            if rows:
                self.add("heading", rows, HeadingSlot, atx=False)
            return
        line = self.lines[first]
        marker = line.find("#")
        if marker < 0 or not content:
            return
        after = marker + len(token.markup)
        found = line.find(content, after)
        if found >= 0 and not line[after:found].strip():
            self.add("heading", [(first, found, found + len(content))], HeadingSlot)

    def table_row(self, line_index: int, row_start: int | None, cells: list[str], columns: int) -> None:
        if row_start is None:
            return
        line = self.lines[line_index]
        start = row_start - self.starts[line_index]
        end = len(line.rstrip(" \t"))
        seps = [i for i in range(start, end) if line[i] == "|" and not (i > start and line[i - 1] == "\\")]
        bounds = [start - 1] + seps + [end]
        chunks = [(bounds[k] + 1, bounds[k + 1]) for k in range(len(bounds) - 1)]
        if chunks and chunks[0][0] == chunks[0][1]:
            chunks = chunks[1:]
        if chunks and chunks[-1][0] == chunks[-1][1]:
            chunks = chunks[:-1]
        placed = []
        for (a, b), content in zip(chunks[:columns], cells):
            raw = line[a:b]
            if raw.replace("\\|", "|").strip() != content:
                return  # not the cell the parser saw: leave the whole row literal
            lead = len(raw) - len(raw.lstrip())
            placed.append((a + lead, a + len(raw.rstrip())))
        for a, b in placed:
            self.add("table cell", [(line_index, a, b)], CellSlot, whole_lines=False)

    def front_matter(self, token) -> None:
        first, stop = token.map
        for index in range(first + 1, stop - 1):
            line = self.lines[index]
            key = _FIELD.match(line)
            if not key:
                continue
            deeper = self._deeper(index + 1, stop - 1, len(line) - len(line.lstrip(" ")))
            block = re.fullmatch(r"([>|])[-+]?[ \t]*(?:#.*)?", line[key.end():])
            if block or deeper:
                self._long_field(index, key.end(), deeper, block.group(1) if block else "")
                continue
            parsed = _yaml_scalar(line, key.end())
            if parsed:
                a, b, msgid, quote = parsed
                if msgid.strip() and "\n" not in msgid:
                    self.add("front matter", [(index, a, b)], FieldSlot, whole_lines=False,
                             msgid=msgid, raw=line[a:b], quote=quote)


def _trimmed(line: str, index: int, a: int, b: int) -> tuple[int, int, int]:
    """``(index, a, b)`` with the content's leading and trailing whitespace left out."""
    while a < b and line[a].isspace():
        a += 1
    while b > a and line[b - 1].isspace():
        b -= 1
    return index, a, b


def _yaml_scalar(line: str, start: int) -> tuple[int, int, str, str] | None:
    """(start, end, value, quote) of a one-line YAML scalar at ``line[start:]``, or None."""
    rest = line[start:]
    if rest[0] in "\"'":
        quote = rest[0]
        pattern = r'"((?:[^"\\]|\\["\\])*)"' if quote == '"' else r"'((?:[^']|'')*)'"
        found = re.match(pattern + r"[ \t]*(?:#.*)?$", rest)
        if not found:
            return None
        inner = found.group(1)
        value = re.sub(r'\\(["\\])', r"\1", inner) if quote == '"' else inner.replace("''", "'")
        return start + 1, start + 1 + len(inner), value, quote
    if rest[0] in "-?:,[]{}#&*!|>%@`":
        return None
    comment = re.search(r"[ \t]#", rest)
    value = (rest[: comment.start()] if comment else rest).rstrip()
    if ": " in value:
        return None
    return start, start + len(value), value, ""


def segment_markdown(text: str) -> SegmentedDocument:
    """Segment a Markdown text (with "\\n" newlines)."""
    doc = _Document(text)
    tokens, env = parse(text)
    row_starts: dict[int, int] = env.get(_ROW_STARTS, {})
    containers: list[str] = []
    row_cells: list[str] = []
    columns = 0
    header = True
    row_line = 0
    previous = ""
    for k, token in enumerate(tokens):
        kind = token.type
        if kind in _CONTAINER_KINDS:
            containers.append(_CONTAINER_KINDS[kind])
        elif kind in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif kind == "front_matter":
            doc.front_matter(token)
        elif kind == "paragraph_open" and token.map:
            inner = containers[-1] if containers else "paragraph"
            doc.paragraph(inner, token.map[0], token.map[1], tokens[k + 1].content, previous == "list_item_open")
        elif kind == "heading_open" and token.map:
            doc.heading(token, tokens[k + 1].content)
        elif kind == "table_open":
            header = True
        elif kind == "tr_open" and token.map:
            row_line, row_cells = token.map[0], []
        elif kind == "inline" and previous in ("th_open", "td_open"):
            row_cells.append(token.content)
        elif kind == "tr_close":
            if header:
                columns, header = len(row_cells), False
            doc.table_row(row_line, row_starts.get(row_line), row_cells, columns)
        previous = kind
    return doc.result()


def segment(source) -> SegmentedDocument:
    """The :class:`~pipeline.documents.formats.Format` entry point: a decoded source."""
    return segment_markdown(source.text)


def render(source, segmented: SegmentedDocument, translate, language: str) -> bytes:
    return render_text(segmented, translate).encode("utf-8")
