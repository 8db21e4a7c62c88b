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
from typing import TYPE_CHECKING, Callable, Sequence

from pipeline.catalogs import catalog
from pipeline.catalogs.catalog import FUZZY, Catalog, Entry
from pipeline.config import Settings
from pipeline.errors import ConflictError
from pipeline.translate.engines import Draft, Engine, Progress, TranslationRequest
from pipeline.documents import formats
from pipeline.documents.segmentation import SegmentedDocument, is_translatable
from pipeline.documents.sources import SourceDocument, load_sources

if TYPE_CHECKING:  # the PO reader, the memory and the detector are imported when a run really works;
    # a no-change re-run (pipeline.runstate) needs none of them (bench/startup.py)
    from pipeline import fsutil
    from pipeline.catalogs import memory
    from pipeline.documents.languages import DocumentLanguage

Notify = Callable[[str], None]
#: ``progress(stage, done, total)``: how far a long stage has come. Stages: :data:`READING`,
#: :data:`DETECTING`, ``"translating <src>→<dst>"`` per model leg, :data:`WRITING`. The CLI
#: draws a bar per stage on a terminal or prints one line per stage in a log.
StageProgress = Callable[[str, int, int], None]
READING, DETECTING, WRITING, TRANSLATING = "reading", "detecting languages", "writing", "translating"


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
    memory: int = 0            # entries pre-filled from the translation memory


@dataclass(frozen=True)
class RunReport:
    documents: tuple[PreparedDocument, ...]
    catalogs: tuple[CatalogOutcome, ...]
    skipped: tuple[tuple[str, str], ...]   # (source ref, reason)
    engine: str
    has_models: bool
    inference: tuple[tuple[str, int], ...] = ()   # engine counters, e.g. (("sentences", 120), ("cached", 4))
    untranslated: int = 0                          # entries left with an empty msgstr after this run

    @property
    def drafts(self) -> int:
        return sum(c.drafts for c in self.catalogs)

    @property
    def written(self) -> int:
        return sum(1 for c in self.catalogs if c.written)

    @property
    def memory(self) -> int:
        return sum(c.memory for c in self.catalogs)


def prepare(settings: Settings, progress: StageProgress | None = None, sources: Sequence[SourceDocument] | None = None,
            *, remember: bool = False) -> tuple[list[PreparedDocument], list[tuple[str, str]]]:
    """Read, segment and detect every source (or the ``sources`` given); empty ones are skipped with a reason.

    ``remember``: keep what detection found in ``.outreach/`` and use what earlier runs found
    (:mod:`pipeline.documents.detected`), so unchanged paragraphs are not detected again."""
    from pipeline.documents.detection import Detector

    detector = Detector(settings.detect_languages)
    if remember:
        from pipeline.documents.detected import DetectionStore

        detector.store = DetectionStore.in_folder(settings.cache_dir, detector.configuration())
    try:
        return _prepare(settings, detector, progress, sources)
    finally:
        if detector.store is not None:
            detector.store.close()


def _prepare(settings: Settings, detector, progress: StageProgress | None, sources: Sequence[SourceDocument] | None,
             ) -> tuple[list[PreparedDocument], list[tuple[str, str]]]:
    prepared, skipped = [], []
    if sources is None:
        sources = load_sources(settings.sources_dir, settings.workspace,
                               progress=_stage(progress, READING))
    for number, source in enumerate(sources, 1):
        if progress:
            progress(DETECTING, number - 1, len(sources))
        segmented = formats.segment(source)
        if not any(is_translatable(s.text) for s in segmented.segments):
            skipped.append((source.ref, "no text to translate (empty file)"))
            continue
        texts = [s.text for s in segmented.segments]
        language = detector.detect_document(texts, [s.line for s in segmented.segments], default=settings.source_language)
        prepared.append(PreparedDocument(source, segmented, language))
    if progress and sources:
        progress(DETECTING, len(sources), len(sources))
    return prepared, skipped


