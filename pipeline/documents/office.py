"""What .docx and .odt have in common: a zip of XML parts, read defensively, and inline codes.

**Packages.** :func:`open_package` reads an office file's bytes as an
untrusted zip: a bounded number of members, bounded part sizes (declared
*and* actual, so a zip bomb stops at the limit), compression ratios, no
absolute or ``..`` part names, no encrypted members. A password-protected
Word file (an OLE container with an ``EncryptedPackage`` stream), a Word
97–2003 ``.doc`` renamed to ``.docx``, an RTF file or plain garbage get a
one-line :class:`~pipeline.errors.SourceError` each. XML parts are parsed
by lxml with entity resolution, DTD loading and network access off; a part
with a DOCTYPE is refused outright (office suites never write one).
:func:`write_package` writes the members back in their order, with their
compression and time stamps; only the parts the caller replaced change.

**Inline codes.** A paragraph is one catalogue entry, never one per run.
The format modules turn a paragraph into :class:`Text`, :class:`Fixed`
(tab, line break, opaque thing) and :class:`Link` items, each carrying its
formatting as an opaque hashable key; :func:`encode` writes them as a msgid
where formatting that differs from the paragraph's own is a short paired
tag — ``<b>``, ``<i>``, ``<u>``, ``<s>``, ``<sup>``, ``<sub>`` when that is
all that differs, ``<g1>``, ``<g2>`` … otherwise — a tab is ``<tab/>``, a
line break ``<br/>``, a field, footnote reference, image or other opaque
thing ``<x1/>``, ``<x2/>`` …, and a hyperlink ``<a href="target">…</a>``.
:func:`decode` maps a (translated) text back to items with the original
formatting: a moved tag moves its formatting. :func:`problem` says what is
wrong with a translation's tags (missing, added, unbalanced, mis-nested,
unknown); QA reports it as ``qa-markup`` and the build keeps the source
paragraph. A literal ``<`` in the text is written ``&lt;`` (and an ``&``
that starts an entity ``&amp;``).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, Sequence

from lxml import etree

from pipeline.errors import SourceError

MAX_MEMBERS = 2000
MAX_PART = 64 * 1024 * 1024        # one member, uncompressed
MAX_TOTAL = 512 * 1024 * 1024      # all members, uncompressed
MAX_RATIO = 500                    # uncompressed / compressed, for members over 1 MB (deflate tops out near 1030)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


# ---------------------------------------------------------------- packages

@dataclass
class Package:
    """An office file's zip members (``infos``, in order) and their uncompressed bytes."""

    ref: str
    infos: list[zipfile.ZipInfo]
    contents: dict[str, bytes]

    def has(self, name: str) -> bool:
        return name in self.contents

    def read(self, name: str) -> bytes:
        return self.contents[name]

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.contents[name], f"{self.ref}: {name}")


def _refuse_not_zip(data: bytes, ref: str, kind: str) -> None:
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            raise SourceError("password-protected document; remove the password (save it without one) and try again",
                              path=ref)
        raise SourceError(f"an old binary Office file (.doc), not {kind}; open it and save it as {kind}", path=ref)
    if data.lstrip()[:5] == b"{\\rtf":
        raise SourceError(f"an RTF file, not {kind}; open it and save it as {kind}", path=ref)
    raise SourceError(f"corrupt or not {kind} (not a zip package)", path=ref)


def _safe_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or re.match(r"^[A-Za-z]:", name):
        return False
    parts = name.split("/")
    return ".." not in parts and "." not in parts[:-1]


def open_package(data: bytes, ref: str, kind: str) -> Package:
    """Read an office package defensively (see the module doc); ``kind`` is ".docx" or ".odt"."""
    if not data.startswith(b"PK"):
        _refuse_not_zip(data, ref, kind)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        _refuse_not_zip(data, ref, kind)
        raise  # not reached
    if len(infos) > MAX_MEMBERS:
        raise SourceError(f"too many parts in the package ({len(infos)} > {MAX_MEMBERS})", path=ref)
    total, seen = 0, set()
    for info in infos:
        if not _safe_name(info.filename):
            raise SourceError(f"unsafe part name {info.filename!r} in the package", path=ref)
        if info.filename in seen:
            raise SourceError(f"part {info.filename!r} twice in the package", path=ref)
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise SourceError("password-protected document; remove the password (save it without one) and try again",
                              path=ref)
        if info.file_size > MAX_PART:
            raise SourceError(f"part {info.filename} too large ({info.file_size} bytes > {MAX_PART})", path=ref)
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise SourceError(f"part {info.filename} compressed suspiciously well (a zip bomb?)", path=ref)
        total += info.file_size
    if total > MAX_TOTAL:
        raise SourceError(f"package too large uncompressed ({total} bytes > {MAX_TOTAL})", path=ref)
    contents = {}
    try:
        for info in infos:
            with archive.open(info) as member:
                content = member.read(MAX_PART + 1)
            if len(content) > MAX_PART or len(content) != info.file_size:
                raise SourceError(f"part {info.filename} is not the size the package declares", path=ref)
            contents[info.filename] = content
    except SourceError:
        raise
    except Exception as exc:  # zlib.error, BadZipFile (CRC), NotImplementedError (compression), ...
        raise SourceError(f"corrupt {kind} package: {exc}", path=ref) from None
    return Package(ref, infos, contents)


