"""Tests for pipeline.documents.detection: restricted, deterministic language detection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from profiles import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.documents.detection import (
    DocumentLanguage,
    Detector,
    SegmentLanguage,
    clean_text,
)
from pipeline.errors import ConfigError, OutreachError

REPO = Path(__file__).resolve().parents[1]

POLISH_1 = (
    "Biblioteka Publiczna na Mokotowie zaprasza wszystkich sąsiadów na letni festyn. "
    "Spotykamy się w sobotę na dziedzińcu za budynkiem, niezależnie od pogody."
)
POLISH_2 = (
    "Dla dzieci przygotowaliśmy warsztaty plastyczne i głośne czytanie bajek. "
    "Dorośli mogą wymienić się książkami i porozmawiać z bibliotekarkami."
)
POLISH_3 = (
    "Zapisy na warsztaty przyjmujemy w wypożyczalni albo przez formularz na stronie "
    "https://biblioteka.example.pl/festyn. Liczba miejsc jest ograniczona."
)
ENGLISH = (
    "Everyone is welcome, including families who have only recently moved to Warsaw. "
    "Volunteers will be happy to help you find your way around the library."
)
UKRAINIAN = (
    "Запрошуємо також родини, які нещодавно приїхали з України. "
    "Наші волонтери допоможуть вам записатися до бібліотеки, і це безкоштовно. "
    "Якщо маєте питання, пишіть на пошту ґречно та без поспіху: їх ми читаємо щодня."
)
RUSSIAN = (
    "Приглашаем также семьи, которые недавно приехали в Варшаву. "
    "Наши волонтёры помогут вам записаться в библиотеку, это бесплатно."
)
GERMAN = (
    "Die Stadtbibliothek lädt alle Nachbarn herzlich zum Sommerfest ein. "
    "Für Kinder gibt es Spiele und Bücher, und der Eintritt ist für alle frei."
)


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def announcement() -> tuple[list[str], list[int]]:
    """A Polish announcement: headings, five paragraphs (one English, one Ukrainian)."""
    texts = [
        "Letni festyn w bibliotece",
        POLISH_1,
        "Terminy",
        POLISH_2,
        "Zapisy",
        POLISH_3,
        ENGLISH,
        UKRAINIAN,
        "Kontakt",
        "Scroll to Top",
    ]
    lines = [1, 3, 6, 8, 11, 13, 16, 19, 23, 25]
    return texts, lines


def by_index(doc: DocumentLanguage, index: int) -> SegmentLanguage:
    return doc.segments[index]


# --- documents ------------------------------------------------------------


def test_polish_announcement_with_english_and_ukrainian_paragraphs(detector):
    texts, lines = announcement()
    doc = detector.detect_document(texts, lines)
    assert doc.lang == "pl"
    assert doc.probability >= 0.8
    assert [s.line for s in doc.segments] == lines
    assert [s.index for s in doc.segments] == list(range(len(texts)))
    foreign = {s.index: s for s in doc.foreign}
    assert set(foreign) == {6, 7}
    assert foreign[6].lang == "en" and foreign[6].probability >= 0.8
    assert foreign[7].lang == "uk" and foreign[7].probability >= 0.8
    assert not foreign[6].inherited and not foreign[7].inherited
    for index in (1, 3, 5):
        segment = by_index(doc, index)
        assert segment.lang == "pl" and not segment.inherited


def test_polish_headings_inherit_the_document_language(detector):
    texts, lines = announcement()
    doc = detector.detect_document(texts, lines)
    for index in (2, 4, 8):  # "Terminy", "Zapisy", "Kontakt"
        segment = by_index(doc, index)
        assert segment.lang == "pl"
        assert segment.inherited
        assert segment.probability == doc.probability


def test_scroll_to_top_inherits_polish(detector):
    # Unrestricted langdetect calls "Scroll to Top" Italian (it 0.86, en 0.14 with
    # seed 0); even restricted to our candidates it is a bare 3-word phrase, too
    # short to judge, so it takes the document's language.
    texts, lines = announcement()
    segment = by_index(detector.detect_document(texts, lines), 9)
    assert segment == SegmentLanguage(9, 25, "pl", segment.probability, inherited=True)


@pytest.mark.parametrize("heading", ["Terminy", "Scroll to Top", "Kontakt", "Godziny otwarcia", "Wstęp wolny!"])
def test_short_segments_inherit(detector, heading):
    doc = detector.detect_document([POLISH_1, heading, POLISH_2], [1, 3, 5])
    assert doc.segments[1].lang == "pl"
    assert doc.segments[1].inherited
    assert doc.foreign == ()


def test_ukrainian_and_russian_paragraphs_are_distinguished(detector):
    doc = detector.detect_document([POLISH_1, POLISH_2, UKRAINIAN, RUSSIAN, POLISH_3], [1, 3, 5, 7, 9])
    assert doc.lang == "pl"
    assert [(s.lang, s.inherited) for s in doc.foreign] == [("uk", False), ("ru", False)]
    assert all(s.probability >= 0.8 for s in doc.foreign)


def test_mixed_script_document_keeps_latin_candidates(detector):
    # Mostly Cyrillic letters overall, but not 80%: the Polish candidates stay in play
    # for the joined text, while each paragraph alone is clearly one script.
    doc = detector.detect_document([UKRAINIAN, POLISH_1], [1, 3])
    assert {s.lang for s in doc.segments} == {"uk", "pl"}
    assert not any(s.inherited for s in doc.segments)


def test_german_paragraph(detector):
    doc = detector.detect_document([POLISH_1, GERMAN, POLISH_2], [1, 3, 5])
    assert [(s.index, s.lang) for s in doc.foreign] == [(1, "de")]


def test_whole_ukrainian_document(detector):
    doc = detector.detect_document([UKRAINIAN, "Контакти"], [1, 4])
    assert doc.lang == "uk"
    assert doc.segments[1].inherited and doc.segments[1].lang == "uk"


def test_document_without_letters_gets_the_default(detector):
    texts = ["2024-06-15 10:00", "https://example.org/festyn?id=12", "kontakt@example.org", "---"]
    doc = detector.detect_document(texts, [1, 2, 3, 4], default="de")
    assert doc.lang == "de"
    assert doc.probability == 0.0
    assert all(s.lang == "de" and s.inherited for s in doc.segments)
    assert doc.foreign == ()


def test_document_without_letters_and_no_default_gets_first_candidate():
    doc = Detector(["en", "pl"]).detect_document(["12:30", ""], [1, 2])
    assert doc.lang == "en"


def test_empty_document(detector):
    assert detector.detect_document([], [], default="pl") == DocumentLanguage("pl", 0.0, ())


def test_mismatched_texts_and_lines(detector):
    with pytest.raises(ValueError):
        detector.detect_document(["a", "b"], [1])


# --- probabilities, cleaning, script ----------------------------------------


def test_probabilities_sorted_and_summing_to_at_most_one(detector):
    for text in (POLISH_1, ENGLISH, UKRAINIAN, RUSSIAN, GERMAN, "Terminy"):
        result = detector.probabilities(text)
        assert result, text
        probs = [p for _, p in result]
        assert probs == sorted(probs, reverse=True)
        assert sum(probs) <= 1.0
        assert all(0.0 < p <= 1.0 for p in probs)
        assert {lang for lang, _ in result} <= set(detector.candidates)


def test_probabilities_of_text_without_letters_are_empty(detector):
    assert detector.probabilities("") == []
    assert detector.probabilities("12.06.2024, 18:00 — 20:30 (!)") == []
    assert detector.probabilities("https://example.org/a/b mail@example.org") == []


def test_script_restricts_candidates(detector):
    assert {lang for lang, _ in detector.probabilities("Привіт")} <= {"uk", "ru"}
    assert {lang for lang, _ in detector.probabilities("Zapisy")} <= {"pl", "en", "de"}
    # Cyrillic text with only Latin-script candidates: nothing is plausible.
    assert Detector(["pl", "en"]).probabilities(RUSSIAN) == []


def test_single_candidate_needs_no_model():
    assert Detector(["pl"]).probabilities("Dzień dobry") == [("pl", 1.0)]


def test_clean_text_strips_misleading_parts():
    raw = (
        "Zobacz [regulamin](https://example.org/regulamin.pdf), napisz na "
        "info@example.org lub wpisz `pip install outreach` — www.example.org, tel. 22 123 45 67!"
    )
    assert clean_text(raw) == "Zobacz regulamin napisz na lub wpisz tel"


@settings(max_examples=examples(40), deadline=None)
@given(st.text(max_size=80))
def test_probabilities_property(text):
    result = Detector().probabilities(text)
    probs = [p for _, p in result]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) <= 1.0
    assert len({lang for lang, _ in result}) == len(result)


# --- configuration and determinism ------------------------------------------


def test_unknown_candidate_raises_config_error():
    with pytest.raises(ConfigError) as info:
        Detector(["pl", "xx"])
    assert isinstance(info.value, OutreachError)
    assert "xx" in str(info.value) and "available" in str(info.value) and "uk" in str(info.value)


def test_no_candidates_raises_config_error():
    with pytest.raises(ConfigError):
        Detector([])


def test_global_langdetect_factory_untouched():
    import langdetect.detector_factory as df

    before = df._factory
    Detector().probabilities(POLISH_1)
    assert df._factory is before


def test_deterministic_with_fresh_detectors():
    texts, lines = announcement()
    first = Detector(seed=7).detect_document(texts, lines)
    second = Detector(seed=7).detect_document(texts, lines)
    assert first == second
    assert Detector().probabilities("Terminy") == Detector().probabilities("Terminy")


_CHILD = """
import json, sys
from pipeline.documents.detection import Detector
texts = json.loads(sys.stdin.read())
d = Detector()
doc = d.detect_document(texts, list(range(len(texts))))
print(json.dumps([doc.lang, doc.probability, [list(map(str, (s.lang, s.probability, s.inherited))) for s in doc.segments],
                  [d.probabilities(t) for t in texts]]))