def _stage(progress: StageProgress | None, stage: str) -> Callable[[int, int], None] | None:
    return None if progress is None else (lambda done, total: progress(stage, done, total))


class _LegProgress:
    """The engine's ``progress(done, total)``, named per model leg ("translating pl→en")."""

    def __init__(self, progress: StageProgress):
        self.progress = progress

    def __call__(self, done: int, total: int) -> None:
        self.progress(TRANSLATING, done, total)

    def for_leg(self, leg) -> Progress:
        return lambda done, total: self.progress(f"{TRANSLATING} {leg.source}→{leg.target}", done, total)


def template_for(doc: PreparedDocument, glossary=None, languages: Sequence[str] = ()) -> tuple[Entry, ...]:
    """The template entries of one document: msgids, references, extracted comments.

    With a :class:`pipeline.catalogs.glossary.Glossary`, entries that contain a glossary term get
    ``glossary: <term> → <lang>: <translation>`` / ``do not translate: <name>`` notes for
    ``languages`` (template comments, so they follow the glossary on every run).
    """
    occurrences = []
    for seg, seg_lang in zip(doc.segmented.segments, doc.language.segments):
        if not is_translatable(seg.text):
            continue
        notes = []
        if seg.kind != "paragraph":
            notes.append(f"type: {seg.kind}")
        if seg_lang.lang != doc.language.lang:
            notes.append(f"language: {seg_lang.lang} ({seg_lang.probability:.2f}), document: {doc.language.lang}")
        if glossary:
            notes.extend(glossary.notes(seg.text, tuple(languages)))
        occurrences.append((seg.text, f"{doc.source.ref}:{seg.line}", tuple(notes)))
    return catalog.template_entries(occurrences)


def run(settings: Settings, engine: Engine, *, purge_obsolete: bool = False, notify: Notify | None = None,
        progress: StageProgress | None = None, trust_memory: bool = False) -> RunReport:
    """``notify`` gets messages worth a line each; ``progress`` follows each long stage
    (:data:`StageProgress`: files read, documents detected, sentences through each model
    leg, catalogues written); ``trust_memory`` accepts exact translation-memory matches as reviewed.
    When nothing the run reads has changed since the last run, that run's report comes back
    at the cost of one hash per file (:mod:`pipeline.runstate`)."""
    from pipeline import runstate

    flags = {"purge_obsolete": purge_obsolete, "trust_memory": trust_memory}
    sources_before = runstate.sources_part(settings) if runstate.applies(engine) else None
    key = runstate.inputs_key(settings, engine, flags, sources_before) if sources_before is not None else None
    saved = runstate.load(settings, key)
    if saved is not None:
        unchanged = _unchanged_report(saved, engine)
        if unchanged is not None:
            return unchanged
    report = _run(settings, engine, purge_obsolete=purge_obsolete, notify=notify, progress=progress,
                  trust_memory=trust_memory)
    if sources_before is not None:
        runstate.save(settings, runstate.inputs_key(settings, engine, flags, sources_before), _record(report))
    return report


def _record(report: RunReport) -> dict:
    """What a no-change re-run reports: the documents as detected, every catalogue unchanged."""
    from pipeline import runstate

    return {
        "documents": [{"source": {k: str(v) for k, v in vars(d.source).items() if k not in ("text", "data")},
                       "segments": [runstate.as_record(s) for s in d.segmented.segments],
                       "language": runstate.as_record(d.language)} for d in report.documents],
        "catalogs": [{"path": str(c.path), "language": c.language, "entries": c.entries} for c in report.catalogs],
        "skipped": [list(s) for s in report.skipped],
        "untranslated": report.untranslated,
    }


