"""Property-based fuzzing (hypothesis) of the segmenter, the PO reader/writer, merge and build.

No crash other than our own clear errors, and build(segment(x)) reproduces x.
atheris was left out: hypothesis already drives these pure-Python functions
with structure-aware inputs, and atheris adds a native build for no new finding.
"""

from __future__ import annotations

from profiles import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalogs import catalog
from pipeline.catalogs import pofile
from pipeline.catalogs.catalog import Catalog, Entry
from pipeline.errors import CatalogError
from pipeline.documents.formats import segment_text
from pipeline.documents.segmentation import render
from pipeline.documents.sources import _BINARY, normalise_newlines

FUZZ = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that matter to the Markdown parser, to PO escaping and to line breaking.
MARKUP = list("#->*+|`~<>!=_[]():.,;/\\\"'\t 1\u00a0\u2014\u201e\u201d") + ["\n", "\n\n", "  ", "    ", "```", "---", "<!--", "-->", "1. ", "- [ ] "]
WORDS = ["Zażółć", "gęślą", "jaźń", "zapraszamy", "Запрошуємо", "biblioteka", "18:00", "https://x.pl/a_b", "中文"]
text_strategy = st.lists(st.one_of(st.sampled_from(MARKUP), st.sampled_from(WORDS), st.text(max_size=3)),
                         max_size=60).map("".join).map(lambda t: _BINARY.sub("", normalise_newlines(t)))  # what sources accept


@FUZZ
@given(text_strategy, st.sampled_from(["text", "markdown"]))
def test_segmenter_round_trip(text, fmt):
    doc = segment_text(text, fmt)
    assert render(doc, lambda i, seg: seg.text) == text
    for seg in doc.segments:
        assert seg.text and seg.text == seg.text.strip() or "\n" in seg.text
        assert 1 <= seg.line <= text.count("\n") + 1


@FUZZ
@given(text_strategy, st.sampled_from(["text", "markdown"]))
def test_build_round_trip_through_a_catalogue(text, fmt):
    """segment → catalogue with identity translations → .po text → parse → render == source."""
    doc = segment_text(text, fmt)
    entries = catalog.template_entries((s.text, f"a.md:{s.line}", ()) for s in doc.segments)
    po = Catalog(entries=tuple(Entry(e.msgid, e.msgid, references=e.references) for e in entries),
                 header=(("Content-Type", "text/plain; charset=UTF-8"),))
    parsed = pofile.parse_catalog(pofile.format_catalog(po))
    translations = {e.msgid: e.msgstr for e in parsed.entries}
    assert render(doc, lambda i, seg: translations[seg.text]) == text


def _valid_po() -> str:
    entries = (
        Entry("Zapraszamy na spotkanie w bibliotece.", "We invite you.", references=("a.md:1",)),
        Entry("Druga \"linia\"\nz przełamaniem", "Second", flags=("fuzzy",), previous_msgid="Druga linia"),
        Entry("Stare", "Old", obsolete=True),
        Entry("Kontekst", "", msgctxt="menu", comments=("reviewer note",), extracted=("type: heading",)),
    )
    return pofile.format_catalog(Catalog(entries, header=(("Language", "en"), ("Content-Type", "text/plain; charset=UTF-8"))))


VALID_PO = _valid_po()


@st.composite
def mutated_po(draw):
    lines = VALID_PO.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete char", "insert", "drop line", "duplicate line", "swap"]))
        line = lines[i]
        if op == "delete char" and line:
            j = draw(st.integers(0, len(line) - 1))
            lines[i] = line[:j] + line[j + 1:]
        elif op == "insert":
            j = draw(st.integers(0, len(line)))
            lines[i] = line[:j] + draw(st.sampled_from(['"', "\\", "#", "msgid ", "msgstr ", "#~ ", "\x00", "ą", " ", "[0]"])) + line[j:]
        elif op == "drop line":
            del lines[i]
            if not lines:
                lines = [""]
        elif op == "duplicate line":
            lines.insert(i, line)
        else:
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
    return "\n".join(lines)


@FUZZ
@given(mutated_po())
def test_po_reader_parses_or_raises_catalog_error(text):
    try:
        cat = pofile.parse_catalog(text, path="x.po")
    except CatalogError as exc:
        assert str(exc).startswith("x.po"), str(exc)
        assert exc.exit_code == 2
        return
    # Whatever parses can be written again (polib is lenient with garbage; the writer must not crash).
    assert pofile.format_catalog(cat).endswith("\n")


@FUZZ
@given(st.binary(max_size=300))
def test_po_reader_on_random_bytes(data):
    try:
        text, charset = pofile._decode(data, "x.po")
        pofile.parse_catalog(text, path="x.po", charset=charset)
    except CatalogError as exc:
        assert str(exc).startswith("x.po")


msgids = st.sampled_from(["Zapraszamy na spotkanie", "Zapraszamy na spotkanie!", "Kurs języka", "Kurs języka polskiego",
                          "Biblioteka nieczynna", "a", "", "18:00", "Zbiórka darów dla rodzin"])
entries = st.builds(Entry, msgid=msgids, msgstr=st.sampled_from(["", "Tłumaczenie", "Other"]),
                    msgctxt=st.sampled_from([None, "menu"]), flags=st.sampled_from([(), ("fuzzy",)]),
                    obsolete=st.booleans())


def _unique(items):
    seen, out = set(), []
    for e in items:
        if (e.key, e.obsolete) not in seen:
            seen.add((e.key, e.obsolete))
            out.append(e)
    return out


@FUZZ
@given(st.lists(entries, max_size=12).map(_unique), st.lists(entries, max_size=12), st.booleans())
def test_merge_never_loses_a_translation(old, template, purge):
    template = tuple(catalog.template_entries((e.msgid, "a.md:1", ()) for e in template if e.msgctxt is None))
    existing = Catalog(tuple(old), header=())
    result = catalog.merge(template, existing, purge_obsolete=purge)
    assert [e.msgid for e in result.entries if not e.obsolete] == [e.msgid for e in template]
    kept = {e.msgstr for e in result.entries}
    for e in old:
        if e.msgstr and not (purge and e.obsolete):
            assert e.msgstr in kept, f"lost {e}"
    pofile.parse_catalog(pofile.format_catalog(Catalog(result.entries, header=())))


# ------------------------------------------------------------------ the fast line breaker


def _reference_break_lines(text, width, start):
    """The original per-character implementation (before the 50 MB speed-up)."""
    from pipeline.catalogs.pofile import _ESCAPES, _break_allowed, _char_width

    cuts, last_p, column, piece = [], None, start, 0
    for i, char in enumerate(text):
        if i > 0 and _break_allowed(text, i):
            if last_p is not None and column + piece > width:
                cuts.append(last_p)
                column = 0
            last_p, column, piece = i, column + piece, 0
        piece += 2 if char in _ESCAPES else _char_width(char)
    if last_p is not None and column + piece > width:
        cuts.append(last_p)
    bounds = [0, *cuts, len(text)]
    return ["".join(_ESCAPES.get(c, c) for c in text[a:b]) for a, b in zip(bounds, bounds[1:])]


BREAKING = list(' .,:;/-!?–…—)]}([{„‚"\'“”‘’«»\\\t\aab ąę中字\u0301\u200bxyz 12')


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(st.sampled_from(BREAKING), max_size=80).map("".join), st.integers(1, 40), st.integers(0, 12))
def test_fast_line_breaking_equals_the_reference(text, width, start):
    assert pofile._break_lines(text, width, start) == _reference_break_lines(text, width, start)
