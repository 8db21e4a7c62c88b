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
   proportional to the damage, not to the paragraph;
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
    fallbacks: int = 0         # texts translated piece by piece around protected spans


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
            self._fill(model, key, [s.core for _, _, sentences in chunk for s in sentences if needs_model(s.core)], memo)
            restored: dict[tuple[int, int], str] = {}
            broken: list[tuple[int, int, list[tuple[str, bool]]]] = []
            for j, (_text, protected, sentences) in enumerate(chunk):
                for k, sentence in enumerate(sentences):
                    if not needs_model(sentence.core):
                        restored[(j, k)] = _unprotect(sentence.core, protected)
                        continue
                    back = restore(memo[sentence.core], _within(sentence.core, protected))
                    if back is None:
                        pieces = split_around(_unprotect(sentence.core, protected), self.extra_terms)
                        broken.append((j, k, pieces))
                    else:
                        restored[(j, k)] = back
            if broken:
                self.stats.fallbacks += len(broken)
                self._fill(model, key, [p.strip() for _, _, pieces in broken for p, kept in pieces if not kept and needs_model(p)], memo)
                for j, k, pieces in broken:
                    restored[(j, k)] = "".join(_translate_piece(p, memo) if not kept and needs_model(p) else p
                                               for p, kept in pieces)
            finished = {text: "".join(s.lead + restored[(j, k)] + s.trail for k, s in enumerate(sentences))
                        for j, (text, _protected, sentences) in enumerate(chunk)}
            results.update(finished)
            if self.cache is not None:
                self.cache.put_many(*key, finished)
            if progress:
                progress(min(total, len(memo)), total)
        return [results[text] for text in texts]

    def _fill(self, model: Any, key: tuple[str, str, str, str], texts: list[str], memo: dict[str, str]) -> None:
        """Translate the texts neither in ``memo`` nor in the sentence cache in one batched call."""
        todo = [t for t in dict.fromkeys(texts) if t not in memo]
        if todo and self.cache is not None:
            known = self.cache.get_many(*key, todo, kind="sentence")
            if known:
                self.stats.sentences_cached += len(known)
                memo.update(known)
                todo = [t for t in todo if t not in known]
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