def _unchanged_report(saved: dict, engine: Engine) -> RunReport | None:
    from pipeline.documents.languages import DocumentLanguage, SegmentLanguage
    from pipeline.documents.segmentation import Segment

    try:
        documents = []
        for d in saved["documents"]:
            src = d["source"]
            lang = d["language"]
            documents.append(PreparedDocument(
                SourceDocument(Path(src["path"]), src["ref"], src["doc_id"], src["format"], "", src["encoding"]),
                SegmentedDocument(tuple(Segment(**s) for s in d["segments"]), ()),
                DocumentLanguage(lang["lang"], lang["probability"], tuple(SegmentLanguage(**s) for s in lang["segments"]))))
        catalogs = tuple(CatalogOutcome(Path(c["path"]), c["language"], c["entries"]) for c in saved["catalogs"])
        skipped = tuple((str(a), str(b)) for a, b in saved["skipped"])
        untranslated = int(saved["untranslated"])
    except (KeyError, TypeError, ValueError):
        return None
    stats = getattr(engine, "stats", None)
    inference = tuple(vars(stats).items()) if stats is not None else ()
    return RunReport(tuple(documents), catalogs, skipped, engine.name, engine.has_models, inference, untranslated)


def _run(settings: Settings, engine: Engine, *, purge_obsolete: bool, notify: Notify | None,
         progress: StageProgress | None, trust_memory: bool) -> RunReport:
    from pipeline.catalogs import memory, pofile

    documents, skipped = prepare(settings, progress, remember=True)
    from pipeline.catalogs.glossary import load as load_glossary

    terms = load_glossary(settings)
    templates = {doc.source.doc_id: template_for(doc, terms, settings.target_languages) for doc in documents}
    # Every existing catalogue is read and merged before anything is written: a syntax error stops
    # the run with nothing written. One at a time: each is merged as soon as it is read and only
    # what the rest of the run needs of it is kept (_slim), so two 58 MB catalogues are never held
    # whole at once. What each file was when read is kept, so a reviewer's save during the run is
    # never overwritten.
    existing: dict[tuple[str, str], Catalog | None] = {}
    seen: dict[tuple[str, str], fsutil.Fingerprint | None] = {}
    changed: dict[tuple[str, str], bool] = {}
    merged: dict[tuple[str, str], list[Entry]] = {}
    for doc in documents:
        for lang in settings.target_languages:
            key = (doc.source.doc_id, lang)
            old, seen[key] = _read_fingerprinted(settings.catalog_path(*key))
            result = catalog.merge(templates[doc.source.doc_id], old, purge_obsolete=purge_obsolete)
            merged[key] = list(result.entries)
            existing[key] = _slim(old, merged[key])
            changed[key] = bool(result.new or result.carried_fuzzy or result.obsoleted or result.revived)
            del old, result

    # The memory holds what this run keeps as reviewed (merged catalogues) plus every other catalogue.
    tm = memory.load(settings, {key: Catalog(entries=tuple(entries), header=()) for key, entries in merged.items()})
    counts = _fill_drafts(settings, engine, documents, merged, notify, _LegProgress(progress) if progress else None,
                          existing=existing, tm=tm, trust_memory=trust_memory)

    outcomes: list[CatalogOutcome] = []
    conflicts: list[Path] = []
    writes = len(documents) * (1 + len(settings.target_languages))
    for doc in documents:
        doc_id = doc.source.doc_id
        if progress:
            progress(WRITING, len(outcomes), writes)
        pot = catalog.Catalog(
            entries=templates[doc_id],
            # the old template's header only: write_catalog reads the rest if its bytes differ
            header=pofile.build_header(language=None, project=_project(settings, doc_id), template=True,
                                       existing=pofile.read_header(settings.template_path(doc_id))),
            header_flags=(FUZZY,),
        )
        outcomes.append(_write(settings.template_path(doc_id), pot, None, len(pot.entries)))
        for lang in settings.target_languages:
            key = (doc_id, lang)
            path = settings.catalog_path(doc_id, lang)
            for _attempt in range(ATTEMPTS):
                po = Catalog(
                    entries=tuple(merged[key]),
                    header=pofile.build_header(language=lang, project=_project(settings, doc_id), template=False,
                                               existing=existing[key]),
                    header_comment=existing[key].header_comment if existing[key] is not None else "",  # type: ignore[union-attr]
                )
                drafts, copied, remembered = counts.get(key, (0, 0, 0))
                active = sum(1 for e in po.entries if not e.obsolete)
                try:
                    outcomes.append(_write(path, po, lang, active, drafts, copied, remembered, expected=seen[key],
                                           changed=changed.get(key, False)))
                    break
                except ConflictError:
                    # Saved by someone else since it was read: merge again from what they saved.
                    if notify:
                        notify(f"{settings.display_path(path)}: saved by someone else during the run; "
                               "merging again from the saved file")
                    old, seen[key] = _read_fingerprinted(path)
                    merged[key] = list(catalog.merge(templates[doc_id], old, purge_obsolete=purge_obsolete).entries)
                    existing[key], changed[key] = _slim(old, merged[key]), False
                    del old
                    counts.update(_fill_drafts(settings, engine, [doc], merged, None, None, existing=existing,
                                               tm=tm, trust_memory=trust_memory, only={key}))
            else:
                conflicts.append(path)
    if progress and writes:
        progress(WRITING, len(outcomes), writes)
    if conflicts:
        raise ConflictError(f"changed on disk again and again during the run (saved by someone else?); left as "
                            f"saved{f' with {len(conflicts) - 1} more' if len(conflicts) > 1 else ''}: run again",
                            path=settings.display_path(conflicts[0]))
    stats = getattr(engine, "stats", None)
    inference = tuple(vars(stats).items()) if stats is not None else ()
    untranslated = sum(1 for entries in merged.values() for e in entries if not e.obsolete and e.untranslated)
    return RunReport(tuple(documents), tuple(outcomes), tuple(skipped), engine.name, engine.has_models, inference,
                     untranslated)


