"""Segmenters in linear time on hostile input (issue 13), and fuzzed with adversarial alphabets.

Each timing test grows the input 10× and asserts the CPU time grows at most ~10× (bound 40×: see
tests/linear.py; a quadratic segmenter, ~100×, fails). Measured before the CommonMark
rewrite on the line-based segmenter: a `#` heading padded with spaces 3.4 s at 10 kB and 21.9 s at
30 kB; a padded table delimiter line 5.1 s / 38.5 s / 189 s at 10/30/100 kB; repeated `<!--` 2.0 s
at 10 kB and 15.4 s at 30 kB.
"""

from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings
from profiles import examples
from hypothesis import strategies as st

from commonmark_passes import literal_content, tag_structure
from pipeline.documents import html
from pipeline.documents.formats import segment_text
from pipeline.documents.segmentation import render

# CPU-time ratios: run alone (not beside other tests in parallel); see Makefile test-quick.
pytestmark = pytest.mark.timing

from linear import assert_linear  # noqa: E402


def _markdown_build(text: str):
    doc = segment_text(text, "markdown")
    return render(doc, lambda i, s: s.text.upper() + "\n- x")


def _html_build(text: str):
    doc = html.segment_text(text)
    return html.render_text(doc, lambda i, s: s.text.upper() + " <b>", "en")


MARKDOWN = {
    "heading padded with spaces": lambda n: "#" + " " * n + "Tytuł" + " " * n + "#\n" + "#" + " " * n,
    "table delimiter padded with spaces": lambda n: "| a | b |\n|" + " " * n + "---" + " " * n + "|---|\n| x | y |\n",
    "repeated <!--": lambda n: "<!--" * (n // 4) + "\n" + "<!--\n" * (n // 5),
}
HTML = {  # name: (input of about n characters, n)
    "repeated <!--": (lambda n: "<!--" * (n // 4), 30_000),
    "unclosed attribute quotes": (lambda n: "<a b='" * (n // 6), 30_000),
    "unclosed paragraphs": (lambda n: "<p>a" * (n // 4), 3_000),
    "references": (lambda n: "&#" * (n // 2), 3_000),
}


@pytest.mark.parametrize("name", list(MARKDOWN))
def test_markdown_segment_and_build_are_linear(name: str) -> None:
    assert_linear(_markdown_build, MARKDOWN[name], 20_000)


@pytest.mark.parametrize("name", list(HTML))
def test_html_segment_and_build_are_linear(name: str) -> None:
    make, size = HTML[name]
    assert_linear(_html_build, make, size)


# --- fuzz: adversarial alphabets -----------------------------------------------------

_ADVERSARIAL = [".", "@", "-", ")", "*", "|", " ", "  ", "<!--", "-->", "1", "9.", "#", ">", "\n", "\n\n", "`",
                "```", "~~~", "[", "]", "(", ":", "\\", "_", "=", "\t", "<", "</", "&", "a", "ż", "    ", "- ",
                "---", "[x]: /u", "<div>", "<b>", "'", '"']
_TEXT = st.lists(st.sampled_from(_ADVERSARIAL), max_size=40).map("".join)


def _break_lines(text: str) -> str:
    return text.replace(" ", "\n", 2) + "\n# z\n- y\n> w\n---\n|"


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_markdown_translations_never_change_the_block_structure(text: str) -> None:
    doc = segment_text(text, "markdown")
    assert render(doc, lambda i, s: s.text) == text
    for translate in (str.upper, _break_lines):
        built = render(doc, lambda i, s, translate=translate: translate(s.text))
        assert tag_structure(built) == tag_structure(text)
        assert literal_content(built) == literal_content(text)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_plain_text_and_html_round_trip_on_adversarial_text(text: str) -> None:
    doc = segment_text(text, "text")
    assert render(doc, lambda i, s: s.text) == text
    page = html.segment_text(text)
    assert html.render_text(page, lambda i, s: s.text) == text
    html.render_text(page, lambda i, s: _break_lines(s.text), "en")