"""


def test_deterministic_across_processes():
    texts, _ = announcement()
    texts = texts + ["Terminy zapisów", "Wstęp wolny dla wszystkich"]

    def run(hash_seed: str) -> list:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"},
        )
        return json.loads(out.stdout)

    assert run("1") == run("2")


_ODD_TEXTS = [
    "Ala ma KOTA i PSA", "ABC DEF gh", "   a  b   c  ", "ŁÓDŹ i Kraków", "aB Cd EF gH iJ",
    "Tiếng Việt có dấu a\u0301 e\u0300", "napisz na a@b.pl albo http://x.pl/a teraz", "Ґанок", "x",
]


@pytest.mark.parametrize("text", [POLISH_1, POLISH_2, POLISH_3, ENGLISH, UKRAINIAN, RUSSIAN, GERMAN,
                                  POLISH_1 + " " + ENGLISH + " " + POLISH_2, *_ODD_TEXTS])
def test_fast_detector_answers_exactly_like_langdetect(text):
    """The tight-loop Detector is langdetect's algorithm: same n-grams, same draws, same floats."""
    from langdetect.lang_detect_exception import LangDetectException

    from pipeline.documents.detection import _fast_detector

    factory = Detector()._get_factory()
    answers = []
    for detector in (_fast_detector()(factory), factory.create()):
        detector.append(text)
        try:
            answers.append((detector.text, [(x.lang, x.prob) for x in detector.get_probabilities()]))
        except LangDetectException as exc:
            answers.append((detector.text, str(exc)))
    assert answers[0] == answers[1]
    cleaned = clean_text(text)
    if cleaned:
        detector = Detector()
        assert detector._probabilities(cleaned, fast=True) == detector._probabilities(cleaned, fast=False)


