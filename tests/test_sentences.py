"""Tests for pipeline.translate.sentences: the offline sentence splitter."""

from __future__ import annotations

import pytest
from profiles import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.translate.sentences import join_lines, split_sentences, split_stripped


def sentences(text, lang):
    pieces = split_sentences(text, lang)
    assert "".join(pieces) == text
    return [p.strip() for p in pieces]


def test_polish_announcement():
    text = (
        "Zapraszamy na spotkanie z dr. A. Kowalską w sobotę. Start o godz. 9.30, ul. Długa 5. "
        "Wstęp wolny! Masz pytania? Tel. 22 123 45 67 albo np. e-mail: info@fundacja.org.pl. "
        "Zapisy m.in. przez www.biblioteka.waw.pl. „Czytamy razem” to nasz cykl."
    )
    assert sentences(text, "pl") == [
        "Zapraszamy na spotkanie z dr. A. Kowalską w sobotę.",
        "Start o godz. 9.30, ul. Długa 5.",
        "Wstęp wolny!",
        "Masz pytania?",
        "Tel. 22 123 45 67 albo np. e-mail: info@fundacja.org.pl.",
        "Zapisy m.in. przez www.biblioteka.waw.pl.",
        "„Czytamy razem” to nasz cykl.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Biblioteka, ul. Marszałkowska 12, tel. 22 123 45 67, czynna pon.–pt.",
        "Spotkanie prowadzi prof. Nowak, a gościem jest św. Mikołaj.",
        "Zbiórka trwa do 1.12.2026 włącznie.",
        "Warsztaty na 3. piętrze, sala nr 5.",
        "Wstęp 10 zł, ok. 2 godz. zajęć, tj. do 12.00.",
        "Kontakt: mgr inż. Jan Kowalski, al. Jana Pawła II 5.",
        "Zapisy przez biblioteka.waw.pl/warsztaty albo jan.kowalski@example.com do piątku.",
        "W 2026 r. 15 osób skończyło kurs.",
    ],
)
def test_polish_non_boundaries(text):
    assert sentences(text, "pl") == [text]


def test_closing_abbreviation_before_capital_ends_sentence():
    assert sentences("Festyn odbędzie się 5 czerwca 2026 r. Zapraszamy całe rodziny.", "pl") == [
        "Festyn odbędzie się 5 czerwca 2026 r.",
        "Zapraszamy całe rodziny.",
    ]
    assert sentences("Przynieście książki, gry itp. Dziękujemy!", "pl") == ["Przynieście książki, gry itp.", "Dziękujemy!"]


def test_english_announcement():
    text = (
        "Meet Mr. Smith and Dr. Jones at St. Mary's Hall, e.g. on Monday. Room No. 5 is upstairs. "
        "Bring pens, paper etc. Thanks for coming! Questions? Write to i.e. the office... We reply quickly."
    )
    assert sentences(text, "en") == [
        "Meet Mr. Smith and Dr. Jones at St. Mary's Hall, e.g. on Monday.",
        "Room No. 5 is upstairs.",
        "Bring pens, paper etc.",
        "Thanks for coming!",
        "Questions?",
        "Write to i.e. the office...",
        "We reply quickly.",
    ]


def test_ukrainian_announcement():
    text = (
        "Зустріч відбудеться на вул. Довгій 5, тел. 22 123 45 67. Вхід вільний! "
        "Приносьте книжки, ігри тощо. Запис до 1.12.2026 р. Ведуча — О. Шевченко. Ціна 50 грн. Дякуємо."
    )
    assert sentences(text, "uk") == [
        "Зустріч відбудеться на вул. Довгій 5, тел. 22 123 45 67.",
        "Вхід вільний!",
        "Приносьте книжки, ігри тощо.",
        "Запис до 1.12.2026 р.",
        "Ведуча — О. Шевченко.",
        "Ціна 50 грн.",
        "Дякуємо.",
    ]


def test_split_before_digit_and_quote_but_not_lowercase():
    assert sentences("Zapraszamy. 20 miejsc czeka. \"Nowość\" w ofercie.", "pl") == [
        "Zapraszamy.", "20 miejsc czeka.", "\"Nowość\" w ofercie.",
    ]
    assert sentences("To jest koniec... a może nie.", "pl") == ["To jest koniec... a może nie."]


def test_whitespace_kept_for_exact_reassembly():
    text = "  Pierwsze zdanie.   Drugie zdanie!\nTrzecie?  "
    pieces = split_sentences(text, "pl")
    assert pieces == ["  Pierwsze zdanie.   ", "Drugie zdanie!\n", "Trzecie?  "]


def test_empty_and_unknown_language():
    assert split_sentences("", "pl") == [""]
    assert sentences("Hallo Welt. Wie geht's? Gut.", "de") == ["Hallo Welt.", "Wie geht's?", "Gut."]


def test_join_lines():
    assert join_lines("Biblioteka\nul. Długa 5") == "Biblioteka ul. Długa 5"
    assert join_lines("Zapraszamy  \n   wszystkich\r\nsąsiadów\n") == "Zapraszamy wszystkich sąsiadów"
    assert join_lines("Bez zmian") == "Bez zmian"


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Aaźż .!?…\"„(5\n")) | st.characters(), max_size=60),
       st.sampled_from(["pl", "en", "uk", "de"]))
def test_reassembly_is_exact(text, lang):
    pieces = split_sentences(text, lang)
    assert "".join(pieces) == text
    assert all(pieces[:-1])


def test_split_stripped_sets_whitespace_apart():
    parts = split_stripped("  Wstęp wolny.  Zapraszamy!\n", "pl")
    assert [(p.lead, p.core, p.trail) for p in parts] == [("  ", "Wstęp wolny.", "  "), ("", "Zapraszamy!", "\n")]
    assert "".join(p.text for p in parts) == "  Wstęp wolny.  Zapraszamy!\n"
