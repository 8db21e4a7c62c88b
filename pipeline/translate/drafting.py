"""Sentence-level drafting shared by every model engine (Argos, LibreTranslate).

:meth:`SentenceEngine.translate_pair` gets every distinct text of a run for
one language pair and:

1. answers what it can from the cache (no inference for unchanged texts);
2. joins hard line breaks, protects non-translatables (:mod:`pipeline.text.protect`)
   and splits into sentences (:mod:`pipeline.translate.sentences`);
3. sends all sentences of a chunk of texts to the model in ONE batch
   (``_translate_sentences``), each distinct sentence once in a run and once
   ever: what the model answered for a sentence (or a fallback piece) is kept
   in the cache's sentence table, so a sentence that recurs in another
   paragraph, document, leg or later run is never inferred again;
4. restores placeholders sentence by sentence; only a sentence whose
   placeholders the model broke is translated again, piece by piece around its
   protected spans, so spans always come back verbatim and the extra work is
   proportional to the damage, not to the paragraph. A model that has broken
   nearly every placeholder it was given in this run (:class:`CopyRecord`) gets
   the rest of those sentences in pieces at once, not twice;
5. stores each finished chunk in the cache, so an interrupted run resumes.

A concrete engine implements :meth:`_model` (what translates a leg),
:meth:`_identity` (model name and version for the cache) and
:meth:`_translate_sentences` (one batched call).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from abc import abstractmethod
from typing import Any, Sequence

from pipeline.translate.engines import Leg, PairEngine, Progress
from pipeline.translate.mtcache import TranslationCache
from pipeline.text.letters import has_letters
from pipeline.text.protect import Protected, protect, restore, split_around
from pipeline.translate.sentences import Sentence, join_lines, split_stripped

_PLACEHOLDER = re.compile(r"[0-9]+")


@dataclass
class DraftingStats:
    """What every model engine counts (mutable on purpose): for tests and the run report."""

    calls: int = 0             # translate_pair calls
    sentences: int = 0         # sentences sent to the model or server
    cached: int = 0            # texts answered from the cache
    sentences_cached: int = 0  # sentences (and fallback pieces) answered from the cache: no inference
    fallbacks: int = 0         # sentences (in place) translated piece by piece around protected spans
    pieces_only: int = 0       # sentences sent straight to the pieces: the model breaks placeholders


#: Sentences with placeholders a model is tried on whole before its record counts, and the share
#: of them it must break for the rest to skip the whole attempt.
PROBE = 16
HOPELESS = 0.9


@dataclass
class CopyRecord:
    """How many sentences with placeholders a model was given whole in this run, and how many it broke.

    A model that keeps placeholders (the digits that stand for URLs, times, phone numbers)
    is always given whole sentences. One that breaks nearly all of them — at least
    ``HOPELESS`` of the first ``PROBE`` or more — would have every such sentence translated
    twice, whole and then in pieces; from then on its sentences with placeholders go
    straight to the pieces. The answer is the same either way (a broken whole translation
    is thrown away), less the sentences the model would have kept.
    """

    tried: int = 0
    broken: int = 0

    def note(self, kept: bool) -> None:
        self.tried += 1
        self.broken += not kept

    def room(self) -> int:
        """Sentences still to try whole before the record counts."""
        return max(0, PROBE - self.tried)

    def hopeless(self) -> bool:
        return self.tried >= PROBE and self.broken >= HOPELESS * self.tried


def needs_model(text: str) -> bool:
    """Only text with letters goes to a model; "10:00" or "—" stay as they are."""
    return has_letters(text)


def _within(core: str, protected: Protected) -> Protected:
    """The placeholders of one sentence, as a Protected of its own."""
    spans = dict(zip(protected.placeholders, protected.spans))
    found = [m.group(0) for m in _PLACEHOLDER.finditer(core)]
    return Protected(core, tuple(spans[p] for p in found), tuple(found))


def _unprotect(core: str, protected: Protected) -> str:
    """The original text of one sentence (placeholders replaced by their spans)."""
    spans = dict(zip(protected.placeholders, protected.spans))
    return _PLACEHOLDER.sub(lambda m: spans[m.group(0)], core)


class SentenceEngine(PairEngine):
    cache: TranslationCache | None = None
    extra_terms: tuple[str, ...] = ()
    chunk_size: int = 64
    stats: Any

    @abstractmethod
    def _model(self, leg: Leg) -> Any:
        """What translates ``leg`` (raises ModelError when nothing does)."""

    @abstractmethod
    def _identity(self, model: Any) -> tuple[str, str]:
        """(model name, model version): the cache key of the model's output."""

    @abstractmethod
    def _translate_sentences(self, model: Any, sentences: list[str]) -> list[str]:
        """One batched call: a translation per sentence, in order, never empty."""

    def translate_pair(self, leg: Leg, texts: Sequence[str], progress: Progress | None = None) -> list[str]:
        self.stats.calls += 1
        model = self._model(leg)
        distinct = list(dict.fromkeys(texts))
        key = (*self._identity(model), leg.source, leg.target)
        results: dict[str, str] = self.cache.get_many(*key, distinct) if self.cache else {}
        self.stats.cached += len(results)
        jobs: list[tuple[str, Protected, list[Sentence]]] = []
        for text in distinct:
            if text in results:
                continue
            if not needs_model(text):
                results[text] = text
                continue
            protected = protect(join_lines(text), self.extra_terms)
            jobs.append((text, protected, split_stripped(protected.text, leg.source)))
        total = len({s.core for _, _, sentences in jobs for s in sentences if needs_model(s.core)})
        memo: dict[str, str] = {}   # sentence or piece → translation, within this call
        if progress and jobs:
            progress(0, total)
        for start in range(0, len(jobs), self.chunk_size):
            chunk = jobs[start: start + self.chunk_size]
            restored = self._draft_chunk(model, key, chunk, memo)
            finished = {text: "".join(s.lead + restored[(j, k)] + s.trail for k, s in enumerate(sentences))
                        for j, (text, _protected, sentences) in enumerate(chunk)}
            results.update(finished)
            if self.cache is not None:
                self.cache.put_many(*key, finished)
            if progress:
                progress(min(total, len(memo)), total)
        return [results[text] for text in texts]

    def _draft_chunk(self, model: Any, key: tuple[str, str, str, str],
                     chunk: list[tuple[str, Protected, list[Sentence]]],
                     memo: dict[str, str]) -> dict[tuple[int, int], str]:
        """Every sentence of ``chunk`` translated and restored, keyed by (text, sentence) index.

        Plain sentences and the first sentences with placeholders go to the model in one
        batched call; the model's record on those placeholders (:class:`CopyRecord`) decides
        whether the other sentences with placeholders are tried whole too, or — when the model
        has shown it breaks nearly all of them — go straight to the piece-by-piece fallback,
        instead of being translated twice.
        """
        first: dict[str, Protected] = {}   # each distinct sentence that needs the model → a text it is in
        for _text, protected, sentences in chunk:
            for sentence in sentences:
                if needs_model(sentence.core):
                    first.setdefault(sentence.core, protected)
        plain = [core for core in first if not _PLACEHOLDER.search(core)]
        marked = [core for core in first if _PLACEHOLDER.search(core)]
        record = self._copy_record(key)
        judged: set[str] = set()

        def judge(cores: list[str]) -> None:
            for core in cores:
                if core in memo and core not in judged:
                    judged.add(core)
                    record.note(restore(memo[core], _within(core, first[core])) is not None)

        self._recall(key, marked, memo)   # whole translations known from earlier runs cost nothing
        judge(marked)
        untried = [core for core in marked if core not in memo]
        if record.hopeless():
            probe: list[str] = []
        else:
            probe = untried[: record.room()] if record.room() else untried
        self._fill(model, key, plain + probe, memo)
        judge(probe)
        whole = [core for core in untried if core not in memo]
        if record.hopeless():   # not worth a whole attempt: it would only be translated again in pieces
            self.stats.pieces_only += len(whole)
            whole = []
        settled = set(marked) - set(whole)
        # The pieces of what is settled go in the same call as the remaining whole sentences.
        self._fill(model, key, whole + self._pieces(chunk, settled, memo), memo)
        judge(whole)
        self._fill(model, key, self._pieces(chunk, set(whole), memo), memo)

        restored: dict[tuple[int, int], str] = {}
        for j, (_text, protected, sentences) in enumerate(chunk):
            for k, sentence in enumerate(sentences):
                if not needs_model(sentence.core):
                    restored[(j, k)] = _unprotect(sentence.core, protected)
                    continue
                back = self._whole(sentence.core, protected, memo)
                if back is None:
                    self.stats.fallbacks += 1
                    back = "".join(_translate_piece(p, memo) if not kept and needs_model(p) else p
                                   for p, kept in split_around(_unprotect(sentence.core, protected), self.extra_terms))
                restored[(j, k)] = back
        return restored

    @staticmethod
    def _whole(core: str, protected: Protected, memo: dict[str, str]) -> str | None:
        """The sentence's whole translation with its spans restored; None if untried or broken."""
        return restore(memo[core], _within(core, protected)) if core in memo else None

    def _pieces(self, chunk: list[tuple[str, Protected, list[Sentence]]], cores: set[str],
                memo: dict[str, str]) -> list[str]:
        """The pieces around protected spans of each place of ``cores`` without a good whole translation."""
        out: list[str] = []
        for _text, protected, sentences in chunk:
            for sentence in sentences:
                if sentence.core in cores and self._whole(sentence.core, protected, memo) is None:
                    out.extend(p.strip() for p, kept in split_around(_unprotect(sentence.core, protected), self.extra_terms)
                               if not kept and needs_model(p))
        return out

    def _copy_record(self, key: tuple[str, str, str, str]) -> "CopyRecord":
        records = self.__dict__.setdefault("_copy_records", {})
        return records.setdefault(key, CopyRecord())

    def _recall(self, key: tuple[str, str, str, str], texts: list[str], memo: dict[str, str]) -> list[str]:
        """Put what the sentence cache knows of ``texts`` into ``memo``; the rest, still to translate."""
        todo = [t for t in dict.fromkeys(texts) if t not in memo]
        if todo and self.cache is not None:
            known = self.cache.get_many(*key, todo, kind="sentence")
            if known:
                self.stats.sentences_cached += len(known)
                memo.update(known)
                todo = [t for t in todo if t not in known]
        return todo

    def _fill(self, model: Any, key: tuple[str, str, str, str], texts: list[str], memo: dict[str, str]) -> None:
        """Translate the texts neither in ``memo`` nor in the sentence cache in one batched call."""
        todo = self._recall(key, texts, memo)
        if todo:
            fresh = dict(zip(todo, self._translate_sentences(model, todo)))
            memo.update(fresh)
            if self.cache is not None:
                self.cache.put_many(*key, fresh, kind="sentence")


def _translate_piece(piece: str, memo: dict[str, str]) -> str:
    """A piece between protected spans keeps its surrounding whitespace."""
    stripped = piece.strip()
    if not stripped:
        return piece
    lead = piece[: len(piece) - len(piece.lstrip())]
    trail = piece[len(piece.rstrip()):]
    return lead + memo.get(stripped, stripped).strip() + trail