def write_package(package: Package, replaced: dict[str, bytes]) -> bytes:
    """The package with ``replaced`` parts, every member in its place, compression and date."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in package.infos:
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            copy.comment = info.comment
            copy.extra = info.extra
            archive.writestr(copy, replaced.get(info.filename, package.contents[info.filename]))
    return out.getvalue()


def part_path(base: str, target: str) -> str:
    """A relationship target resolved against the part ``base`` ("word/document.xml")."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                       dtd_validation=False, remove_blank_text=False, remove_comments=False)


def parse_xml(data: bytes, where: str) -> etree._Element:
    """An XML part's root; DOCTYPEs (entity tricks) and malformed XML are refused."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data or b"<!\x00D\x00O\x00C" in head:
        raise SourceError(f"{where}: DTD or entity declarations are not allowed in a document part")
    try:
        return etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{where}: corrupt XML ({exc.msg})") from None


def serialize(root: etree._Element, original: bytes) -> bytes:
    """``root`` as bytes, keeping the original part's XML declaration."""
    declaration = b""
    if original.startswith(b"<?xml"):
        declaration = original[: original.index(b"?>") + 2]
        rest = original[len(declaration):]
        declaration += rest[: len(rest) - len(rest.lstrip(b"\r\n"))]
    return declaration + etree.tostring(root, encoding="UTF-8")


# ---------------------------------------------------------------- inline codes

@dataclass(eq=False)
class Text:
    text: str
    fmt: Hashable


@dataclass(eq=False)
class Fixed:
    """A tab ("tab"), line break ("br") or opaque thing ("x", with its ``payload``)."""

    kind: str
    fmt: Hashable
    payload: Any = None


@dataclass(eq=False)
class Link:
    """A hyperlink (``href``), or with ``href`` None a container that holds part of the text
    (a Word content control or smart tag): its element (``payload``) and what it holds."""

    href: str | None
    payload: Any
    items: list
    base: Hashable = None


Item = Text | Fixed | Link
#: ``describe(fmt, base)`` → "b", "i", "u", "s", "sup", "sub" when that is all ``fmt`` adds to ``base``, else None.
Describe = Callable[[Hashable, Hashable], "str | None"]


@dataclass
class Codes:
    """What a paragraph's tags stand for."""

    base: Hashable = None
    formats: dict = field(default_factory=dict)  # tag name → format key
    fixed: dict = field(default_factory=dict)    # "x1" → Fixed
    links: dict = field(default_factory=dict)    # href → Link (first of that target)
    containers: dict = field(default_factory=dict)  # "c1" → Link without href
    lead: str = ""
    trail: str = ""


@dataclass
class Paragraph:
    """One paragraph of an office document as both formats collect it: its element and what it holds."""

    element: etree._Element
    part: str                     # the package member it is in, e.g. "word/document.xml"
    kind: str                     # a segment kind: "paragraph", "table cell", "footer", ...
    line: int                     # its number in the document (the segment's "line")
    items: list = field(default_factory=list)
    start: list = field(default_factory=list)
    end: list = field(default_factory=list)
    msgid: str = ""
    codes: Codes | None = None


class InlineError(ValueError):
    """A translation whose tags cannot be mapped back."""


_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+href="[^"<>]*")?)\s*(/?)>')
_ANY_TAG = re.compile(r"<[^<>]*>")
_ENTITY = re.compile(r"&(?=[A-Za-z#][A-Za-z0-9]*;)")
_READABLE = ("b", "i", "u", "s", "sup", "sub")
_STANDALONE = {"tab": "tab", "br": "br"}
_CONTAINER = re.compile(r"c\d+")


def _holds(name: str) -> bool:
    """A link or a container: may hold formatting tags, never another tag's content."""
    return name == "a" or _CONTAINER.fullmatch(name) is not None