def _project(settings: Settings, doc_id: str) -> str:
    return f"{settings.project} {doc_id}"


def _slim(old: Catalog | None, merged: Sequence[Entry]) -> Catalog | None:
    """What a run needs of a catalogue once it is merged: its header, and the old entries that
    :func:`replaceable` looks up (those of stale merged entries and of their previous msgids), in
    their order. The rest of the old entries are in ``merged`` or gone."""
    if old is None:
        return None
    wanted = set()
    for entry in merged:
        if entry.previous_msgid is not None and not entry.obsolete:
            wanted.add(entry.key)
            wanted.add((entry.msgctxt, entry.previous_msgid))
    return dataclasses.replace(old, entries=tuple(e for e in old.entries if e.key in wanted))


def _read_fingerprinted(path: Path) -> tuple[Catalog | None, fsutil.Fingerprint | None]:
    from pipeline.catalogs import pofile

    return pofile.read_fingerprinted(path) if path.exists() else (None, None)


#: How often a catalogue saved by someone else during the run is merged again before giving up.
ATTEMPTS = 3


def _write(path: Path, cat: Catalog, lang: str | None, entries: int, drafts: int = 0, copied: int = 0,
           remembered: int = 0, **options) -> CatalogOutcome:
    from pipeline.catalogs import pofile

    written = pofile.write_catalog(path, cat, **options)
    return CatalogOutcome(path, lang, entries, drafts, copied, written, remembered)


# Which entries a run may give a (new) draft: nobody's work is in them.
EMPTY, DRAFT, SUGGESTION, OUTDATED = "empty", "machine draft", "memory suggestion", "outdated"


