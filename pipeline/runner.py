"""The ``run`` workflow: sources → segments → languages → catalogues → drafts.

Everything is read, parsed and computed before the first file is written, so
bad input (an undecodable source, a broken ``.po``) stops the run with nothing
half-written. Each file is then replaced atomically, and only when its content
really changed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from pipeline import catalog, pofile
from pipeline.catalog import FUZZY, Catalog, Entry
from pipeline.config import Settings
from pipeline.detection import Detector, DocumentLanguage
from pipeline.engines import Draft, Engine, Progress, TranslationRequest
from pipeline.segmentation import SegmentedDocument, is_translatable, segment_text
from pipeline.sources import SourceDocument, load_sources

Notify = Callable[[str], None]


@dataclass(frozen=True)
class PreparedDocument:
    source: SourceDocument
    segmented: SegmentedDocument
    language: DocumentLanguage

    def segment_languages(self) -> dict[str, str]:
        """msgid → detected language of its first occurrence."""
        langs: dict[str, str] = {}
        for seg, seg_lang in zip(self.segmented.segments, self.language.segments):
            langs.setdefault(seg.text, seg_lang.lang)
        return langs


@dataclass(frozen=True)
class CatalogOutcome:
    path: Path
    language: str | None       # None for the template
    entries: int
    drafts: int = 0
    copied: int = 0
    written: bool = False


@dataclass(frozen=True)
class RunReport:
    documents: tuple[PreparedDocument, ...]
    catalogs: tuple[CatalogOutcome, ...]
    skipped: tuple[tuple[str, str], ...]   # (source ref, reason)
    engine: str
    has_models: bool
    inference: tuple[tuple[str, int], ...] = ()   # engine counters, e.g. (("sentences", 120), ("cached", 4))

    @property
    def drafts(self) -> int:
        return sum(c.drafts for c in self.catalogs)

    @property
    def written(self) -> int:
        return sum(1 for c in self.catalogs if c.written)


def template_path(settings: Settings, doc_id: str) -> Path:
    return settings.locales_dir / f"{doc_id}.pot"


def catalog_path(settings: Settings, doc_id: str, lang: str) -> Path:
    return settings.locales_dir / lang / "LC_MESSAGES" / f"{doc_id}.po"


def prepare(settings: Settings, progress: Notify | None = None) -> tuple[list[PreparedDocument], list[tuple[str, str]]]:
    """Read, segment and detect every source; empty ones are skipped with a reason."""
    detector = Detector(settings.detect_languages)
    prepared, skipped = [], []
    sources = load_sources(settings.sources_dir, settings.workspace)
    for number, source in enumerate(sources, 1):
        if progress:
            progress(f"[{number}/{len(sources)}] {source.ref}")
        segmented = segment_text(source.text, source.format)
        if not any(is_translatable(s.text) for s in segmented.segments):
            skipped.append((source.ref, "no text to translate (empty file)"))
            continue
        texts = [s.text for s in segmented.segments]
        language = detector.detect_document(texts, [s.line for s in segmented.segments], default=settings.source_language)
        prepared.append(PreparedDocument(source, segmented, language))
    return prepared, skipped


def template_for(doc: PreparedDocument) -> tuple[Entry, ...]:
    """The template entries of one document: msgids, references, extracted comments."""
    occurrences = []
    for seg, seg_lang in zip(doc.segmented.segments, doc.language.segments):
        if not is_translatable(seg.text):
            continue
        notes = []
        if seg.kind != "paragraph":
            notes.append(f"type: {seg.kind}")
        if seg_lang.lang != doc.language.lang:
            notes.append(f"language: {seg_lang.lang} ({seg_lang.probability:.2f}), document: {doc.language.lang}")
        occurrences.append((seg.text, f"{doc.source.ref}:{seg.line}", tuple(notes)))
    return catalog.template_entries(occurrences)


def run(settings: Settings, engine: Engine, *, purge_obsolete: bool = False, notify: Notify | None = None,
        progress: Notify | None = None, mt_progress: Progress | None = None) -> RunReport:
    """``notify`` gets messages worth a line each; ``progress`` gets per-document steps;
    ``mt_progress(done, total)`` follows the sentences through the model."""
    documents, skipped = prepare(settings, progress)
    # Read every existing catalogue first: a syntax error stops the run before any write.
    existing = {
        (doc.source.doc_id, lang): _read_if_exists(catalog_path(settings, doc.source.doc_id, lang))
        for doc in documents
        for lang in settings.target_languages
    }
    templates = {doc.source.doc_id: template_for(doc) for doc in documents}
    merged: dict[tuple[str, str], list[Entry]] = {}
    for doc in documents:
        for lang in settings.target_languages:
            key = (doc.source.doc_id, lang)
            result = catalog.merge(templates[doc.source.doc_id], existing[key], purge_obsolete=purge_obsolete)
            merged[key] = list(result.entries)

    counts = _fill_drafts(settings, engine, documents, merged, notify, mt_progress)

    outcomes = []
    for doc in documents:
        doc_id = doc.source.doc_id
        pot = catalog.Catalog(
            entries=templates[doc_id],
            header=pofile.build_header(language=None, project=_project(settings, doc_id), template=True,
                                       existing=_read_if_exists(template_path(settings, doc_id))),
            header_flags=(FUZZY,),
        )
        outcomes.append(_write(template_path(settings, doc_id), pot, None, len(pot.entries)))
        for lang in settings.target_languages:
            key = (doc_id, lang)
            po = Catalog(
                entries=tuple(merged[key]),
                header=pofile.build_header(language=lang, project=_project(settings, doc_id), template=False,
                                           existing=existing[key]),
                header_comment=existing[key].header_comment if existing[key] else "",
            )
            drafts, copied = counts.get(key, (0, 0))
            active = sum(1 for e in po.entries if not e.obsolete)
            outcomes.append(_write(catalog_path(settings, doc_id, lang), po, lang, active, drafts, copied))
    stats = getattr(engine, "stats", None)
    inference = tuple(vars(stats).items()) if stats is not None else ()
    return RunReport(tuple(documents), tuple(outcomes), tuple(skipped), engine.name, engine.has_models, inference)


def _project(settings: Settings, doc_id: str) -> str:
    return f"{settings.project} {doc_id}"


def _read_if_exists(path: Path) -> Catalog | None:
    return pofile.read_catalog(path) if path.exists() else None


def _write(path: Path, cat: Catalog, lang: str | None, entries: int, drafts: int = 0, copied: int = 0) -> CatalogOutcome:
    written = pofile.write_catalog(path, cat)
    return CatalogOutcome(path, lang, entries, drafts, copied, written)


def _fill_drafts(settings: Settings, engine: Engine, documents: Sequence[PreparedDocument],
                 merged: dict[tuple[str, str], list[Entry]], notify: Notify | None,
                 mt_progress: Progress | None) -> dict[tuple[str, str], tuple[int, int]]:
    """Give every untranslated entry a draft: a copy, or one batched engine call for the whole run."""
    pivot = settings.pivot_language
    jobs: list[tuple[tuple[str, str], int, TranslationRequest, str | None]] = []
    copied: dict[tuple[str, str], int] = {}
    for doc in documents:
        seg_langs = doc.segment_languages()
        doc_id = doc.source.doc_id
        reviewed_pivot = {}
        if pivot in settings.target_languages:
            reviewed_pivot = {e.msgid: e.msgstr for e in merged[(doc_id, pivot)] if e.translated and not e.obsolete}
        for lang in settings.target_languages:
            key = (doc_id, lang)
            entries = merged[key]
            for i, entry in enumerate(entries):
                if entry.obsolete or entry.msgstr:
                    continue
                seg_lang = seg_langs.get(entry.msgid, doc.language.lang)
                if seg_lang == lang:
                    entries[i] = _with_draft(entry, entry.msgid, f"copied from source: the paragraph is already in {lang}")
                    copied[key] = copied.get(key, 0) + 1
                elif lang != pivot and entry.msgid in reviewed_pivot:
                    text = reviewed_pivot[entry.msgid]
                    jobs.append((key, i, TranslationRequest(text, pivot, lang), text))
                else:
                    jobs.append((key, i, TranslationRequest(entry.msgid, seg_lang, lang), None))
    drafts: dict[tuple[str, str], int] = {}
    if jobs:
        if notify and engine.has_models:
            notify(f"translating {len(jobs)} entries with {engine.name}")
        results = engine.translate([job[2] for job in jobs], mt_progress)
        for (key, i, _request, reviewed), draft in zip(jobs, results):
            if draft is None or not draft.text.strip():
                continue
            merged[key][i] = _apply(merged[key][i], draft, reviewed)
            drafts[key] = drafts.get(key, 0) + 1
    return {key: (drafts.get(key, 0), copied.get(key, 0)) for key in set(drafts) | set(copied)}


def _apply(entry: Entry, draft: Draft, reviewed_pivot: str | None) -> Entry:
    notes = [catalog.draft_note(draft.note + (" (from the reviewed English)" if reviewed_pivot else ""), draft.text)]
    pivot_text = reviewed_pivot or draft.pivot
    if pivot_text:
        notes.append("English pivot: " + " ".join(pivot_text.split()))
    return _with_draft(entry, draft.text, *notes)


def _with_draft(entry: Entry, text: str, *notes: str) -> Entry:
    kept = tuple(line for line in entry.extracted if not line.startswith(catalog.STATE_PREFIXES))
    flags = entry.flags if FUZZY in entry.flags else (FUZZY, *entry.flags)
    return dataclasses.replace(entry, msgstr=text, flags=flags, extracted=kept + notes)
