"""Every regex and loop over user text is linear: grow the input 10×, the time grows ~10×.

Each test times one function on an adversarial input of two sizes (CPU time, best of five,
alternating, in one test) and bounds the ratio generously: quadratic
code grows ~100×, linear code ~10×. Below: hypothesis with the same adversarial alphabets,
for crashes and for the exact agreement of the linear rewrites with the original regexes.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalogs import glossary
from pipeline.catalogs.catalog import FUZZY, Entry
from pipeline.review import qa
from pipeline.text import protect
from pipeline.translate import sentences

# CPU-time ratios: run alone (not beside other tests in parallel); see Makefile test-quick.
pytestmark = pytest.mark.timing

from linear import assert_linear  # noqa: E402

def qa_entry(msgid: str, msgstr: str | None = None):
    return qa.check_entry(Entry(msgid, msgstr if msgstr is not None else msgid, flags=(FUZZY,)), "en", "pl")


INPUTS = {
    "sentence ends": lambda n: "Zdanie numer jeden. Drugie! " * (n // 28),
    "long word": lambda n: "a" * n,
    "run of dots": lambda n: "." * n,
    "dots and at signs": lambda n: "a.@" * (n // 3),
    "repeated ' *a'": lambda n: " *a" * (n // 3) + "_",
    "repeated '_a '": lambda n: "_a " * (n // 3),
    "repeated '<!--'": lambda n: "<!--" * (n // 4),
    "repeated '<a '": lambda n: "<a " * (n // 3),
    "domain-like": lambda n: "a." * (n // 2),
    "many numbers": lambda n: " ".join(str(1000 + i % 9000) for i in range(n // 5)),
    "brackets and links": lambda n: "[a](b " * (n // 6),
    "pipes and dashes": lambda n: "| - |" * (n // 5),
}


@pytest.mark.parametrize("kind", list(INPUTS))
def test_sentence_splitter_is_linear(kind):
    assert_linear(lambda text: sentences.split_sentences(text, "pl"), INPUTS[kind], 10_000)


@pytest.mark.parametrize("kind", list(INPUTS))
def test_protector_is_linear(kind):
    assert_linear(protect.protect, INPUTS[kind], 3_000)


@pytest.mark.parametrize("kind", list(INPUTS))
def test_qa_is_linear(kind):
    assert_linear(qa_entry, INPUTS[kind], 3_000)


def test_qa_with_one_number_changed_is_linear():
    def changed(text):
        return qa_entry(text, text.replace(" 1001 ", " 7001 ", 1))
    assert_linear(changed, INPUTS["many numbers"], 3_000)


def test_a_big_glossary_compiles_each_term_once(monkeypatch):
    terms = "\n".join(f"Termin{i},en,Term{i}" for i in range(5_000))
    gloss = glossary.parse(f"term,lang,translation\n{terms}\n")
    compiled = []
    original = re.compile
    monkeypatch.setattr(re, "compile", lambda *a, **k: compiled.append(a[0]) or original(*a, **k))
    for text in ("Termin7 i Termin4999.", "Nic tu nie ma.", "Termin42"):
        gloss.find(text, "en")
    assert len(compiled) <= 5_000 + 10, "the term patterns were compiled again for every text"


# ---------------------------------------------------------------- adversarial fuzz

ADVERSARIAL = st.text(alphabet=".@-)*|_ <!>[]\n1a\u00a0", max_size=200) | st.lists(
    st.sampled_from([".", "@", "-", ")", "*", "|", " ", "  ", "0", "12", "a", "Ab", "*a", "<!--", "](", "_"]),
    max_size=80).map("".join)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(ADVERSARIAL)
def test_splitter_keeps_every_character(text):
    assert "".join(sentences.split_sentences(text, "pl")) == text


@FUZZ
@given(ADVERSARIAL)
def test_protector_restores_what_it_protected(text):
    protected = protect.protect(text)
    assert protect.restore(protected.text, protected) == text


@FUZZ
@given(ADVERSARIAL, ADVERSARIAL)
def test_qa_never_crashes(msgid, msgstr):
    for problem in qa_entry(msgid or "x", msgstr or "y"):
        assert problem.code.startswith("qa-")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="*_ a\n\t.é1\x1c\u2028", max_size=30))
def test_linear_emphasis_finds_what_the_regex_finds(text):
    expected = [(m.start(), m.end(), m.group(1) or m.group(2)) for m in protect._EMPHASIS.finditer(text)]
    assert protect.emphasis_spans(text) == expected


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="<!-> ab/\n", max_size=30))
def test_linear_tags_find_what_the_regex_finds(text):
    assert [m.span() for m in protect.tag_matches(text)] == [m.span() for m in protect._TAG.finditer(text)]