def replaceable(entry: Entry, before: dict[tuple[str | None, str], Entry]) -> str | None:
    """Why a run may (re)write ``entry``'s msgstr, or None when it belongs to a human.

    ``before`` holds the catalogue's entries as read before the merge, by key.
    EMPTY: no translation. DRAFT / SUGGESTION: an untouched machine draft /
    exact memory suggestion (fuzzy, checksum still matching). OUTDATED: carried
    in *this* run (fuzzy, ``#| msgid``) from an old paragraph whose text was an
    untouched machine draft, memory suggestion or copy — a fresh draft of the
    new paragraph is better than a machine draft of the old one. Reviewed
    entries, human drafts and every other stale entry (a carried translation a
    human wrote or accepted) are never replaced.
    """
    if entry.obsolete:
        return None
    state = catalog.entry_state(entry)
    if state == catalog.UNTRANSLATED:
        return EMPTY
    if state == catalog.MACHINE_DRAFT:
        return DRAFT
    if state == catalog.MEMORY_SUGGESTION:
        return SUGGESTION
    if state == catalog.STALE and entry.key not in before:
        old = before.get((entry.msgctxt, entry.previous_msgid or ""))
        if old is not None and old.fuzzy and old.previous_msgid is None and catalog.entry_state(
                dataclasses.replace(old, obsolete=False)) in (catalog.MACHINE_DRAFT, catalog.MEMORY_SUGGESTION, catalog.COPY):
            return OUTDATED
    return None


