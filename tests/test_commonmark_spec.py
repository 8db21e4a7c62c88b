"""The 652 CommonMark 0.31.2 spec examples (tests/data/commonmark-0.31.2.json) through segment → build.

Four passes (see commonmark_passes.py): msgstr = msgid (byte-identical), letters upper-cased, line
breaks joined, a line break inserted. After each, the block structure markdown-it-py renders from the
built text is the source's and no code, HTML block or link definition changed.
"""

from __future__ import annotations

import pytest

from commonmark_passes import PASSES, check, examples, prose_leaves
from pipeline.documents.formats import segment_text

EXAMPLES = examples()


def test_the_spec_data_is_all_there() -> None:
    assert len(EXAMPLES) == 652 and EXAMPLES[-1]["example"] == 652


@pytest.mark.parametrize("name", list(PASSES))
def test_every_example_keeps_its_structure(name: str) -> None:
    failed = [(ex["example"], problem) for ex in EXAMPLES if (problem := check(ex["markdown"], name))]
    assert failed == []


def test_no_prose_goes_nowhere() -> None:
    """Every paragraph, heading and table cell the parser sees with text is a segment."""
    missing = [ex["example"] for ex in EXAMPLES
               if prose_leaves(ex["markdown"]) != len(segment_text(ex["markdown"], "markdown").segments)]
    assert missing == []


def test_a_broken_build_is_caught() -> None:
    """The checks can fail: a build that drops a list marker or touches code is reported."""
    assert check("- a\n- b\n", "identity") is None
    from commonmark_passes import literal_content, tag_structure

    assert tag_structure("- a\n- b\n") != tag_structure("- a\nb\n")
    assert literal_content("```\nkod\n```\n") != literal_content("```\nKOD\n```\n")
