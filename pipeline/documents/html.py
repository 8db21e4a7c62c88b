"""Web pages (``.html``, ``.htm``): block-level text as segments, every other byte kept.

The page is decoded as its BOM or ``<meta charset>`` says (else UTF-8, else
the legacy Polish code pages of :mod:`pipeline.documents.sources`), then read
by :func:`tokens`, an HTML tokenizer after the WHATWG rules that reports the
source offsets of every token. (lxml, html5lib and selectolax build trees
without offsets, and the standard library's ``html.parser`` is quadratic on
unclosed tags and comments; a byte-exact rebuild needs offsets, so the
tokenizer is ours and linear. The tests compare its reading of real pages
with html5lib's.)

Segments are the text of block-level elements — headings, paragraphs, list
items, table cells, captions, ``<title>`` — plus ``alt`` and ``title``
attributes and ``<meta name="description">``. Inline markup stays in the msgid
as short placeholders a reviewer can read and a model leaves alone
(:mod:`pipeline.text.protect` keeps tags verbatim): ``<b>``, ``</b>``,
``<a href="https://…">``, ``<br>``; ``<code>``/``translate="no"`` inline
elements show as `` `their text` ``. ``script``, ``style``, ``pre``, ``code``
blocks, ``textarea``, ``svg``, ``template``, comments and ``translate="no"``
elements stay literal; a comment inside a paragraph does not split it (it moves to the
end of the translated paragraph).

:func:`render` writes the page back with every byte outside the translated
text unchanged: a placeholder of the translation is replaced by the source's
own tag (attributes and all); any other text is escaped, so a ``<script>``
typed by a reviewer is text. ``<html lang>`` is set to the target language,
and characters the page's encoding lacks become character references.
"""

from __future__ import annotations

import codecs
import html as html_lib
import re
from bisect import bisect_right
from collections import defaultdict, deque
from dataclasses import dataclass

from pipeline.documents.encodings import decode_bytes
from pipeline.documents.segmentation import Literal, Segment, SegmentedDocument
from pipeline.errors import SourceError

# --- decoding ---------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# The WHATWG Encoding standard reads these labels as windows-1252.
_AS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819", "ibm819"}


@dataclass(frozen=True)
class Decoded:
    text: str        # the page, newlines as they are
    encoding: str    # a Python codec name
    bom: bytes       # the byte-order mark to write back (b"" if none)