def _escape(text: str) -> str:
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _base(items: Sequence[Item], size: Callable[[Hashable], int]) -> Hashable:
    """The paragraph's own formatting: the plainest one (fewest properties), then the most used."""
    weight: dict[Hashable, float] = {}
    order: list = []
    for item in items:
        if isinstance(item, Text):
            if item.fmt not in weight:
                order.append(item.fmt)
            weight[item.fmt] = weight.get(item.fmt, 0.0) + (len(item.text.strip()) or 0.5)
    if not order:
        fmts = [item.fmt for item in items if isinstance(item, Fixed) and item.kind != "x"]
        return fmts[0] if fmts else None
    return max(order, key=lambda fmt: (-size(fmt), weight[fmt], -order.index(fmt)))


def encode(items: Sequence[Item], describe: Describe, size: Callable[[Hashable], int]) -> tuple[str, Codes]:
    """The msgid of a paragraph's items, and what its tags stand for; ``size(fmt)`` counts a format's
    properties (the plainest format is the paragraph's own)."""
    codes = Codes(_base(items, size))
    names: dict = {}  # format key → tag name
    counter = {"g": 0, "x": 0, "c": 0}

    def tag_for(fmt, base) -> str:
        if fmt in names:
            return names[fmt]
        readable = describe(fmt, base)
        if readable not in _READABLE or readable in codes.formats:
            counter["g"] += 1
            readable = f"g{counter['g']}"
        names[fmt] = readable
        codes.formats[readable] = fmt
        return readable

    def level(items: Sequence[Item], base) -> str:
        out: list[str] = []
        open_fmt = None

        def close():
            nonlocal open_fmt
            if open_fmt is not None:
                out.append(f"</{names[open_fmt]}>")
                open_fmt = None

        for i, item in enumerate(items):
            if isinstance(item, Fixed) and item.kind == "x":
                following = next((it for it in items[i + 1:] if not (isinstance(it, Fixed) and it.kind == "x")), None)
                if open_fmt is not None and not (following is not None and not isinstance(following, Link)
                                                 and following.fmt == open_fmt):
                    close()
                counter["x"] += 1
                name = f"x{counter['x']}"
                codes.fixed[name] = item
                out.append(f"<{name}/>")
                continue
            if isinstance(item, Link) and item.href is None:
                close()
                counter["c"] += 1
                name = f"c{counter['c']}"
                codes.containers[name] = item
                item.base = _base(item.items, size)
                out.extend((f"<{name}>", level(item.items, item.base), f"</{name}>"))
                continue
            if isinstance(item, Link):
                close()
                first = codes.links.setdefault(item.href, item)  # one target, one meaning for its tags
                item.base = first.base if first is not item else _base(item.items, size)
                out.append(f'<a href="{_escape(item.href or "").replace(chr(34), "&quot;").replace(">", "&gt;")}">')
                out.append(level(item.items, item.base))
                out.append("</a>")
                continue
            if item.fmt != open_fmt:
                close()
                if item.fmt != base:
                    open_fmt = item.fmt
                    out.append(f"<{tag_for(item.fmt, base)}>")
            out.append(_escape(item.text) if isinstance(item, Text) else f"<{item.kind}/>")
        close()
        return "".join(out)

    text = level(list(items), codes.base)
    stripped = text.strip()
    codes.lead = text[: len(text) - len(text.lstrip())]
    codes.trail = text[len(codes.lead) + len(stripped):]
    return stripped, codes


def has_words(msgid: str) -> bool:
    """Whether a msgid has letters outside its tags (else the paragraph is left alone)."""
    return any(ch.isalpha() for ch in _ANY_TAG.sub("", msgid))


def _tokens(text: str) -> list[tuple[str, str, str, str] | str]:
    """Text pieces (str) and tags (close, name, href, self-closing); a stray "<" raises."""
    out: list = []
    last = 0
    for match in _TAG.finditer(text):
        if match.start() > last:
            out.append(text[last:match.start()])
        close, name, attrs, empty = match.groups()
        href = _unescape(attrs.split('"')[1]) if attrs else ""
        if (attrs and (name != "a" or close or empty)) or (name == "a" and not close and not attrs):
            raise InlineError(f"broken tag {match.group(0)!r}")
        out.append((close, name, href, empty))
        last = match.end()
    if last < len(text):
        out.append(text[last:])
    for piece in out:
        if isinstance(piece, str) and "<" in piece:
            raise InlineError(f"broken tag near {piece[piece.index('<'):][:20]!r}")
    return out


def _signature(text: str) -> Counter:
    found: Counter = Counter()
    for token in _tokens(text):
        if isinstance(token, tuple) and not token[0]:
            close, name, href, empty = token
            found[f'<a href="{href}">' if name == "a" else f"<{name}{'/' if empty else ''}>"] += 1
    return found


