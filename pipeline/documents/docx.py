"""Word documents (.docx): one segment per paragraph, rebuilt with the formatting where it was.

Paragraphs (``w:p``) are read from the main document, headers, footers,
footnotes and endnotes (in that order), including table cells, list items
and text boxes; a segment's ``line`` is the paragraph's ordinal in that
order (1-based, empty paragraphs counted). Comments are neither segmented
nor touched. Runs with the same formatting are merged; differences become
the inline codes of :mod:`pipeline.documents.office`. Word's noise never
splits a paragraph: ``w:proofErr``, ``w:lastRenderedPageBreak`` and soft
hyphens are dropped, revision ids (``w:rsid*``) and ``w:lang`` are not part
of a run's formatting, bookmarks, permission and comment ranges move to the
paragraph's start or end. Complex fields (``w:fldChar`` … ``w:fldChar``),
simple fields, content controls, math, images, text boxes and footnote
references are opaque ``<xN/>`` placeholders; the paragraphs *inside* a text
box are segments of their own. A paragraph inside a field that spans
paragraphs (a table of contents) is left alone.

Tracked changes (insertions, deletions, moves, formatting changes) are
refused: the user accepts or rejects them first.

Rendering rewrites only the paragraphs whose translation differs from the
source text, in the parts that hold them, plus ``w:lang`` in those runs and
in ``word/styles.xml``; every other part is copied unchanged.

Why lxml and not python-docx: python-docx does not reach text boxes,
footnotes or endnotes and rewrites the whole package on save; lxml over the
parts lets the build change only what it translated.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from lxml import etree

from pipeline.documents import office
from pipeline.documents.office import Fixed, Link, Text
from pipeline.documents.segmentation import Segment, SegmentedDocument
from pipeline.errors import SourceError

if TYPE_CHECKING:
    from pipeline.documents.sources import SourceDocument

NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % NS
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PART_KINDS = (("header", "header"), ("footer", "footer"), ("footnotes", "footnote"), ("endnotes", "endnote"))
TRACKED = {"ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange",
           "tblPrExChange", "trPrChange", "tcPrChange", "tblGridChange", "numberingChange", "cellIns", "cellDel",
           "cellMerge", "moveFromRangeStart", "moveToRangeStart"}
_START = {"bookmarkStart", "commentRangeStart", "permStart"}
_END = {"bookmarkEnd", "commentRangeEnd", "permEnd"}
_DROP = {"proofErr", "lastRenderedPageBreak", "softHyphen"}
#: Inline elements that hold runs of the paragraph's text: a content control (its runs are in
#: w:sdtContent), a smart tag, custom XML markup, bidirectional embedding. Their text is
#: translated in place; the element and its properties stay.
_CONTAINERS = {"sdt", "smartTag", "customXml", "dir", "bdo"}
_CONTAINER_PROPERTIES = {"sdtPr", "sdtEndPr", "smartTagPr", "customXmlPr"}
_TRUE = (None, "1", "true", "on")
_NO_LANG = ("x-none", "zxx", "")


def _local(element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag[len(W):] if tag.startswith(W) else ""


class _Skip(Exception):
    """The paragraph is left as it is."""


@dataclass
class _Document:
    package: office.Package
    roots: dict                 # part name → root element
    paragraphs: list
    formats: dict               # format key → rPr element (or None)
    styles: str | None          # the styles part's name


def _rels(package: office.Package, part: str) -> list[tuple[str, str, str, str]]:
    """(id, type, target, mode) of ``part``'s relationships."""
    folder, name = part.rsplit("/", 1) if "/" in part else ("", part)
    rels_name = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if not package.has(rels_name):
        return []
    root = package.xml(rels_name)
    return [(rel.get("Id", ""), rel.get("Type", ""), rel.get("Target", ""), rel.get("TargetMode", ""))
            for rel in root.iter(_PKG_RELS)]


