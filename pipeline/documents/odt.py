"""LibreOffice/OpenDocument text documents (.odt): one segment per paragraph, rebuilt in place.

Paragraphs and headings (``text:p``, ``text:h``) are read from the body
(``content.xml``: text, tables, lists, footnotes and endnotes, text boxes)
and then from the page styles' headers and footers (``styles.xml``); a
segment's ``line`` is the paragraph's ordinal in that order (1-based, empty
paragraphs counted). Comments (``office:annotation``) are neither segmented
nor touched. ``text:span`` nesting becomes the format key of each piece of
text, compared by the text properties of its styles (language and revision
ids left out), so spans that only mark a language or an edit session never
split a paragraph. ``text:s``, ``text:tab`` and ``text:line-break`` are
spaces, ``<tab/>`` and ``<br/>``; notes, frames, fields and anything else
inside a paragraph are opaque ``<xN/>`` (the paragraphs inside a note or a
text box are segments of their own). ODF white-space rules apply when
reading, and written spaces that would collapse become ``text:s``.

Tracked changes (``text:tracked-changes`` with changes in it) are refused.
Rendering rewrites only paragraphs whose translation differs from the source
and sets ``fo:language``/``fo:country`` of the styles to the target language;
every other member of the package is copied as it was.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from lxml import etree

from pipeline.documents import office
from pipeline.documents.office import Fixed, Link, Text
from pipeline.documents.segmentation import Segment, SegmentedDocument
from pipeline.errors import SourceError

if TYPE_CHECKING:
    from pipeline.documents.sources import SourceDocument

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
XLINK = "http://www.w3.org/1999/xlink"
MIMETYPE = "application/vnd.oasis.opendocument.text"
_T = "{%s}" % TEXT
_START = {f"{_T}bookmark", f"{_T}bookmark-start", f"{_T}reference-mark", f"{_T}reference-mark-start",
          f"{{{OFFICE}}}annotation", f"{_T}alphabetical-index-mark", f"{_T}toc-mark", f"{_T}user-index-mark"}
_END = {f"{_T}bookmark-end", f"{_T}reference-mark-end", f"{{{OFFICE}}}annotation-end",
        f"{_T}alphabetical-index-mark-end", f"{_T}toc-mark-end", f"{_T}user-index-mark-end"}
_TRACKED = (f"{_T}changed-region", f"{_T}change", f"{_T}change-start", f"{_T}change-end")
_SKIP_INSIDE = {f"{{{OFFICE}}}annotation", f"{_T}tracked-changes"}
_IGNORED_PROPS = re.compile(r"\}(language|country|script|rfc-language-tag)(-asian|-complex)?$|rsid$")
_NO_LANG = ("zxx", "none", "")
_WS = re.compile(r"[ \t\r\n]+")


@dataclass
class _Document:
    package: office.Package
    roots: dict
    paragraphs: list


def _open(source: "SourceDocument") -> _Document:
    package = office.open_package(source.data, source.ref, ".odt")
    if package.has("mimetype"):
        mimetype = package.read("mimetype").decode("ascii", "replace").strip()
        if mimetype != MIMETYPE and not mimetype.startswith(MIMETYPE + "-"):
            raise SourceError(f"not an OpenDocument text (.odt) but {mimetype!r}", path=source.ref)
    if package.has("META-INF/manifest.xml") and b"encryption-data" in package.read("META-INF/manifest.xml"):
        raise SourceError("password-protected document; remove the password (save it without one) and try again",
                          path=source.ref)
    if not package.has("content.xml"):
        raise SourceError("not an OpenDocument text (no content.xml in the package)", path=source.ref)
    content = package.xml("content.xml")
    if content.tag != f"{{{OFFICE}}}document-content":
        raise SourceError("not an OpenDocument text (content.xml is not office:document-content)", path=source.ref)
    roots = {"content.xml": content}
    scopes = [("content.xml", content.find(f"{{{OFFICE}}}body"))]
    if package.has("styles.xml"):
        roots["styles.xml"] = package.xml("styles.xml")
        scopes.append(("styles.xml", roots["styles.xml"].find(f"{{{OFFICE}}}master-styles")))
    props = _text_properties(roots)
    doc = _Document(package, roots, [])
    line = 0
    for name, scope in scopes:
        if scope is None:
            continue
        if next(scope.iter(_TRACKED), None) is not None:
            raise SourceError("the document has tracked changes; accept or reject tracked changes first",
                              path=source.ref)
        for element in list(scope.iter(f"{_T}p", f"{_T}h")):
            if any(a.tag in _SKIP_INSIDE for a in element.iterancestors()):
                continue
            line += 1
            para = office.Paragraph(element, name, _kind(element), line)
            walker = _Walker(props, para)
            walker.level(element, (), para.items)
            para.msgid, para.codes = office.encode(para.items, walker.describe, walker.size)
            if office.has_words(para.msgid):
                doc.paragraphs.append(para)
    return doc


def _text_properties(roots: dict) -> dict:
    """style name → its text properties (language and revision ids left out)."""
    found: dict = {}
    for name in ("styles.xml", "content.xml"):
        root = roots.get(name)
        if root is None:
            continue
        for style in root.iter(f"{{{STYLE}}}style"):
            props = {}
            for tp in style.iter(f"{{{STYLE}}}text-properties"):
                props.update({k: v for k, v in tp.attrib.items() if not _IGNORED_PROPS.search(k)})
            found[style.get(f"{{{STYLE}}}name")] = props
    return found


def _kind(p) -> str:
    tags = [a.tag for a in p.iterancestors()]
    for tag in tags:
        if tag == f"{{{DRAW}}}text-box":
            return "text box"
        if tag == f"{_T}note-body":
            note = next(a for a in p.iterancestors(f"{_T}note"))
            return "endnote" if note.get(f"{_T}note-class") == "endnote" else "footnote"
        if tag == f"{{{TABLE}}}table-cell":
            return "table cell"
        if tag in (f"{_T}list-item", f"{_T}list-header"):
            return "list item"
        if tag.startswith(f"{{{STYLE}}}header"):
            return "header"
        if tag.startswith(f"{{{STYLE}}}footer"):
            return "footer"
    return "heading" if p.tag == f"{_T}h" else "paragraph"


class _Walker:
    def __init__(self, props: dict, para: office.Paragraph):
        self.props, self.para = props, para
        self.space = True  # the last character read was a (collapsing) space, or none yet

    def _merged(self, fmt: tuple) -> dict:
        merged: dict = {}
        for key in fmt:
            merged.update(self.props.get(dict(key).get(f"{_T}style-name"), {}))
        return merged

    def size(self, fmt) -> int:
        return len(self._merged(fmt))

    def describe(self, fmt, base) -> str | None:
        run, own = self._merged(fmt), self._merged(base)
        if any(k not in run for k in own):
            return None
        added = {k: v for k, v in run.items() if own.get(k) != v}
        names = set()
        for key, value in added.items():
            local = key.split("}")[1]
            if local.startswith("font-weight") and value == "bold":
                names.add("b")
            elif local.startswith("font-style") and value == "italic":
                names.add("i")
            elif local.startswith("text-underline"):
                names.add("u" if run.get(f"{{{STYLE}}}text-underline-style", "none") != "none" else "?")
            elif local.startswith("text-line-through"):
                names.add("s" if run.get(f"{{{STYLE}}}text-line-through-style", "none") != "none" else "?")
            elif local == "text-position" and value.split()[0] in ("super", "sub"):
                names.add(value.split()[0])
            else:
                return None
        return names.pop() if len(names) == 1 else None

    def _text(self, text: str, fmt: tuple, items: list) -> None:
        text = _WS.sub(" ", text)
        if self.space:
            text = text.lstrip(" ")
        if text:
            items.append(Text(text, fmt))
            self.space = text.endswith(" ")

    def level(self, element, fmt: tuple, items: list) -> None:
        if element.text:
            self._text(element.text, fmt, items)
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == f"{_T}span":
                self.level(child, fmt + (tuple(sorted(child.attrib.items())),), items)
            elif tag == f"{_T}a" and child.get(f"{{{XLINK}}}href"):
                inner: list = []
                self.level(child, fmt, inner)
                if any(isinstance(i, Text) for i in inner):
                    items.append(Link(child.get(f"{{{XLINK}}}href"), child, inner))
                else:
                    items.append(Fixed("x", fmt, child))
            elif tag == f"{_T}s":
                count = child.get(f"{_T}c", "1")
                items.append(Text(" " * (int(count) if count.isdigit() else 1), fmt))
                self.space = True
            elif tag == f"{_T}tab":
                items.append(Fixed("tab", fmt))
                self.space = False
            elif tag == f"{_T}line-break":
                items.append(Fixed("br", fmt))
                self.space = False
            elif tag == f"{_T}soft-page-break" or not tag:
                pass
            elif tag in _START:
                self.para.start.append(child)
            elif tag in _END:
                self.para.end.append(child)
            else:
                items.append(Fixed("x", fmt, child))
                self.space = False
            if child.tail:
                self._text(child.tail, fmt, items)


def segment(source: "SourceDocument") -> SegmentedDocument:
    doc = _open(source)
    return SegmentedDocument(tuple(Segment(p.msgid, p.line, p.kind) for p in doc.paragraphs), ())


class _Renderer:
    def __init__(self):
        self.space = True

    def paragraph(self, para: office.Paragraph, items: list) -> None:
        p = para.element
        for child in list(p):
            p.remove(child)
        p.text = None
        self.space = True
        for element in para.start:
            element.tail = None
            p.append(element)
        self.emit(p, items)
        for element in para.end:
            element.tail = None
            p.append(element)

    @staticmethod
    def _spans(parent, fmt: Any):
        for key in fmt:
            parent = etree.SubElement(parent, f"{_T}span", dict(key))
        return parent

    def _put(self, parent, text: str) -> None:
        for match in re.finditer(r" +|[^ ]+", text):
            chunk = match.group(0)
            if chunk[0] != " ":
                self._append(parent, chunk)
                self.space = False
                continue
            literal = 0 if self.space else 1
            if literal:
                self._append(parent, " ")
            if len(chunk) > literal:
                extra = etree.SubElement(parent, f"{_T}s")
                if len(chunk) - literal > 1:
                    extra.set(f"{_T}c", str(len(chunk) - literal))
            self.space = True

    @staticmethod
    def _append(parent, text: str) -> None:
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def emit(self, parent, items: list) -> None:
        for plain, fmt, group in office.grouped(items):
            item = group[0]
            if plain:
                container = self._spans(parent, fmt)
                for piece in group:
                    if isinstance(piece, Text):
                        self._put(container, piece.text)
                    elif isinstance(piece, Fixed):
                        etree.SubElement(container, f"{_T}{'tab' if piece.kind == 'tab' else 'line-break'}")
                        self.space = False
            elif isinstance(item, Link):
                link = copy.deepcopy(item.payload)
                for child in list(link):
                    link.remove(child)
                link.text = link.tail = None
                parent.append(link)
                self.emit(link, item.items)
            elif isinstance(item, Fixed):
                element = item.payload
                element.tail = None
                self._spans(parent, item.fmt).append(element)
                self.space = False


def _set_language(root, language: str) -> bool:
    """Set fo:language/fo:country of every text style that names a language; whether anything changed."""
    lang, country = office.region(language)
    changed = False
    for props in root.iter(f"{{{STYLE}}}text-properties"):
        old = props.get(f"{{{FO}}}language")
        if old is None or old in _NO_LANG:
            continue
        new_country = country or "none"
        if old != lang or props.get(f"{{{FO}}}country") != new_country:
            props.set(f"{{{FO}}}language", lang)
            props.set(f"{{{FO}}}country", new_country)
            changed = True
    return changed


Translate = Callable[[int, Segment], str]


def render(source: "SourceDocument", segmented: SegmentedDocument, translate: Translate, language: str,
           *, keep_identical: bool = True) -> bytes:
    """The translated .odt; a paragraph whose translation equals its source (or whose tags do not
    fit, see :func:`pipeline.documents.office.problem`) stays as it was."""
    doc = _open(source)
    changed: set[str] = set()
    for index, para in enumerate(doc.paragraphs):
        text = translate(index, Segment(para.msgid, para.line, para.kind))
        if (keep_identical and text == para.msgid) or office.problem(para.msgid, text):
            continue
        try:
            items = office.decode(text, para.codes)
        except office.InlineError:
            continue
        _Renderer().paragraph(para, items)
        changed.add(para.part)
    if changed:
        for name, root in doc.roots.items():
            if _set_language(root, language):
                changed.add(name)
    replaced = {name: office.serialize(doc.roots[name], doc.package.read(name)) for name in sorted(changed)}
    return office.write_package(doc.package, replaced)