def test_each_text_is_judged_once(monkeypatch):
    detector = Detector()
    calls = []
    real = detector._probabilities
    monkeypatch.setattr(detector, "_probabilities", lambda cleaned, fast: calls.append(cleaned) or real(cleaned, fast=fast))
    texts = ["Wstęp wolny dla wszystkich!", POLISH_1, "Wstęp wolny — dla wszystkich", "Zapisy na kurs polskiego"]
    detector.detect_document(texts, [1, 2, 3, 4])
    assert calls == ["Wstęp wolny dla wszystkich", clean_text(POLISH_1), "Zapisy na kurs polskiego"]


# --- remembered across runs (pipeline.documents.detected) -----------------


def _counting(store, calls: list) -> Detector:
    found = Detector(store=store)
    real = found._probabilities
    found._probabilities = lambda cleaned, fast: calls.append(cleaned) or real(cleaned, fast=fast)
    return found


def test_a_later_run_remembers_what_was_detected(tmp_path):
    from pipeline.documents.detected import DetectionStore

    texts, lines = announcement()
    plain = Detector().detect_document(texts, lines, default="pl")
    first_calls: list = []
    first = _counting(DetectionStore.in_folder(tmp_path, Detector().configuration()), first_calls)
    assert first.detect_document(texts, lines, default="pl") == plain
    first.store.close()
    assert len(first_calls) == len({clean_text(t) for t in texts if clean_text(t)})

    edited = texts[:5] + [POLISH_3.replace("ograniczona", "bardzo ograniczona")] + texts[6:]
    calls: list = []
    again = _counting(DetectionStore.in_folder(tmp_path, Detector().configuration()), calls)
    assert again.detect_document(edited, lines, default="pl") == Detector().detect_document(edited, lines, default="pl")
    assert calls == [clean_text(edited[5])]   # only the changed paragraph is detected again


def test_another_configuration_or_a_broken_store_forgets_but_answers_the_same(tmp_path):
    from pipeline.documents.detected import FILE, DetectionStore

    texts, lines = announcement()
    expected = Detector().detect_document(texts, lines, default="pl")
    first = Detector(store=DetectionStore.in_folder(tmp_path, Detector().configuration()))
    first.detect_document(texts, lines, default="pl")
    first.store.close()
    calls: list = []
    other = _counting(DetectionStore.in_folder(tmp_path, Detector(["pl", "en", "uk"]).configuration()), calls)
    other.detect_document(texts, lines, default="pl")
    assert calls   # candidates changed: nothing remembered is used
    assert "candidates=pl,en,uk;" in Detector(["pl", "en", "uk"]).configuration()

    (tmp_path / FILE).write_bytes(b"not a database" * 100)
    broken = Detector(store=DetectionStore.in_folder(tmp_path, Detector().configuration()))
    assert broken.detect_document(texts, lines, default="pl") == expected
    assert broken.store.get_many([b"x"]) == {}
    broken.store.close()
    calls = []
    after = _counting(DetectionStore.in_folder(tmp_path, Detector().configuration()), calls)
    assert after.detect_document(texts, lines, default="pl") == expected
    assert calls == []   # the corrupt file was replaced and filled: remembered again
