"""TMX 1.4b: the translation-memory exchange format of Weblate, OmegaT and CAT tools.

:func:`format_tmx` writes bilingual translation units (one source ``<tuv>``,
one target ``<tuv>``) with ``xml.etree``; :func:`parse_tmx` reads any TMX
1.4b (or 1.1–1.4) file, bilingual or multilingual, and returns one
:class:`Unit` per (source text, target language). Inline markup inside a
``<seg>`` (``<ph>``, ``<bpt>``, ``<hi>`` …) is read as its text, which is the
original native code. Problems are :class:`~pipeline.errors.CatalogError`
with the file and line, e.g. ``memory.tmx:12: <tu> without a <tuv> in 'pl'``.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from xml.parsers import expat

from pipeline import __version__
from pipeline.errors import CatalogError

#: The ``<prop>`` naming the document a unit was reviewed in.
DOCUMENT_PROP = "x-outreach-document"
_XML_LANG = "xml:lang"
# Characters XML 1.0 cannot carry at all (not even escaped).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Unit:
    """One reviewed translation: ``source`` (source language) → ``target`` in ``lang``."""

    source: str
    target: str
    lang: str          # our code: "en", "uk", "pt_BR"
    origin: str = ""   # the document it was reviewed in ("" when unknown)


def to_tmx_lang(code: str) -> str:
    """Our language code → a TMX/BCP-47 tag: ``pt_BR`` → ``pt-BR``."""
    return code.replace("_", "-")


def from_tmx_lang(tag: str) -> str:
    """A TMX/BCP-47 tag → our code: ``pt-br`` → ``pt_BR``, ``EN`` → ``en``."""
    parts = tag.strip().replace("_", "-").split("-")
    code = parts[0].lower()
    region = next((p for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    return f"{code}_{region.upper()}" if region else code


def same_language(code: str, wanted: str) -> bool:
    """``code`` (from a file) serves ``wanted`` (a configured code): equal, or a regional variant of it."""
    return code == wanted or ("_" not in wanted and code.split("_")[0] == wanted)


def writable(text: str) -> bool:
    """True when ``text`` can be stored in XML 1.0 (no control characters but tab and newlines)."""
    return not _NOT_XML.search(text)


# ------------------------------------------------------------------ writing

def format_tmx(units: Iterable[Unit], source_language: str, *, creation_date: str | None = None) -> bytes:
    """The TMX 1.4b document (UTF-8 bytes) for ``units``; units XML cannot hold must be filtered before."""
    root = ET.Element("tmx", version="1.4")
    header = {
        "creationtool": "outreach",
        "creationtoolversion": __version__,
        "datatype": "plaintext",
        "segtype": "paragraph",
        "adminlang": "en",
        "srclang": to_tmx_lang(source_language),
        "o-tmf": "outreach",
    }
    if creation_date:
        header["creationdate"] = creation_date
    ET.SubElement(root, "header", header)
    body = ET.SubElement(root, "body")
    for unit in units:
        if not (writable(unit.source) and writable(unit.target)):
            raise ValueError(f"text that XML cannot carry: {unit.source[:40]!r}")
        tu = ET.SubElement(body, "tu")
        if unit.origin:
            ET.SubElement(tu, "prop", type=DOCUMENT_PROP).text = unit.origin
        for lang, text in ((source_language, unit.source), (unit.lang, unit.target)):
            tuv = ET.SubElement(tu, "tuv", {_XML_LANG: to_tmx_lang(lang)})
            ET.SubElement(tuv, "seg").text = text
    ET.indent(root, space="  ")  # pads between elements only: a <seg>'s text is never touched
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n' + text + "\n").encode("utf-8")


# ------------------------------------------------------------------ reading

@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list["_Node"] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # text directly inside, in order

    def text(self) -> str:
        """All text inside, inline elements included (their native code)."""
        return "".join(self.parts)

    def find(self, tag: str) -> list["_Node"]:
        return [c for c in self.children if c.tag == tag]


#: Deepest element nesting read (tmx/body/tu/tuv/seg is 5; inline markup may nest a little).
MAX_DEPTH = 64
#: Largest TMX file read (a memory of a million units is ~300 MB; this is far beyond any library's).
MAX_BYTES = 512 * 1024 * 1024
_CHUNK = 1 << 20
_TEXT_OF = ("seg", "prop")  # the only elements whose text is used; inline markup inside is their text


def _parse_xml(chunks: Iterable[bytes], path: str) -> _Node:
    """A small tree with line numbers (expat; no external entities, no DTD loading), fed chunk by
    chunk. Text goes to the nearest enclosing <seg> or <prop> only, and inline elements inside one
    are not kept: memory stays proportional to the text, whatever the nesting (which is bounded)."""
    parser = expat.ParserCreate()
    stack: list[_Node | None] = []  # None: an inline element inside a <seg>/<prop>
    collectors: list[_Node] = []
    root: list[_Node] = []

    def start(tag, attrs):
        if len(stack) >= MAX_DEPTH:
            raise CatalogError(f"elements nested more than {MAX_DEPTH} deep", path=path,
                               line=parser.CurrentLineNumber)
        if collectors:
            stack.append(None)
            return
        node = _Node(tag, dict(attrs), parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)
        if tag in _TEXT_OF:
            collectors.append(node)

    def end(tag):
        node = stack.pop()
        if node is not None and collectors and collectors[-1] is node:
            collectors.pop()

    def chars(text):
        if collectors:
            collectors[-1].parts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse_entities(path, parser)
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise CatalogError(f"not valid XML: {expat.ErrorString(exc.code)}", path=path, line=exc.lineno) from None
    return root[0]


def _refuse_entities(path: str, parser):
    def handler(name, *_args):
        raise CatalogError(f"entity declarations are not allowed in TMX (<!ENTITY {name}>)",
                           path=path, line=parser.CurrentLineNumber)
    return handler


def parse_tmx(data: bytes, source_language: str, *, path: str = "<tmx>") -> list[Unit]:
    """Every (source, target language) pair of a TMX document, in file order.

    The source ``<tuv>`` is the one in ``source_language`` (or a regional
    variant of it); every other ``<tuv>`` gives a unit. A ``<tu>`` without a
    source ``<tuv>`` is skipped (it translates from another language); a
    malformed file raises :class:`CatalogError` naming the line.
    """
    return _units(_parse_xml([data], path), source_language, path)


def _units(root: _Node, source_language: str, path: str) -> list[Unit]:
    if root.tag != "tmx":
        raise CatalogError(f"not a TMX file: the root element is <{root.tag}>, not <tmx>", path=path, line=root.line)
    headers, bodies = root.find("header"), root.find("body")
    if len(headers) != 1 or len(bodies) != 1:
        raise CatalogError("a TMX file needs one <header> and one <body>", path=path, line=root.line)
    units: list[Unit] = []
    for tu in bodies[0].find("tu"):
        origin = next((p.text().strip() for p in tu.find("prop") if p.attrs.get("type") == DOCUMENT_PROP), "")
        variants: list[tuple[str, str]] = []
        for tuv in tu.find("tuv"):
            tag = tuv.attrs.get(_XML_LANG) or tuv.attrs.get("lang")
            if not tag:
                raise CatalogError("<tuv> without xml:lang", path=path, line=tuv.line)
            segs = tuv.find("seg")
            if len(segs) != 1:
                raise CatalogError("<tuv> needs exactly one <seg>", path=path, line=tuv.line)
            variants.append((from_tmx_lang(tag), segs[0].text()))
        if not variants:
            raise CatalogError("<tu> without any <tuv>", path=path, line=tu.line)
        source = next((text for lang, text in variants if same_language(lang, source_language)), None)
        if source is None or not source.strip():
            continue
        for lang, text in variants:
            if not same_language(lang, source_language) and text.strip():
                units.append(Unit(source, text, lang, origin))
    return units


def languages(data: bytes, *, path: str = "<tmx>") -> tuple[str | None, tuple[str, ...], int]:
    """What a TMX document translates: its header's ``srclang``, the distinct ``<tuv>``
    languages in order of appearance, and how many ``<tu>`` it has."""
    root = _parse_xml([data], path)
    headers, bodies = root.find("header"), root.find("body")
    srclang = headers[0].attrs.get("srclang") if headers else None
    seen: dict[str, None] = {}
    count = 0
    for body in bodies:
        for tu in body.find("tu"):
            count += 1
            for tuv in tu.find("tuv"):
                tag = tuv.attrs.get(_XML_LANG) or tuv.attrs.get("lang")
                if tag:
                    seen.setdefault(from_tmx_lang(tag), None)
    return (from_tmx_lang(srclang) if srclang and srclang != "*all*" else None), tuple(seen), count


def read_tmx(path: Path, source_language: str, *, shown: str | None = None) -> list[Unit]:
    """:func:`parse_tmx` of a file; ``shown`` is how the path appears in messages."""
    shown = shown or str(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                raise CatalogError(f"too large for a translation memory ({size:,} bytes, at most {MAX_BYTES:,})",
                                   path=shown)
            root = _parse_xml(iter(lambda: handle.read(_CHUNK), b""), shown)
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror or exc}", path=shown) from exc
    return _units(root, source_language, shown)
