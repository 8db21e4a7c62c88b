"""Document formats: which files are sources, and how each is segmented and rebuilt.

Every format is one :class:`Format` in :data:`FORMATS`, found by the file's
suffix. A format turns a :class:`~pipeline.documents.sources.SourceDocument`
into a :class:`~pipeline.documents.segmentation.SegmentedDocument` (the
segments become msgids) and renders a translated document back as the bytes
of the same format. Text formats (plain text, Markdown) are decoded by
:mod:`pipeline.documents.sources` first; binary formats (office documents)
keep their bytes in ``SourceDocument.data``.

Adding a format is one module with ``segment`` and ``render`` functions and
one row here; nothing downstream (catalogues, drafts, review, build) changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Callable

from pipeline.documents import segmentation
from pipeline.documents.segmentation import Segment, SegmentedDocument
from pipeline.errors import OutreachError

if TYPE_CHECKING:
    from types import ModuleType

    from pipeline.documents.sources import SourceDocument

#: ``translate(index, segment)`` → the text to put where segment ``index`` was.
Translate = Callable[[int, Segment], str]


@dataclass(frozen=True)
class Format:
    name: str                       # "text", "markdown", ...
    suffixes: tuple[str, ...]       # lower case, with the dot
    binary: bool                    # bytes kept as they are (True) or decoded to text (False)
    segment: Callable[["SourceDocument"], SegmentedDocument]
    render: Callable[["SourceDocument", SegmentedDocument, Translate, str], bytes]
    #: For a text kept as bytes (a web page): ``encoding(data, ref)``, the encoding it is read in
    #: (raises SourceError when it cannot be read). None for documents that are not text.
    encoding: Callable[[bytes, str], str] | None = None
    inline_codes: bool = False      # formatting as <b>, <g1>, <x1/> codes (office documents, pipeline.documents.office)


def _segment_text(source: "SourceDocument") -> SegmentedDocument:
    return segmentation.segment_text(source.text, source.format)


def _render_text(source: "SourceDocument", segmented: SegmentedDocument, translate: Translate, language: str) -> bytes:
    return segmentation.render(segmented, translate).encode("utf-8")


# Each format's module is imported with the first file of that format (markdown-it-py, lxml
# and the office readers cost more to import than a small workspace costs to read), so
# `outreach status` on plain-text announcements never loads them.

def _markdown() -> "ModuleType":
    from pipeline.documents import markdown

    return markdown


def _html() -> "ModuleType":
    from pipeline.documents import html

    return html


def _docx() -> "ModuleType":
    from pipeline.documents import docx

    return docx


def _odt() -> "ModuleType":
    from pipeline.documents import odt

    return odt


def _lazy(module: Callable[[], "ModuleType"]) -> tuple[Callable, Callable]:
    """``segment`` and ``render`` of a format module, imported on the first call."""
    return (lambda source: module().segment(source),
            lambda source, segmented, translate, language: module().render(source, segmented, translate, language))


FORMATS: tuple[Format, ...] = (
    Format("text", (".txt",), False, _segment_text, _render_text),
    Format("markdown", (".md", ".markdown"), False, *_lazy(_markdown)),
    Format("html", (".html", ".htm"), True, *_lazy(_html), encoding=lambda data, ref: _html().decode(data, ref).encoding),
    Format("docx", (".docx",), True, *_lazy(_docx), inline_codes=True),
    Format("odt", (".odt",), True, *_lazy(_odt), inline_codes=True),
)

_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
_BY_NAME = {fmt.name: fmt for fmt in FORMATS}


def for_suffix(suffix: str) -> Format | None:
    """The format of files ending in ``suffix`` (any case), or ``None``."""
    return _BY_SUFFIX.get(suffix.lower())


def named(name: str) -> Format:
    return _BY_NAME[name]


def suffixes() -> tuple[str, ...]:
    return tuple(_BY_SUFFIX)


def has_inline_codes(reference: str) -> bool:
    """Whether a catalogue reference (``source_texts/a.docx:12``) is in a format with inline codes."""
    fmt = for_suffix(PurePosixPath(reference.rsplit(":", 1)[0]).suffix)
    return fmt is not None and fmt.inline_codes


def segment_text(text: str, fmt: str) -> SegmentedDocument:
    """Segment a text of a text format ("text", "markdown", "html") without a source file."""
    if fmt == "markdown":
        return _markdown().segment_markdown(text)
    if fmt == "html":
        return _html().segment_text(text)
    if fmt == "text":
        return segmentation.segment_text(text)
    raise OutreachError(f"unknown source format {fmt!r} (expected 'text', 'markdown' or 'html')")


def segment(source: "SourceDocument") -> SegmentedDocument:
    """The segments and skeleton of a source document, whatever its format."""
    return named(source.format).segment(source)


def render(source: "SourceDocument", segmented: SegmentedDocument, translate: Translate, language: str) -> bytes:
    """The translated document's bytes, in the source's own format."""
    return named(source.format).render(source, segmented, translate, language)
