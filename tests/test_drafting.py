"""The shared drafting steps (pipeline.translate.drafting) with a scripted model: no inference needed."""

from __future__ import annotations

from pipeline.translate.drafting import PROBE, DraftingStats, SentenceEngine
from pipeline.translate.engines import Leg
from pipeline.translate.mtcache import TranslationCache

LEG = Leg("pl", "en", "scripted 1.0")


class Scripted(SentenceEngine):
    """Upper-cases sentences; 'breaks' placeholders of sentences containing 'ZEPSUJ'."""

    name = "scripted"

    def __init__(self, cache=None):
        self.stats = DraftingStats()
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


def _marked(n: int, word: str) -> list[str]:
    """``n`` distinct paragraphs, each one sentence with a URL (a placeholder)."""
    return [f"{word} stronę {chr(97 + i % 26)}{chr(97 + i // 26)} https://x.pl/{i} dzisiaj." for i in range(n)]


def test_a_model_that_breaks_every_placeholder_is_not_asked_twice():
    engine = Scripted()
    engine.chunk_size = 10          # the record carries over from chunk to chunk
    texts = _marked(PROBE + 24, "Zepsuj")
    out = engine.translate_pair(LEG, texts)
    assert out == [t.upper().replace("HTTPS://X.PL/", "https://x.pl/") for t in texts]
    whole = [s for batch in engine.batches for s in batch if "1" in s]
    assert len(whole) == PROBE      # only the first PROBE sentences were tried whole
    assert engine.stats.pieces_only == 24
    assert engine.stats.fallbacks == PROBE + 24


def test_a_model_that_keeps_placeholders_always_gets_whole_sentences():
    engine = Scripted()
    texts = _marked(PROBE + 24, "Otwórz")
    out = engine.translate_pair(LEG, texts)
    assert out == [t.upper().replace("HTTPS://X.PL/", "https://x.pl/") for t in texts]
    assert sorted(s for batch in engine.batches for s in batch) == sorted(t.replace(t.split()[-2], "1") for t in texts)
    assert engine.stats.pieces_only == 0 and engine.stats.fallbacks == 0


def test_a_model_that_breaks_some_placeholders_keeps_being_tried_whole():
    engine = Scripted()
    texts = [t for pair in zip(_marked(30, "Zepsuj"), _marked(30, "Otwórz")) for t in pair]
    engine.translate_pair(LEG, texts)
    whole = [s for batch in engine.batches for s in batch if "1" in s]
    assert len(whole) == 60         # every sentence tried whole ...
    assert engine.stats.pieces_only == 0 and engine.stats.fallbacks == 30   # ... only the broken half in pieces


def test_a_cached_whole_translation_is_used_even_from_a_hopeless_model(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite")
    kept = "Otwórz stronę https://x.pl/ok teraz."
    Scripted(cache).translate_pair(LEG, [kept])
    again = Scripted(cache)
    out = again.translate_pair(LEG, _marked(PROBE, "Zepsuj") + [kept])
    assert out[-1] == "OTWÓRZ STRONĘ https://x.pl/ok TERAZ."
    assert "Otwórz stronę" not in [s for batch in again.batches for s in batch]