def _open(source: "SourceDocument") -> _Document:
    package = office.open_package(source.data, source.ref, ".docx")
    if not package.has("[Content_Types].xml"):
        raise SourceError("not a Word document (no [Content_Types].xml in the package)", path=source.ref)
    main = next((office.part_path("", target) for _id, kind, target, _m in _rels(package, ".rels")
                 if kind.endswith("/officeDocument")), None)
    if main is None and package.has("word/document.xml"):
        main = "word/document.xml"
    if main is None or not package.has(main):
        raise SourceError("not a Word document (no main document part)", path=source.ref)
    root = package.xml(main)
    if root.tag == f"{{{_STRICT}}}document":
        raise SourceError("a Strict Open XML document; save it as an ordinary Word Document (.docx)", path=source.ref)
    if root.tag != f"{W}document":
        raise SourceError(f"not a Word document (the main part {main} is not a w:document)", path=source.ref)
    rels = _rels(package, main)
    links = {rid: target for rid, kind, target, _m in rels if kind.endswith("/hyperlink")}
    parts = [(main, root, "paragraph")]
    styles = None
    for suffix, kind in _PART_KINDS:
        for name in sorted(office.part_path(main, target) for _id, rtype, target, mode in rels
                           if rtype == _REL + suffix and mode != "External"):
            if package.has(name):
                parts.append((name, package.xml(name), kind))
    for _id, rtype, target, _mode in rels:
        if rtype == _REL + "styles" and package.has(office.part_path(main, target)):
            styles = office.part_path(main, target)
    styles_root = package.xml(styles) if styles else None
    headings, lists = _paragraph_styles(styles_root) if styles_root is not None else (set(), set())
    characters = _character_styles(styles_root) if styles_root is not None else {}
    doc = _Document(package, {}, [], {}, styles)
    line = 0
    for name, part_root, part_kind in parts:
        doc.roots[name] = part_root
        _refuse_tracked(part_root, source.ref)
        part_links = links if name == main else {
            rid: target for rid, kind, target, _m in _rels(package, name) if kind.endswith("/hyperlink")}
        for element in list(part_root.iter(f"{W}p")):
            line += 1
            para = office.Paragraph(element, name, _kind(element, part_kind, headings, lists), line)
            walker = _Walker(part_links, doc.formats, para, characters)
            try:
                para.items = walker.level(element)
            except _Skip:
                continue
            para.msgid, para.codes = office.encode(para.items, walker.describe, walker.size)
            if office.has_words(para.msgid):
                doc.paragraphs.append(para)
    return doc


def _refuse_tracked(root, ref: str) -> None:
    if next(root.iter(tuple(W + tag for tag in TRACKED)), None) is not None:
        raise SourceError("the document has tracked changes; accept or reject tracked changes first", path=ref)


def _paragraph_styles(styles) -> tuple[set[str], set[str]]:
    """The ids of heading styles and of list styles (numbered or bulleted by the style)."""
    headings, lists = set(), set()
    for style in styles.iter(f"{W}style"):
        name = style.find(f"{W}name")
        label = (name.get(f"{W}val", "") if name is not None else "").lower()
        if label.startswith("heading") or label in ("title", "subtitle") or style.find(f"{W}pPr/{W}outlineLvl") is not None:
            headings.add(style.get(f"{W}styleId", ""))
        if style.find(f"{W}pPr/{W}numPr") is not None:
            lists.add(style.get(f"{W}styleId", ""))
    return headings, lists


def _kind(p, part_kind: str, headings: set[str], lists: set[str]) -> str:
    ancestors = {_local(a) for a in p.iterancestors()}
    if "txbxContent" in ancestors:
        return "text box"
    if "tc" in ancestors:
        return "table cell"
    ppr = p.find(f"{W}pPr")
    if ppr is not None:
        style = ppr.find(f"{W}pStyle")
        if ppr.find(f"{W}numPr") is not None or (style is not None and style.get(f"{W}val") in lists):
            return "list item"
        if (style is not None and style.get(f"{W}val") in headings) or ppr.find(f"{W}outlineLvl") is not None:
            return "heading"
    return part_kind


def _key(rpr) -> str:
    if rpr is None:
        return ""
    clean = copy.deepcopy(rpr)
    for lang in clean.findall(f"{W}lang"):
        clean.remove(lang)
    for name in [a for a in clean.attrib if "rsid" in a]:
        del clean.attrib[name]
    clean.tail = clean.text = None
    if not len(clean) and not clean.attrib:
        return ""  # an rPr with only w:lang formats like none
    return etree.tostring(clean, method="c14n").decode()


def _character_styles(styles) -> dict[str, set]:
    """Character style id → the run properties it sets (so "Strong" reads as <b>)."""
    found = {}
    for style in styles.iter(f"{W}style"):
        if style.get(f"{W}type") == "character":
            found[style.get(f"{W}styleId", "")] = _features(style.find(f"{W}rPr"))
    return found