def decode(data: bytes, name: str) -> Decoded:
    """The page's text, by BOM, then ``<meta charset>``, then UTF-8 or a legacy Polish code page."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return Decoded(_strict(data[len(bom):], encoding, name), encoding, bom)
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        label = declared.group(1).decode("ascii").lower()
        encoding = "cp1252" if label in _AS_1252 else label
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise SourceError(f"unknown charset {label!r} in <meta charset>", path=name) from None
        if encoding.startswith("utf-16"):  # a page that decodes this far is not UTF-16 (WHATWG)
            encoding = "utf-8"
        if not _is_text_codec(encoding):
            raise SourceError(f"charset {label!r} in <meta charset> is not a text encoding", path=name)
        return Decoded(_strict(data, encoding, name), encoding, b"")
    text, encoding = decode_bytes(data, name=name, keep_newlines=True)
    return Decoded(text, "utf-8" if encoding == "utf-8-sig" else encoding, b"")


def _is_text_codec(encoding: str) -> bool:
    try:
        return bool(getattr(codecs.lookup(encoding), "_is_text_encoding", True))
    except AttributeError:
        return True


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(f"invalid {encoding} text at byte {exc.start}", path=name) from None
    if _CONTROL.search(text):
        raise SourceError("binary file, not a text", path=name)
    return text


# --- tokenizer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attr:
    name: str        # lower case
    start: int       # value offsets (start == end for an empty or missing value)
    end: int
    quote: str       # '"', "'" or "" (unquoted or no value)
    has_value: bool

    def value(self, text: str) -> str:
        return html_lib.unescape(text[self.start:self.end])


@dataclass(frozen=True)
class Token:
    kind: str        # "text", "ref", "start", "end", "other" (comment, doctype, ...), "raw"
    start: int
    end: int
    name: str = ""   # tag name, lower case
    attrs: tuple[Attr, ...] = ()
    self_closing: bool = False


_RAW = frozenset("script style xmp iframe noembed noframes noscript textarea title plaintext".split())
_TAG_NAME = re.compile(r"[^\s/>]*")
_ATTR_NAME = re.compile(r"[^\s/>][^\s/>=]*")
_SPACE = re.compile(r"[\s/]*")
_WS = re.compile(r"\s*")
_UNQUOTED = re.compile(r"[^\s>]*")
_REF = re.compile(r"&(?:#[0-9]{1,10};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{0,31};?)")
_TEXT_END = re.compile(r"[<&]")
_RAW_END: dict[str, re.Pattern] = {}


def _end(pattern: re.Pattern, text: str, pos: int) -> int:
    """Where ``pattern`` (which also matches the empty string) stops matching at ``pos``."""
    found = pattern.match(text, pos)
    assert found is not None
    return found.end()


def _start_tag(text: str, i: int) -> Token | None:
    """The start (or end) tag at ``text[i]`` == "<", or None when the input ends inside it."""
    end_tag = text.startswith("</", i)
    pos = i + (2 if end_tag else 1)
    name_end = _end(_TAG_NAME, text, pos)
    name = text[pos:name_end].lower()
    pos = name_end
    attrs: list[Attr] = []
    n = len(text)
    while True:
        pos = _end(_SPACE, text, pos)
        if pos >= n:
            return None
        if text[pos] == ">":
            closing = text[pos - 1] == "/" and pos - 1 >= name_end
            return Token("end" if end_tag else "start", i, pos + 1, name, tuple(attrs), closing)
        name_stop = _end(_ATTR_NAME, text, pos)  # never empty: text[pos] is not space, "/" or ">"
        attr_name, pos = text[pos:name_stop].lower(), name_stop
        after = _end(_WS, text, pos)
        if after < n and text[after] == "=":
            pos = _end(_WS, text, after + 1)
            if pos < n and text[pos] in "\"'":
                close = text.find(text[pos], pos + 1)
                if close < 0:
                    return None
                attrs.append(Attr(attr_name, pos + 1, close, text[pos], True))
                pos = close + 1
            else:
                value_end = _end(_UNQUOTED, text, pos)
                attrs.append(Attr(attr_name, pos, value_end, "", True))
                pos = value_end
        else:
            attrs.append(Attr(attr_name, pos, pos, "", False))


def tokens(text: str) -> list[Token]:
    """Every token of ``text`` in order; their spans cover the text exactly."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            ref = _REF.match(text, i)
            if ref and html_lib.unescape(ref.group(0)) != ref.group(0):
                out.append(Token("ref", i, ref.end()))
                i = ref.end()
                continue
            out.append(Token("text", i, i + 1))
            i += 1
            continue
        if ch != "<":
            stop = _TEXT_END.search(text, i + 1)
            end = stop.start() if stop else n
            out.append(Token("text", i, end))
            i = end
            continue
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            short = re.match(r"<!---?>", text[i:i + 6])
            end = i + len(short.group(0)) if short else (close + 3 if close >= 0 else n)
            out.append(Token("other", i, end))
            i = end
            continue
        nxt = text[i + 1:i + 2]
        if nxt in ("!", "?") or (nxt == "/" and text[i + 2:i + 3] == ">"):
            close = text.find(">", i + 1)
            end = close + 1 if close >= 0 else n
            out.append(Token("other", i, end))
            i = end
            continue
        if not (nxt.isascii() and nxt.isalpha()) and not (nxt == "/" and text[i + 2:i + 3].isascii()
                                                          and text[i + 2:i + 3].isalpha()):
            out.append(Token("text", i, i + 1))  # a "<" that opens nothing is text
            i += 1
            continue
        tag = _start_tag(text, i)
        if tag is None:  # the input ends inside a tag: browsers drop it; we keep it, literal
            out.append(Token("other", i, n))
            break
        out.append(tag)
        i = tag.end
        if tag.kind == "start" and tag.name in _RAW:
            if tag.name == "plaintext":
                end = n
            else:
                pattern = _RAW_END.setdefault(tag.name, re.compile(rf"</{tag.name}[\s/>]", re.IGNORECASE))
                found = pattern.search(text, i)
                end = found.start() if found else n
            if end > i:
                out.append(Token("raw", i, end, tag.name))
            i = end
    return out


# --- segmentation -------------------------------------------------------------------

_BLOCK = frozenset("""address article aside blockquote body caption center col colgroup dd details dialog dir
div dl dt fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html
legend li link main menu meta nav ol optgroup option p pre section summary table tbody td tfoot th thead
title tr ul script style xmp iframe noembed noframes noscript textarea plaintext template svg math select
object video audio canvas map base""".split())
_VOID = frozenset("area base br col embed hr img input link meta source track wbr param".split())
_SKIP = frozenset("pre textarea select svg math template object video audio canvas".split())
_OPAQUE = frozenset("code kbd samp var".split())
_KIND = {**{f"h{k}": "heading" for k in range(1, 7)}, "li": "list item", "dt": "list item", "dd": "list item",
         "td": "table cell", "th": "table cell", "caption": "caption", "figcaption": "caption", "title": "title"}
