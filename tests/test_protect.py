"""Tests for pipeline.text.protect: non-translatables survive machine translation verbatim."""

from __future__ import annotations

import re

import pytest
from profiles import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.protect import Protected, protect, restore, split_around


def spans_of(text, terms=()):
    return protect(text, terms).spans


@pytest.mark.parametrize(
    "text, span",
    [
        ("Zapisy: https://biblioteka.waw.pl/festyn.", "https://biblioteka.waw.pl/festyn"),
        ("Zobacz www.fundacja.org.pl, zapraszamy", "www.fundacja.org.pl"),
        ("Formularz: biblioteka.waw.pl/warsztaty i tyle", "biblioteka.waw.pl/warsztaty"),
        ("Strona fundacja.pl.", "fundacja.pl"),
        ("Pisz na info@fundacja.org.pl!", "info@fundacja.org.pl"),
        ("Tel. 22 123 45 67 w godzinach pracy", "22 123 45 67"),
        ("Dzwoń: +48 601 234 567.", "+48 601 234 567"),
        ("Dzwoń: 601-234-567.", "601-234-567"),
        ("Czynne 10:00–12:00 codziennie", "10:00–12:00"),
        ("Start o 9.30 w czytelni", "9.30"),
        ("Termin: 1.12.2026 r.", "1.12.2026"),
        ("Cena 12,50 zł", "12,50"),
        ("Zobacz `outreach run` teraz", "`outreach run`"),
        ("To jest <b>ważne</b>", "<b>"),
        ("Rok 2024-2025", "2024-2025"),
    ],
)
def test_protected_spans(text, span):
    protected = protect(text)
    assert span in protected.spans
    assert span not in protected.text
    assert restore(protected.text, protected) == text


def test_date_with_month_name_protects_only_the_number():
    protected = protect("Zapraszamy 24 grudnia o 18:00.")
    assert protected.spans == ("24", "18:00")
    assert "grudnia" in protected.text


def test_markdown_link_text_stays_translatable():
    protected = protect("Wypełnij [formularz zgłoszeniowy](https://x.pl/form?a=1) dziś")
    assert "formularz zgłoszeniowy" in protected.text
    assert "](https://x.pl/form?a=1)" in protected.spans
    assert "[" in protected.spans


def test_emphasis_markers_are_protected_and_re_glued():
    protected = protect("**Uwaga:** zapisy _tylko_ dziś")
    assert "Uwaga:" in protected.text and "tylko" in protected.text
    assert "*" not in protected.text and "_" not in protected.text
    one, two, three, four = protected.placeholders
    # the model put spaces inside the markers: they hug the words again
    model_output = f"{one} Attention: {two} registration {three} only {four} today"
    assert restore(model_output, protected) == "**Attention:** registration _only_ today"


def test_snake_case_is_not_emphasis():
    assert protect("plik moj_plik_tekstowy jest tu").spans == ()


def test_extra_terms_are_protected_as_whole_words():
    protected = protect("Spotkanie w Mokotów Arena i Arenach", ["Mokotów Arena", "Arena"])
    assert protected.spans == ("Mokotów Arena",)


def test_placeholders_are_digits_and_plain_numbers_keep_their_value():
    protected = protect("Przyjdź 5 osób, https://x.pl i 5 dzieci")
    assert protected.text.count("5") == 1
    assert all(p.isdigit() for p in protected.placeholders)
    assert re.sub(r"[0-9]+", "", protected.text) == "Przyjdź  osób,  i  dzieci"


def test_touching_spans_merge_into_one_placeholder():
    protected = protect("Wejście **5** zł")
    assert protected.spans == ("**5**",)


def test_reordered_placeholders_restore():
    protected = protect("Zapraszamy 24 grudnia o 10:00.")
    a, b = protected.placeholders
    assert restore(f"Join us at {b} on December {a}.", protected) == "Join us at 10:00 on December 24."


@pytest.mark.parametrize("output", ["Join us on December.", "Join us {0} {0} {1}.", "Join us {0} {1} 77.", "{0}{1}"])
def test_broken_placeholders_give_none(output):
    protected = protect("Zapraszamy 24 grudnia o 10:00.")
    assert restore(output.format(*protected.placeholders), protected) is None


def test_no_spans_restore_returns_model_output():
    protected = protect("Wstęp wolny")
    assert protected == Protected("Wstęp wolny", (), ())
    assert restore("Free admission, 1st floor", protected) == "Free admission, 1st floor"


def test_split_around():
    text = "Pisz na info@x.pl lub dzwoń 22 123 45 67."
    pieces = split_around(text)
    assert "".join(p for p, _ in pieces) == text
    assert [p for p, prot in pieces if prot] == ["info@x.pl", "22 123 45 67"]
    assert split_around("") == []


# --------------------------------------------------------------------------- properties

WORDS = st.sampled_from(
    ["Zapraszamy", "na", "spotkanie", "w", "bibliotece", "ul.", "Długa", "np.", "**", "_", "*", "[", "](",
     ")", "<b>", "`", "—", "–", "-", ".", ",", ":", "(", "»", "гривень", "Київ", "ß", "\n", "٣", "²"]
)
URLS = st.sampled_from(["https://biblioteka.waw.pl/festyn", "http://x.pl/a_b?c=1&d=2", "www.fundacja.org.pl",
                        "biblioteka.waw.pl/warsztaty"])
EMAILS = st.sampled_from(["info@fundacja.org.pl", "jan.kowalski+zapisy@example.com"])
NUMBERS = st.sampled_from(["5", "24", "2026", "10:00–12:00", "9.30", "1.12.2026", "12,50", "22 123 45 67",
                           "+48 601 234 567", "601-234-567", "007"])


@settings(max_examples=examples(300), deadline=None)
@given(st.text())
def test_roundtrip_any_text(text):
    protected = protect(text)
    assert restore(protected.text, protected) == text
    assert "".join(p for p, _ in split_around(text)) == text
    assert len(protected.spans) == len(protected.placeholders) == len(set(protected.placeholders))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.one_of(WORDS, URLS, EMAILS, NUMBERS, st.text(max_size=4)), max_size=12),
       st.sampled_from([" ", "", "\n"]))
def test_roundtrip_and_coverage_of_announcement_like_text(parts, sep):
    text = sep.join(parts)
    protected = protect(text)
    assert restore(protected.text, protected) == text
    # every digit of the text is inside a span, so only placeholders are digits
    assert not re.search(r"\d", re.sub(r"[0-9]+", "", protected.text))


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.one_of(URLS, EMAILS, NUMBERS), min_size=1, max_size=4),
       st.lists(st.sampled_from(["Zapraszamy", "na", "stronę", "albo", "piszcie", "dzwońcie"]), min_size=5, max_size=5))
def test_every_url_email_number_is_within_a_span(items, words):
    parts = []
    for word, item in zip(words, items):
        parts += [word, item]
    text = " ".join(parts) + "."
    protected = protect(text)
    for item in items:
        assert any(item in span for span in protected.spans), (item, protected.spans)
    assert restore(protected.text, protected) == text


@settings(max_examples=examples(1000), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab5 .:-–*_[]()<>/@w`+\n٣²x")), max_size=30))
def test_roundtrip_markup_heavy_text(text):
    protected = protect(text)
    assert restore(protected.text, protected) == text
    assert not re.search(r"\d", re.sub(r"[0-9]+", "", protected.text))
