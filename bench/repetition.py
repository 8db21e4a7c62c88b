#!/usr/bin/env python3
"""How many sentences go to the model, with and without sentence-level reuse (counts, no timing).

    .venv/bin/python bench/repetition.py

Drives the real drafting code (``pipeline.translate.drafting.SentenceEngine``:
cache, protection, sentence split, fallback) with a counting stand-in model, on
the benchmark corpus and on ``corpus.month_documents()`` (a month of daily
announcements where venues, opening hours and "Wstęp wolny." recur), in two
ways: all documents in one run, and one run per day as the month goes by (each
day's run sees that day's new document; the cache keeps what earlier days
translated). "paragraph cache only" is the engine as it was before: finished
paragraphs cached across runs, sentences de-duplicated only within a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from pipeline.translate import drafting  # noqa: E402
from pipeline.translate.drafting import DraftingStats, SentenceEngine  # noqa: E402
from pipeline.translate.engines import Leg  # noqa: E402
from pipeline.translate.mtcache import TranslationCache  # noqa: E402

LEG = Leg("pl", "en", "counting 1.0")


@dataclass
class Stats(DraftingStats):
    sentences: int = 0


class Counting(SentenceEngine):
    """Answers every sentence with itself (placeholders kept): counts what reaches the model."""

    name = "counting"

    def __init__(self, cache, sentence_cache: bool):
        self.cache, self.stats, self.sentence_cache = cache, Stats(), sentence_cache

    def legs(self):
        return (LEG,)

    def _model(self, leg):
        return leg

    def _identity(self, leg):
        return "counting", "1.0"

    def _translate_sentences(self, model, sentences):
        self.stats.sentences += len(sentences)
        return list(sentences)

    def _recall(self, key, texts, memo):
        if self.sentence_cache:
            return super()._recall(key, texts, memo)
        return [t for t in dict.fromkeys(texts) if t not in memo]   # the engine before: no sentence table

    def _fill(self, model, key, texts, memo):
        if self.sentence_cache:
            return super()._fill(model, key, texts, memo)
        todo = self._recall(key, texts, memo)
        if todo:
            memo.update(zip(todo, self._translate_sentences(model, todo)))


def model_sentences(days: list[list[str]], sentence_cache: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cache = TranslationCache(Path(tmp) / "c.sqlite")
        total = 0
        for paragraphs in days:
            engine = Counting(cache, sentence_cache)
            engine.translate_pair(LEG, paragraphs)
            total += engine.stats.sentences
        cache.close()
    return total


class Breaking(Counting):
    """Answers every sentence with itself but every digit run doubled: no placeholder survives."""

    name = "breaking"

    def _translate_sentences(self, model, sentences):
        self.stats.sentences += len(sentences)
        return [re.sub(r"[0-9]+", lambda m: m.group(0) * 2, s) for s in sentences]


def sequences_when_broken(paragraphs: list[str], record: bool) -> tuple[int, int]:
    """(sequences sent to the model, sentences with placeholders) for a model that breaks them all;
    ``record`` False is the engine before the copy record: every such sentence tried whole first."""
    saved = drafting.HOPELESS
    drafting.HOPELESS = saved if record else 2.0   # never hopeless: the old behaviour
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cache = TranslationCache(Path(tmp) / "c.sqlite")
            engine = Breaking(cache, True)
            engine.translate_pair(LEG, paragraphs)
            cache.close()
    finally:
        drafting.HOPELESS = saved
    return engine.stats.sentences, engine.stats.fallbacks


def main() -> None:
    import corpus

    from pipeline.translate.sentences import join_lines, split_stripped

    cases = {"benchmark corpus (corpus_pl.txt)": corpus.acceptance_documents(),
             "month of announcements (bench/corpus.py)": corpus.month_documents()}
    print("sentences sent to the model (paragraph cache only → with sentence-level reuse):")
    for name, documents in cases.items():
        paragraphs = [p for doc in documents.values() for p in doc]
        sentences = [s.core for p in paragraphs for s in split_stripped(join_lines(p), "pl") if s.core]
        one_run = [paragraphs]
        per_day = list(documents.values())
        print(f"\n{name}: {len(documents)} documents, {len(paragraphs)} paragraphs "
              f"({len(set(paragraphs))} distinct), {len(sentences)} sentences ({len(set(sentences))} distinct)")
        for label, runs in (("all documents in one run", one_run), ("one run per document, in order", per_day)):
            old, new = model_sentences(runs, False), model_sentences(runs, True)
            print(f"  {label}: {old} → {new}" + (f"  ({100 * (old - new) / old:.0f} % fewer)" if old else ""))
    paragraphs = [p for doc in corpus.acceptance_documents().values() for p in doc]
    (old, broken), (new, _) = sequences_when_broken(paragraphs, False), sequences_when_broken(paragraphs, True)
    print(f"\na model that breaks every placeholder, benchmark corpus in one run ({broken} sentences hold one):"
          f"\n  sequences sent to the model, every such sentence tried whole first → with the copy record"
          f" (pieces at once after {drafting.PROBE} broken): {old} → {new}  ({100 * (old - new) / old:.0f} % fewer)")


if __name__ == "__main__":
    main()
