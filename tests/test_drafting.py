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
    sentences_cached: int = 0
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


def test_a_sentence_known_from_another_paragraph_is_not_inferred_again(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite")
    first = Scripted(cache)
    first.translate_pair(LEG, ["Koncert w sobotę. Wstęp wolny."])
    again = Scripted(cache)   # a later run: a new paragraph sharing one sentence
    out = again.translate_pair(LEG, ["Wykład w piątek. Wstęp wolny."])
    assert out == ["WYKŁAD W PIĄTEK. WSTĘP WOLNY."]
    assert again.batches == [["Wykład w piątek."]]
    assert again.stats.sentences_cached == 1 and again.stats.cached == 0


def test_fallback_pieces_are_remembered_too(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite")
    text = "Zepsuj link https://x.pl/a teraz."
    Scripted(cache).translate_pair(LEG, [text])
    again = Scripted(cache)
    # Another paragraph with the same broken sentence: neither the sentence nor its pieces go to the model.
    assert again.translate_pair(LEG, [text + " Dziękujemy."]) == ["ZEPSUJ LINK https://x.pl/a TERAZ. DZIĘKUJEMY."]
    assert again.batches == [["Dziękujemy."]]
    assert again.stats.fallbacks == 1


def test_sentence_cache_is_per_model_version(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite")
    Scripted(cache).translate_pair(LEG, ["Wstęp wolny."])

    class Newer(Scripted):
        def _identity(self, leg):
            return "scripted", "2.0"

    newer = Newer(cache)
    newer.translate_pair(LEG, ["Wstęp wolny. Zapraszamy."])
    assert newer.batches == [["Wstęp wolny.", "Zapraszamy."]]