def _features(rpr, characters: dict | None = None) -> set:
    """A run's properties as comparable pairs; a character style stands for the properties it sets."""
    if rpr is None:
        return set()
    found = set()
    for child in rpr:
        tag = _local(child)
        if tag in ("lang", ""):
            continue
        if tag == "rStyle" and characters is not None and child.get(f"{W}val") in characters:
            found |= characters[child.get(f"{W}val")]
        else:
            found.add((tag, tuple(sorted(child.attrib.items()))))
    return found


class _Walker:
    def __init__(self, links: dict, formats: dict, para: office.Paragraph, characters: dict | None = None):
        self.links, self.formats, self.para = links, formats, para
        self.characters = characters or {}

    def size(self, fmt) -> int:
        return len(_features(self.formats.get(fmt), self.characters))

    def describe(self, fmt, base) -> str | None:
        own, run = _features(self.formats.get(base), self.characters), _features(self.formats.get(fmt), self.characters)
        added, removed = run - own, own - run
        if removed or not added:
            return None
        names = set()
        for tag, attrs in added:
            val = dict(attrs).get(f"{W}val")
            if tag in ("b", "bCs") and val in _TRUE:
                names.add("b")
            elif tag in ("i", "iCs") and val in _TRUE:
                names.add("i")
            elif tag == "u" and val not in ("none", None):
                names.add("u")
            elif tag in ("strike", "dstrike") and val in _TRUE:
                names.add("s")
            elif tag == "vertAlign" and val in ("superscript", "subscript"):
                names.add(val[:3])
            else:
                return None
        return names.pop() if len(names) == 1 else None

    def level(self, parent) -> list:
        items: list = []
        field_runs: list | None = None
        depth = 0
        for child in parent:
            tag = _local(child)
            if field_runs is not None:
                field_runs.append(child)
                if tag == "r":
                    depth += self._fields(child)
                if depth <= 0:
                    items.append(Fixed("x", None, field_runs))
                    field_runs = None
                continue
            if not isinstance(child.tag, str) or tag in ("pPr",) or tag in _DROP or tag in _CONTAINER_PROPERTIES:
                continue
            if tag == "r":
                balance = self._fields(child)
                if any(c.get(f"{W}fldCharType") == "begin" for c in child.iter(f"{W}fldChar")):
                    if balance <= 0:
                        items.append(Fixed("x", None, [child]))
                    else:
                        field_runs, depth = [child], balance
                    continue
                if balance < 0:
                    raise _Skip  # the end of a field that began in an earlier paragraph
                self._run(child, items)
            elif tag == "hyperlink":
                rid = child.get(f"{R}id")
                href = self.links.get(rid, "") if rid else ""
                anchor = child.get(f"{W}anchor")
                if anchor:
                    href = f"{href}#{anchor}"
                inner = self.level(child)
                if href and _translatable(inner):
                    items.append(Link(href, child, inner))
                else:
                    items.append(Fixed("x", None, [child]))
            elif tag in _CONTAINERS and child.find(f"{W}sdtPr/{W}dataBinding") is None:
                # (a control bound to document data is refilled from that data when Word opens it: left as is)
                host = child.find(f"{W}sdtContent") if tag == "sdt" else child
                try:
                    inner = self.level(host) if host is not None else []
                except _Skip:  # a field that crosses the container's edge: keep it whole
                    inner = []
                items.append(Link(None, child, inner) if _translatable(inner) else Fixed("x", None, [child]))
            elif tag in _START:
                self.para.start.append(child)
            elif tag in _END:
                self.para.end.append(child)
            else:
                items.append(Fixed("x", None, [child]))
        if field_runs is not None:
            raise _Skip  # a field that goes on into the next paragraph
        return items

    @staticmethod
    def _fields(run) -> int:
        balance = 0
        for char in run.iter(f"{W}fldChar"):
            kind = char.get(f"{W}fldCharType")
            balance += 1 if kind == "begin" else -1 if kind == "end" else 0
        return balance

    def _run(self, run, items: list) -> None:
        rpr = run.find(f"{W}rPr")
        key = _key(rpr)
        self.formats.setdefault(key, rpr)
        children = [c for c in run if c is not rpr and isinstance(c.tag, str)]
        if children and all(_local(c) == "commentReference" for c in children):
            self.para.end.append(run)
            return
        for child in children:
            tag = _local(child)
            if tag == "t":
                if child.text:
                    items.append(Text(child.text, key))
            elif tag == "tab":
                items.append(Fixed("tab", key))
            elif tag == "cr" or (tag == "br" and child.get(f"{W}type") in (None, "textWrapping")
                                 and child.get(f"{W}clear") is None):
                items.append(Fixed("br", key))
            elif tag == "noBreakHyphen":
                items.append(Text("\u2011", key))
            elif tag in _DROP:
                continue
            else:
                items.append(Fixed("x", key, [child]))