def problem(msgid: str, msgstr: str) -> str | None:
    """What is wrong with the tags of ``msgstr`` (a translation of ``msgid``), or None."""
    try:
        source = _signature(msgid)
        _structure(msgstr)
        target = _signature(msgstr)
    except InlineError as exc:
        return str(exc)
    missing = list((source - target).elements())
    extra = list((target - source).elements())
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("not in the source " + ", ".join(extra))
        return "placeholders differ: " + "; ".join(parts)
    return None


def _structure(text: str) -> None:
    """Raise InlineError unless tags are balanced: formatting tags flat, links not nested."""
    stack: list[str] = []
    for token in _tokens(text):
        if isinstance(token, str):
            continue
        close, name, _href, empty = token
        if empty:
            if not (name in _STANDALONE or re.fullmatch(r"x\d+", name)):
                raise InlineError(f"unknown placeholder <{name}/>")
            continue
        if close:
            if not stack or stack[-1] != name:
                raise InlineError(f"</{name}> does not close the tag before it")
            stack.pop()
            continue
        if name in _STANDALONE or re.fullmatch(r"x\d+", name):
            raise InlineError(f"<{name}> must be written <{name}/>")
        if _holds(name) and stack:
            raise InlineError(f"<{name}> inside another tag" if name != "a" else "a link inside another tag")
        if not _holds(name) and stack and not _holds(stack[-1]):
            raise InlineError(f"<{name}> inside <{stack[-1]}>")
        stack.append(name)
    if stack:
        raise InlineError(f"<{stack[-1]}> is not closed")


def decode(text: str, codes: Codes) -> list[Item]:
    """Items for a (translated) paragraph text; raises InlineError when its tags do not fit."""
    _structure(text)
    tokens = _tokens(codes.lead + text + codes.trail)
    root: list[Item] = []
    frames: list[tuple[list, Hashable, str]] = [(root, codes.base, "")]  # (items, base, tag) of the current link
    fmt_stack: list[Hashable] = []
    used: set[str] = set()
    for token in tokens:
        items, base, _holder = frames[-1]
        current = fmt_stack[-1] if fmt_stack else base
        if isinstance(token, str):
            if token:
                items.append(Text(_unescape(token), current))
            continue
        close, name, href, empty = token
        if empty:
            if name in _STANDALONE:
                items.append(Fixed(name, current))
            elif name in codes.fixed and name not in used:
                used.add(name)
                items.append(codes.fixed[name])
            else:
                raise InlineError(f"unknown or repeated placeholder <{name}/>")
        elif close and name == frames[-1][2]:
            frames.pop()
        elif name == "a":
            link = codes.links.get(href)
            if link is None:
                raise InlineError(f'unknown link target <a href="{href}">')
            new = Link(link.href, link.payload, [], link.base)
            items.append(new)
            frames.append((new.items, link.base, "a"))
        elif _CONTAINER.fullmatch(name):
            held = codes.containers.get(name)
            if held is None or name in used:
                raise InlineError(f"unknown or repeated <{name}>")
            used.add(name)
            new = Link(None, held.payload, [], held.base)
            items.append(new)
            frames.append((new.items, held.base, name))
        elif close:
            fmt_stack.pop()
        else:
            if name not in codes.formats:
                raise InlineError(f"unknown tag <{name}>")
            fmt_stack.append(codes.formats[name])
    return root


def grouped(items: Iterable[Item]) -> list[tuple[bool, Hashable, list[Item]]]:
    """``(plain, fmt, items)``: consecutive text/tab/br items of one format together; opaque and link items alone."""
    groups: list[tuple[bool, Hashable, list[Item]]] = []
    for item in items:
        if isinstance(item, Text) or (isinstance(item, Fixed) and item.kind != "x"):
            if groups and groups[-1][0] and groups[-1][1] == item.fmt:
                groups[-1][2].append(item)
            else:
                groups.append((True, item.fmt, [item]))
        else:
            groups.append((False, None, [item]))
    return groups


def region(language: str) -> tuple[str, str]:
    """("en", "US") for a target language code "en", ("pt", "BR") for "pt_BR"."""
    code = language.replace("-", "_")
    if "_" in code:
        lang, country = code.split("_", 1)
        return lang.lower(), country.upper()
    return code.lower(), _COUNTRIES.get(code.lower(), "")


_COUNTRIES = {"pl": "PL", "en": "US", "uk": "UA", "ru": "RU", "de": "DE", "fr": "FR", "es": "ES", "it": "IT",
              "cs": "CZ", "be": "BY", "pt": "PT", "nl": "NL", "sk": "SK", "lt": "LT", "ro": "RO", "hu": "HU",
              "ar": "SA", "tr": "TR", "vi": "VN", "ka": "GE", "hy": "AM", "sv": "SE", "da": "DK", "fi": "FI"}
