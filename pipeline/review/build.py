"""Rendering: reviewed catalogues back into finished texts under ``build/<lang>/``.

The source is segmented again and every segment replaced by its reviewed
translation; structure (headings, list markers, quotes, blank lines, tables)
comes from the source skeleton. A segment without a reviewed translation
falls back to the source text with a warning, or fails the build in strict
mode. In an office document (.docx, .odt) a translation whose inline codes
do not fit its source (:func:`pipeline.documents.office.problem`) falls back
to the source paragraph too, with a ``qa-markup`` warning.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.catalogs import pofile
from pipeline.review.findings import Finding, excerpt
from pipeline.config import Settings
from pipeline.fsutil import write_atomic
from pipeline.documents import formats, office
from pipeline.documents.segmentation import Segment, is_translatable
from pipeline.documents.sources import load_sources


@dataclass(frozen=True)
class BuiltText:
    path: Path
    language: str
    data: bytes       # the document in the source's own format
    fallbacks: int


@dataclass(frozen=True)
class BuildResult:
    texts: tuple[BuiltText, ...]
    findings: tuple[Finding, ...]   # warnings: segments that fell back to the source


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # all C0 controls but tab and newline, and DEL


def build(settings: Settings, progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Compute every translated text; nothing is written here. ``progress("building", done, total)``
    is called after each source document."""
    texts, findings = [], []
    sources = load_sources(settings.sources_dir, settings.workspace)
    for number, source in enumerate(sources, 1):
        if progress:
            progress("building", number - 1, len(sources))
        segmented = formats.segment(source)
        if not any(is_translatable(s.text) for s in segmented.segments):
            continue
        rel = source.path.relative_to(settings.sources_dir)
        for lang in settings.target_languages:
            po_path = settings.catalog_path(source.doc_id, lang)
            shown = settings.display_path(po_path)
            reviewed, states = {}, {}
            if po_path.exists():
                for entry in pofile.read_catalog(po_path).entries:
                    if entry.obsolete:
                        continue
                    states[entry.msgid] = entry
                    if entry.translated:
                        reviewed[entry.msgid] = entry.msgstr
            else:
                findings.append(Finding(shown, 1, "missing", f"no catalogue; {source.ref} copied untranslated", "warning"))
            fallbacks = 0
            reported: set[str] = set()

            def translate(_index: int, seg: Segment) -> str:
                nonlocal fallbacks
                if not is_translatable(seg.text):
                    return seg.text
                if seg.text in reviewed:
                    text = reviewed[seg.text]
                    if _CONTROL.search(text):  # NUL, ESC …: never into a built text
                        findings.append(Finding(shown, states[seg.text].line, "control-character",
                                                "control characters (NUL, ESC …) removed from the translation",
                                                "warning"))
                        text = _CONTROL.sub("", text)
                    problem = office.problem(seg.text, text) if formats.named(source.format).inline_codes else None
                    if problem is None:
                        return text
                    fallbacks += 1
                    if seg.text not in reported:
                        reported.add(seg.text)
                        findings.append(Finding(shown, states[seg.text].line, "qa-markup",
                                                f"{problem}; source paragraph used", "warning"))
                    return seg.text
                fallbacks += 1
                if po_path.exists() and seg.text not in reported:
                    reported.add(seg.text)
                    entry = states.get(seg.text)
                    if entry is None:
                        findings.append(Finding(f"{source.ref}", seg.line, "stale",
                                                f"not in {shown}; run 'outreach run' (source text used)", "warning"))
                    else:
                        state = "fuzzy" if entry.msgstr else "untranslated"
                        findings.append(Finding(shown, entry.line, state,
                                                f"not reviewed, source text used: {excerpt(seg.text)}", "warning"))
                return seg.text

            data = formats.render(source, segmented, translate, lang)
            texts.append(BuiltText(settings.build_dir / lang / rel, lang, data, fallbacks))
    if progress:
        progress("building", len(sources), len(sources))
    return BuildResult(tuple(texts), tuple(findings))


def write(result: BuildResult) -> None:
    for built in result.texts:
        write_atomic(built.path, built.data)
