"""Polish abbreviations against the sentence splitter: the list users hit (issue "fit the tools")."""

from __future__ import annotations

import pytest

from pipeline.translate.sentences import split_sentences

#: Abbreviations that come before a name, a place or an example: never the end of a sentence.
INTRODUCING = ["prof.", "hab.", "inż.", "mgr", "ks.", "ul.", "al.", "pl.", "os.", "godz.", "tel.", "woj.", "pow.",
               "gm.", "tj.", "tzn.", "np.", "m.in."]
#: Abbreviations that often close a sentence: what follows decides.
CLOSING = ["r.", "w.", "itd.", "itp."]


@pytest.mark.parametrize("abbreviation", INTRODUCING)
def test_no_break_after_an_introducing_abbreviation(abbreviation):
    text = f"Wykład prowadzi {abbreviation} Jan Nowak z Krakowa. Zapraszamy."
    assert split_sentences(text, "pl") == [f"Wykład prowadzi {abbreviation} Jan Nowak z Krakowa. ", "Zapraszamy."]


def test_a_full_title_stays_one_sentence():
    text = "Gościem będzie prof. dr hab. inż. Anna Kowalska. Wstęp wolny."
    assert split_sentences(text, "pl") == ["Gościem będzie prof. dr hab. inż. Anna Kowalska. ", "Wstęp wolny."]


@pytest.mark.parametrize("abbreviation", CLOSING)
def test_a_closing_abbreviation_ends_a_sentence_before_a_capital(abbreviation):
    text = f"Były tam książki, gazety {abbreviation} Zapraszamy ponownie."
    assert split_sentences(text, "pl") == [f"Były tam książki, gazety {abbreviation} ", "Zapraszamy ponownie."]


@pytest.mark.parametrize("abbreviation", CLOSING)
def test_a_closing_abbreviation_before_a_number_or_lower_case_does_not(abbreviation):
    for text in (f"W 2026 {abbreviation} 15 osób przyszło na spotkanie.",
                 f"Książki, gazety {abbreviation} można oddać w bibliotece."):
        assert split_sentences(text, "pl") == [text]