_ONE_LINE = ("title", "alt text", "tooltip", "description")
# Elements a new one of the same name implicitly closes (<p>a<p>b, <li>a<li>b), and a bound on the
# open elements we follow: enough for the kind of a segment, linear on a page of 10,000 open <div>s.
_SELF_CLOSING = frozenset("p li dt dd tr td th option optgroup".split())
_MAX_OPEN = 64
_SPACES = re.compile(r"[ \t\n\r\f]+")
_PLACEHOLDER = re.compile(r"<[^<>\n]{1,200}>|`[^`\n]{1,200}`")


@dataclass(frozen=True)
class AttrSlot:
    """An attribute value that is segment ``index``; ``quote`` as in the source ("" unquoted)."""

    index: int
    raw: str
    quote: str


@dataclass(frozen=True)
class LangSlot:
    """Where the target language goes: an ``<html lang>`` value, or a new ``lang`` attribute."""

    raw: str          # the value as written ("" when inserted)
    insert: bool


@dataclass(frozen=True)
class TagRef:
    """An inline tag inside a text segment: ``placeholder`` in the msgid, ``pieces`` in the page."""

    placeholder: str
    pieces: tuple


@dataclass(frozen=True)
class TextSlot:
    """Segment ``index``: the source's own ``items`` (Literal text and TagRefs) for the msgid."""

    index: int
    items: tuple


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


