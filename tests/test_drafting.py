"""The shared drafting steps (pipeline.translate.drafting) with a scripted model: no inference needed."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.translate.drafting import SentenceEngine
from pipeline.translate.engines import Leg
from pipeline.translate.mtcache import TranslationCache

LEG = Leg("pl", "en", "scripted 1.0")


@dataclass
class Stats:
    calls: int = 0
    cached: int = 0
    fallbacks: int = 0


class Scripted(SentenceEngine):
    """Upper-cases sentences; 'breaks' placeholders of sentences containing 'ZEPSUJ'."""

    name = "scripted"

    def __init__(self, cache=None):
        self.stats = Stats()
        self.cache = cache
        self.batches: list[list[str]] = []

    def legs(self):
        return (LEG,)

    def _model(self, leg):
        return leg

    def _identity(self, leg):
        return "scripted", "1.0"

    def _translate_sentences(self, model, sentences):
        self.batches.append(list(sentences))
        return [s.upper().replace("1", "7") if "ZEPSUJ" in s.upper() else s.upper() for s in sentences]


def test_only_the_broken_sentence_is_translated_again():
    engine = Scripted()
    text = "Czytelnia działa bez zmian. Zepsuj link https://x.pl/a teraz. Dzwoń pod 22 123 45 67."
    out = engine.translate_pair(LEG, [text])[0]
    assert out == "CZYTELNIA DZIAŁA BEZ ZMIAN. ZEPSUJ LINK https://x.pl/a TERAZ. DZWOŃ POD 22 123 45 67."
    assert engine.stats.fallbacks == 1
    first, second = engine.batches
    assert len(first) == 3                          # every sentence once, in one batch
    assert second == ["Zepsuj link", "teraz."]      # only the pieces of the broken sentence


def test_each_distinct_sentence_goes_to_the_model_once():
    engine = Scripted()
    texts = ["Wstęp wolny. Zapraszamy!", "Zapraszamy! Do zobaczenia.", "Wstęp wolny. Zapraszamy!"]
    out = engine.translate_pair(LEG, texts)
    assert out == ["WSTĘP WOLNY. ZAPRASZAMY!", "ZAPRASZAMY! DO ZOBACZENIA.", "WSTĘP WOLNY. ZAPRASZAMY!"]
    assert engine.batches == [["Wstęp wolny.", "Zapraszamy!", "Do zobaczenia."]]


def test_texts_without_letters_and_cached_texts_need_no_model(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite")
    engine = Scripted(cache)
    assert engine.translate_pair(LEG, ["10:00–12:00", "Biblioteka\nul. Długa 5"]) == ["10:00–12:00", "BIBLIOTEKA UL. DŁUGA 5"]
    again = Scripted(cache)
    assert again.translate_pair(LEG, ["Biblioteka\nul. Długa 5"]) == ["BIBLIOTEKA UL. DŁUGA 5"]
    assert again.batches == [] and again.stats.cached == 1