def _translatable(inner: list) -> bool:
    """Whether a link's or container's items are text to translate in place (not nested links or containers)."""
    return any(isinstance(i, Text) for i in inner) and not any(isinstance(i, Link) for i in inner)


def segment(source: "SourceDocument") -> SegmentedDocument:
    doc = _open(source)
    return SegmentedDocument(tuple(Segment(p.msgid, p.line, p.kind) for p in doc.paragraphs), ())


def _lang_tag(language: str) -> str:
    lang, country = office.region(language)
    return f"{lang}-{country}" if country else lang


def _set_lang(rpr, tag: str) -> None:
    if rpr is None:
        return
    for lang in rpr.findall(f"{W}lang"):
        if lang.get(f"{W}val") not in _NO_LANG and lang.get(f"{W}val") is not None:
            lang.set(f"{W}val", tag)


class _Renderer:
    def __init__(self, formats: dict, lang: str):
        self.formats, self.lang = formats, lang

    def paragraph(self, para: office.Paragraph, items: list) -> None:
        p = para.element
        ppr = p.find(f"{W}pPr")
        for child in list(p):
            if child is not ppr:
                p.remove(child)
        if ppr is not None:
            _set_lang(ppr.find(f"{W}rPr"), self.lang)
        for element in para.start:
            p.append(element)
        self.emit(p, items)
        for element in para.end:
            p.append(element)

    def _run(self, parent, fmt):
        run = etree.SubElement(parent, f"{W}r")
        rpr = self.formats.get(fmt)
        if rpr is not None:
            rpr = copy.deepcopy(rpr)
            rpr.tail = None
            _set_lang(rpr, self.lang)
            run.append(rpr)
        return run

    def emit(self, parent, items: list) -> None:
        for plain, fmt, group in office.grouped(items):
            item = group[0]
            if plain:
                run = self._run(parent, fmt)
                text: list[str] = []
                for piece in [*group, None]:
                    if isinstance(piece, Text):
                        text.append(piece.text)
                        continue
                    if text:
                        t = etree.SubElement(run, f"{W}t")
                        t.text = "".join(text)
                        if t.text != t.text.strip() or "  " in t.text:
                            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                        text = []
                    if isinstance(piece, Fixed):
                        etree.SubElement(run, f"{W}{'tab' if piece.kind == 'tab' else 'br'}")
            elif isinstance(item, Link):
                holder = copy.deepcopy(item.payload)   # a hyperlink or a container, without its runs
                holder.tail = None
                host = holder.find(f"{W}sdtContent") if _local(holder) == "sdt" else holder
                for child in list(host):
                    if _local(child) not in _CONTAINER_PROPERTIES:
                        host.remove(child)
                parent.append(holder)
                self.emit(host, item.items)
            elif isinstance(item, Fixed):
                target = parent if item.fmt is None else self._run(parent, item.fmt)
                for element in item.payload:
                    target.append(element)


Translate = Callable[[int, Segment], str]


def render(source: "SourceDocument", segmented: SegmentedDocument, translate: Translate, language: str,
           *, keep_identical: bool = True) -> bytes:
    """The translated .docx; a paragraph whose translation equals its source (or whose tags do not
    fit, see :func:`pipeline.documents.office.problem`) stays byte for byte as it was."""
    doc = _open(source)
    lang = _lang_tag(language)
    renderer = _Renderer(doc.formats, lang)
    changed: set[str] = set()
    for index, para in enumerate(doc.paragraphs):
        segment_ = Segment(para.msgid, para.line, para.kind)
        text = translate(index, segment_)
        if (keep_identical and text == para.msgid) or office.problem(para.msgid, text):
            continue
        try:
            items = office.decode(text, para.codes)
        except office.InlineError:
            continue
        renderer.paragraph(para, items)
        changed.add(para.part)
    replaced = {name: office.serialize(doc.roots[name], doc.package.read(name)) for name in sorted(changed)}
    if changed and doc.styles:
        styles = doc.package.xml(doc.styles)
        langs = [el for el in styles.iter(f"{W}lang") if el.get(f"{W}val") not in _NO_LANG + (None,)]
        if any(el.get(f"{W}val") != lang for el in langs):
            for el in langs:
                el.set(f"{W}val", lang)
            replaced[doc.styles] = office.serialize(styles, doc.package.read(doc.styles))
    return office.write_package(doc.package, replaced)