class _Page:
    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.segments: list[Segment] = []
        self.pieces: list = []
        self.run: list = []            # (token, display, pieces) of the current block's inline content
        self.run_text = False          # does the run hold non-whitespace yet?
        self.blocks: list[str] = []    # open block elements
        self.skip: tuple[str, int] | None = None   # (tag name, nesting depth) of a literal region
        self.opaque: tuple[str, int, int, list] | None = None  # inline code/translate=no being read

    def line(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def add_segment(self, text: str, offset: int, kind: str) -> int:
        self.segments.append(Segment(text=text, line=self.line(offset), kind=kind))
        return len(self.segments) - 1

    # Tags and their attributes

    def tag_pieces(self, token: Token) -> tuple:
        """A start tag as pieces: literal bytes with its translatable attributes as slots."""
        wanted: list[tuple[Attr, int | None]] = []
        names = {a.name: a for a in token.attrs}
        for attr in token.attrs:
            kind = None
            if attr.name == "alt" and token.name in ("img", "area", "input"):
                kind = "alt text"
            elif attr.name == "title":
                kind = "tooltip"
            elif attr.name == "content" and token.name == "meta":
                named = names.get("name") or names.get("property")
                label = named.value(self.text).lower() if named else ""
                kind = {"description": "description", "og:description": "description",
                        "og:title": "title", "twitter:description": "description"}.get(label)
            if kind and attr.has_value:
                value = _SPACES.sub(" ", attr.value(self.text)).strip()
                if _has_letters(value):
                    wanted.append((attr, self.add_segment(value, attr.start, kind)))
        if token.name == "html":
            lang = names.get("lang")
            if lang and lang.has_value:
                wanted.append((lang, None))
        pieces: list = []
        cursor = token.start
        for attr, index in wanted:
            pieces.append(Literal(self.text[cursor:attr.start]))
            raw = self.text[attr.start:attr.end]
            pieces.append(LangSlot(raw, False) if index is None else AttrSlot(index, raw, attr.quote))
            cursor = attr.end
        if token.name == "html" and not any(index is None for _, index in wanted):
            head = token.start + len("<html")
            pieces.append(Literal(self.text[cursor:head]))
            pieces.append(LangSlot("", True))
            cursor = head
        pieces.append(Literal(self.text[cursor:token.end]))
        return tuple(p for p in pieces if not (isinstance(p, Literal) and not p.text))

    # Blocks

    def flush(self) -> None:
        """End the current block: its inline content becomes a segment, or stays literal."""
        if self.opaque:
            self.append(self._close_opaque(None))
        run, self.run, self.run_text = self.run, [], False
        first = next((k for k, item in enumerate(run) if item[1].strip()), None)
        if first is None or not _has_letters("".join(item[1] for item in run if item[0].kind in ("text", "ref"))):
            for item in run:
                self.pieces.extend(item[2])
            return
        last = max(k for k, item in enumerate(run) if item[1].strip())
        for item in run[:first]:
            self.pieces.extend(item[2])
        lead, items, trail = self._trim(run[first:last + 1])
        msgid = _SPACES.sub(" ", "".join(item[1] for item in run[first:last + 1])).strip()
        kind = next((_KIND[b] for b in reversed(self.blocks) if b in _KIND), "paragraph")
        if "nav" in self.blocks:
            kind = "navigation"
        index = self.add_segment(msgid, run[first][0].start + len(lead), kind)
        if lead:
            self.pieces.append(Literal(lead))
        self.pieces.append(TextSlot(index, tuple(items)))
        if trail:
            self.pieces.append(Literal(trail))
        for item in run[last + 1:]:
            self.pieces.extend(item[2])

    def _trim(self, run: list) -> tuple[str, list, str]:
        """Leading and trailing whitespace of a run (literal), and its items in between."""
        items: list = []
        for token, display, pieces in run:
            if token.kind in ("text", "ref"):
                items.append(Literal(self.text[token.start:token.end]))
            else:
                items.append(TagRef(_SPACES.sub(" ", display).strip(), pieces))
        lead = trail = ""
        if isinstance(items[0], Literal):
            body = items[0].text
            lead = body[: len(body) - len(body.lstrip(" \t\n\r\f"))]
            items[0] = Literal(body[len(lead):])
        if isinstance(items[-1], Literal):
            body = items[-1].text
            kept = body.rstrip(" \t\n\r\f")
            trail = body[len(kept):]
            items[-1] = Literal(kept)
        return lead, [item for item in items if not (isinstance(item, Literal) and not item.text)], trail

    def _close_opaque(self, token: Token | None) -> tuple:
        assert self.opaque is not None
        name, start, _, shown = self.opaque
        end = token.end if token else (shown[-1] if shown else start)
        self.opaque = None
        inner = _SPACES.sub(" ", html_lib.unescape(re.sub(r"<[^>]*>", "", self.text[start:end]))).strip()
        display = f"`{inner}`" if inner and "`" not in inner else f"<{name}>"
        return (Token("tag", start, end, name), display, (Literal(self.text[start:end]),))

    def feed(self, token: Token) -> None:
        text = self.text
        if self.skip:
            name, depth = self.skip
            if token.kind == "start" and token.name == name and not token.self_closing and name not in _VOID:
                self.skip = (name, depth + 1)
            elif token.kind == "end" and token.name == name:
                self.skip = (name, depth - 1) if depth > 1 else None
            self.pieces.append(Literal(text[token.start:token.end]))
            return
        if self.opaque:
            name, start, depth, seen = self.opaque
            block = token.kind in ("start", "end") and token.name in _BLOCK
            if token.kind == "end" and token.name == name and depth == 1:
                self.append(self._close_opaque(token))
                return
            if not block:
                if token.kind == "start" and token.name == name:
                    depth += 1
                elif token.kind == "end" and token.name == name:
                    depth -= 1
                self.opaque = (name, start, depth, [token.end])
                return
            self.append(self._close_opaque(None))
        kind = token.kind
        if kind in ("text", "ref"):
            raw = text[token.start:token.end]
            shown = html_lib.unescape(raw) if kind == "ref" else raw
            self.append((token, shown, (Literal(raw),)))
            return
        if kind == "raw" and token.name == "title":  # text only (RCDATA), references decoded
            raw = text[token.start:token.end]
            self.append((Token("text", token.start, token.end), html_lib.unescape(raw), (Literal(raw),)))
            return
        if kind == "other" and self.run_has_text() and text.startswith("<!--", token.start):
            # A comment inside a paragraph does not end it: it shows nowhere in the msgid and
            # comes back at the end of the translated paragraph (where it stays invisible).
            self.append((token, "", (Literal(text[token.start:token.end]),)))
            return
        if kind in ("other", "raw"):
            self.flush()
            self.pieces.append(Literal(text[token.start:token.end]))
            return
        name = token.name
        if kind == "start":
            untranslated = any(a.name == "translate" and a.value(text).strip().lower() == "no" for a in token.attrs)
            if name in _SKIP or (untranslated and (name in _BLOCK or not self.run_has_text())):
                self.flush()  # a literal region: nothing inside is translated
                self.pieces.append(Literal(text[token.start:token.end]))
                if name not in _VOID and not token.self_closing and name not in _RAW:
                    self.skip = (name, 1)
                return
            if (untranslated or name in _OPAQUE) and name not in _VOID and not token.self_closing:
                self.opaque = (name, token.start, 1, [token.end])  # one placeholder in the run
                return
        if name in _BLOCK:
            self.flush()
            if kind == "start":
                self.pieces.extend(self.tag_pieces(token))
                if name not in _VOID and not token.self_closing:
                    if name in _SELF_CLOSING and self.blocks and self.blocks[-1] == name:
                        self.blocks.pop()
                    self.blocks.append(name)
                    if len(self.blocks) > _MAX_OPEN:
                        del self.blocks[0]
            else:
                self.pieces.append(Literal(text[token.start:token.end]))
                if name in self.blocks:
                    del self.blocks[len(self.blocks) - 1 - self.blocks[::-1].index(name):]
            return
        pieces = self.tag_pieces(token) if kind == "start" else (Literal(text[token.start:token.end]),)
        self.append((token, _placeholder(token, text), pieces))

    def run_has_text(self) -> bool:
        return self.run_text

    def append(self, item: tuple) -> None:
        self.run.append(item)
        if not self.run_text and item[1].strip():
            self.run_text = True


def _placeholder(token: Token, text: str) -> str:
    if token.kind == "end":
        return f"</{token.name}>"
    href = next((a for a in token.attrs if a.name == "href" and a.has_value), None)
    if token.name == "a" and href:
        target = href.value(text).strip()
        if target and '"' not in target and ">" not in target and len(target) < 180:
            return f'<a href="{target}">'
    return f"<{token.name}>"


def segment_text(text: str) -> SegmentedDocument:
    page = _Page(text)
    for token in tokens(text):
        page.feed(token)
    page.flush()
    pieces: list = []
    for piece in page.pieces:  # merge neighbouring literals
        if isinstance(piece, Literal) and pieces and isinstance(pieces[-1], Literal):
            pieces[-1] = Literal(pieces[-1].text + piece.text)
        elif not (isinstance(piece, Literal) and not piece.text):
            pieces.append(piece)
    return SegmentedDocument(tuple(page.segments), tuple(pieces))


# --- rendering ----------------------------------------------------------------------


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _one_line(text: str) -> str:
    return " ".join(part for part in (line.strip() for line in text.split("\n")) if part)


def render_text(doc: SegmentedDocument, translate, language: str = "") -> str:
    """The page with ``translate(index, segment)`` in every slot and ``lang`` set to ``language``."""
    lang = language.replace("_", "-")

    def piece(p) -> str:
        if isinstance(p, Literal):
            return p.text
        if isinstance(p, LangSlot):
            if not lang:
                return p.raw
            return f' lang="{lang}"' if p.insert else lang
        if isinstance(p, AttrSlot):
            segment = doc.segments[p.index]
            value = translate(p.index, segment)
            if value == segment.text:
                return p.raw
            value = html_lib.escape(_one_line(value), quote=True)
            return value if p.quote else f'"{value}"'
        if isinstance(p, TagRef):
            return "".join(piece(q) for q in p.pieces)
        return fill(p)

    def fill(slot: TextSlot) -> str:
        segment = doc.segments[slot.index]
        value = translate(slot.index, segment)
        if value == segment.text:
            return "".join(piece(item) for item in slot.items)
        if segment.kind in _ONE_LINE:
            value = _one_line(value)
        tags: dict[str, deque] = defaultdict(deque)
        for item in slot.items:
            if isinstance(item, TagRef):
                tags[item.placeholder].append(item)
        out, cursor = [], 0
        for found in _PLACEHOLDER.finditer(value):
            if tags.get(found.group(0)):
                out.append(_escape_text(value[cursor:found.start()]))
                out.append(piece(tags[found.group(0)].popleft()))
                cursor = found.end()
        out.append(_escape_text(value[cursor:]))
        out.extend(piece(comment) for comment in tags.get("", ()))   # comments (see _Page.feed)
        return "".join(out)

    return "".join(piece(p) for p in doc.pieces)


# --- the format's entry points ------------------------------------------------------

_CACHE: dict[tuple[str, bytes], Decoded] = {}


def _decoded(source) -> Decoded:
    key = (source.ref, source.data)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = decode(source.data, source.ref)
    return _CACHE[key]


def segment(source) -> SegmentedDocument:
    return segment_text(_decoded(source).text)


def render(source, segmented: SegmentedDocument, translate, language: str) -> bytes:
    page = _decoded(source)
    text = render_text(segmented, translate, language)
    return page.bom + text.encode(page.encoding, errors="xmlcharrefreplace")
