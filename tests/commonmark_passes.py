"""The CommonMark spec examples through segment → translate → build (used by test_commonmark_spec.py).

Each pass builds every example with one kind of "translation" and checks that
the HTML markdown-it-py renders from the built text has the source's tag
structure, and that code, HTML blocks and link reference definitions are
unchanged. ``python tests/commonmark_passes.py`` prints the counts per pass.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

SPEC = Path(__file__).parent / "data" / "commonmark-0.31.2.json"
_FULL = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


def examples() -> list[dict]:
    return json.loads(SPEC.read_text(encoding="utf-8"))


def _insert_break(text: str) -> str:
    spaces = [m.start() for m in re.finditer(r" ", text)]
    if spaces:
        at = spaces[len(spaces) // 2]
        return text[:at] + "\n" + text[at + 1:]
    return text[: len(text) // 2] + "\n" + text[len(text) // 2:]


PASSES = {
    "identity": lambda text: text,
    "upper": lambda text: text.upper(),
    "joined": lambda text: text.replace("\n", " "),
    "line break": _insert_break,
}


# Block-level tags: the document's structure. Inline tags (a, em, code, br, raw inline HTML)
# belong to the translation's text, which the QA checks (qa-markup) compare with the msgid.
BLOCK_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 ul ol li blockquote pre hr table thead tbody tr th td".split())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.tags.append("/" + tag)


def tag_structure(markdown: str) -> list[str]:
    parser = _Tags()
    parser.feed(_FULL.render(markdown))
    parser.close()
    return parser.tags


def literal_content(markdown: str) -> tuple:
    """Code, HTML blocks and link reference definitions as the parser reads them."""
    env: dict = {}
    tokens = _FULL.parse(markdown, env)
    blocks = [(t.type, t.info, t.content) for t in tokens if t.type in ("code_block", "fence", "html_block")]
    references = {label: (ref.get("href"), ref.get("title")) for label, ref in (env.get("references") or {}).items()}
    return tuple(blocks), tuple(sorted(references.items()))


def prose_leaves(markdown: str) -> int:
    """Paragraphs, headings and table cells with text, as the parser sees them."""
    return sum(1 for t in _FULL.parse(markdown) if t.type == "inline" and t.content.strip())


def check(example: str, name: str) -> str | None:
    """None when the pass keeps the example's structure, else what went wrong."""
    from pipeline.documents.formats import segment_text
    from pipeline.documents.segmentation import render

    doc = segment_text(example, "markdown")
    built = render(doc, lambda i, seg: PASSES[name](seg.text))
    if name == "identity" and built != example:
        return "not byte-identical"
    if tag_structure(built) != tag_structure(example):
        return "tag structure differs"
    if literal_content(built) != literal_content(example):
        return "code, HTML block or link definition changed"
    return None


def report() -> dict[str, list[int]]:
    failed: dict[str, list[int]] = {name: [] for name in PASSES}
    for ex in examples():
        for name in PASSES:
            if check(ex["markdown"], name):
                failed[name].append(ex["example"])
    return failed


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from pipeline.documents.formats import segment_text

    total = len(examples())
    nowhere = [ex["example"] for ex in examples()
               if prose_leaves(ex["markdown"]) != len(segment_text(ex["markdown"], "markdown").segments)]
    for name, bad in report().items():
        print(f"{name:11} {total - len(bad)}/{total} kept the structure; failed: {bad}")
    print(f"prose leaves without a segment: {nowhere}")