def _fill_drafts(settings: Settings, engine: Engine, documents: Sequence[PreparedDocument],
                 merged: dict[tuple[str, str], list[Entry]], notify: Notify | None,
                 mt_progress: Progress | None, *, existing: dict[tuple[str, str], Catalog | None] | None = None,
                 tm: memory.TranslationMemory | None = None, trust_memory: bool = False,
                 only: set[tuple[str, str]] | None = None) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Give every entry nobody owns (:func:`replaceable`) its best draft, in this order:
    a copy (paragraph already in the target language), an exact or near (≥ 80 %)
    translation-memory match, a machine draft — all machine drafts of the run
    in one batched engine call. An untouched machine draft is redone only when
    the engine would now write it differently (another model version, or the
    English it was pivoted through is now reviewed). ``only``: the catalogues to fill (default: all)."""
    pivot = settings.pivot_language
    jobs: list[tuple[tuple[str, str], int, TranslationRequest, str | None]] = []
    copied: dict[tuple[str, str], int] = {}
    remembered: dict[tuple[str, str], int] = {}
    langs = sorted(settings.target_languages, key=lambda lang: lang != pivot)  # the pivot first
    for doc in documents:
        seg_langs = doc.segment_languages()
        doc_id = doc.source.doc_id
        reviewed_pivot: dict[str, str] = {}
        for lang in langs:
            key = (doc_id, lang)
            entries = merged[key]
            if only is not None and key not in only:
                if lang == pivot:
                    reviewed_pivot = {e.msgid: e.msgstr for e in entries if e.translated and not e.obsolete}
                continue
            old = existing.get(key) if existing else None
            before = {} if old is None else {e.key: e for e in reversed(old.entries)}  # active entries win
            for i, entry in enumerate(entries):
                kind = replaceable(entry, before)
                if kind is None:
                    continue
                seg_lang = seg_langs.get(entry.msgid, doc.language.lang)
                if seg_lang in (lang, lang.split("_")[0]):  # a regional target detects as its base language
                    if kind in (EMPTY, OUTDATED):
                        entries[i] = _with_draft(entry, entry.msgid, "copy",
                                                 f"copied from source: the paragraph is already in {lang}")
                        copied[key] = copied.get(key, 0) + 1
                    continue
                match = tm.lookup(entry.msgid, lang) if tm is not None else None
                if match is not None:
                    suggestion = _suggestion(entry, match, trust_memory)
                    if suggestion != entry:
                        entries[i] = suggestion
                        remembered[key] = remembered.get(key, 0) + 1
                    continue
                if kind == SUGGESTION:
                    continue  # its memory entry is gone: keep it rather than fall back to a machine draft
                if lang != pivot and entry.msgid in reviewed_pivot:
                    text = reviewed_pivot[entry.msgid]
                    request, via = TranslationRequest(text, pivot, lang), text
                else:
                    request, via = TranslationRequest(entry.msgid, seg_lang, lang), None
                if kind == DRAFT and _up_to_date(entry, engine, request, via):
                    restated = _restated(entry, engine, request, via)
                    if restated is not None:
                        entries[i] = restated
                        continue
                jobs.append((key, i, request, via))
            if lang == pivot:
                reviewed_pivot = {e.msgid: e.msgstr for e in entries if e.translated and not e.obsolete}
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
    return {key: (drafts.get(key, 0), copied.get(key, 0), remembered.get(key, 0))
            for key in set(drafts) | set(copied) | set(remembered)}


def _up_to_date(entry: Entry, engine: Engine, request: TranslationRequest, via: str | None) -> bool:
    """True when a new machine draft of ``entry`` would come from the same models and the same English."""
    route = engine.route(request.source, request.target)
    if route is None:
        return True  # this engine cannot do better: keep the draft
    record = catalog.draft_record(entry)
    return record is not None and record.describes(_note(engine.describe(route), via), via if via is not None else ...)


def _note(described: str, via: str | None) -> str:
    return described + (" (from the reviewed English)" if via is not None else "")


def _restated(entry: Entry, engine: Engine, request: TranslationRequest, via: str | None) -> Entry | None:
    """An up-to-date machine draft with its state written the current way, when it needs that: read
    from an older catalogue's extracted comments, or its note lost (msgmerge, a hand edit) while its
    token still proves it. None when it is fine as it is, or when only the engine knows the lost
    English pivot (it is then redrafted: from the cache, the same text)."""
    record = catalog.draft_record(entry)
    route = engine.route(request.source, request.target)
    if record is None or route is None or (record.shown and not record.legacy):
        return entry
    note = _note(engine.describe(route), via)
    if record.legacy:
        pivot = next((line[len(catalog.PIVOT):] for line in entry.extracted if line.startswith(catalog.PIVOT)), None)
    elif via is not None or record.pivot_sum is None:
        pivot = via
    else:
        return None
    return _with_draft(entry, entry.msgstr, "mt", note, pivot)


def _suggestion(entry: Entry, match: memory.Match, trusted: bool) -> Entry:
    """``entry`` pre-filled from the memory: fuzzy (an exact match is accepted when ``trusted``),
    a near match with the memory's source text as the previous msgid."""
    suggested = _with_draft(entry, match.target, "tm", match.note)
    if not match.exact:
        return dataclasses.replace(suggested, previous_msgid=match.source)
    if trusted:
        return dataclasses.replace(suggested, flags=tuple(f for f in suggested.flags if f != FUZZY))
    return suggested


def _apply(entry: Entry, draft: Draft, reviewed_pivot: str | None) -> Entry:
    note = draft.note + (" (from the reviewed English)" if reviewed_pivot else "")
    return _with_draft(entry, draft.text, "mt", note, reviewed_pivot or draft.pivot or None)


def _with_draft(entry: Entry, text: str, kind: str, note: str, pivot: str | None = None) -> Entry:
    """``entry`` with a run's ``text``: fuzzy, its note and proof in the translator comments
    (:func:`catalog.state_comments`), an older catalogue's state comments dropped."""
    kept = tuple(line for line in entry.extracted if not line.startswith(catalog.STATE_PREFIXES))
    flags = entry.flags if FUZZY in entry.flags else (FUZZY, *entry.flags)
    comments = catalog.state_comments(entry, kind, text, note, pivot)
    return dataclasses.replace(entry, msgstr=text, flags=flags, extracted=kept, comments=comments,
                               previous_msgid=None, previous_msgctxt=None)
