"""The HTML reviewer report: data gathered from catalogues, escaping, states, filter, CLI."""

from __future__ import annotations

from html.parser import HTMLParser

import polib

from pipeline.catalogs import catalog
from pipeline.review.findings import Finding
from pipeline.review.status import CatalogStatus
from pipeline.review.report import Cell, DocumentReport, Report, Row, collect_report, render_html
from pipeline.config import load_settings
from workspace import invoke, make_workspace, review_all, run_fresh

INJECTION = "Uwaga <script>document.title='PWNED'</script> i <img src=x onerror=\"alert(1)\"> & \"cytat\"."


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def named(self, tag):
        return [a for t, a in self.tags if t == tag]


def _report(msgid=INJECTION, msgstr=INJECTION, findings=(), notes=()):
    cells = (Cell("en", catalog.REVIEWED, msgstr, "locales/en/LC_MESSAGES/a.po:20", findings),
             Cell("uk", catalog.MACHINE_DRAFT, "чернетка", "locales/uk/LC_MESSAGES/a.po:21"))
    cats = (CatalogStatus("a", "en", "locales/en/LC_MESSAGES/a.po", 1, 1, 0, 0),
            CatalogStatus("a", "uk", "locales/uk/LC_MESSAGES/a.po", 1, 0, 1, 0))
    counts = tuple(tuple((s, int(s == st)) for s in catalog.STATES) for st in (catalog.REVIEWED, catalog.MACHINE_DRAFT))
    doc = DocumentReport("a<b>", "source_texts/a<b>.md", cats, counts,
                         (Row(msgid, "ctx\"<i>", ("source_texts/a.md:3",), cells),), tuple(notes))
    return Report("proj<script>", "pl", ("en", "uk"), (doc,))


def test_every_text_is_escaped_and_nothing_can_run():
    finding = Finding("locales/en/LC_MESSAGES/a.po", 20, "qa-url", "<img src=y onerror=alert(2)>", "error")
    note = Finding("locales/en/LC_MESSAGES/a.po", 1, "qa-header", "<script>x()</script>", "warning")
    page = render_html(_report(findings=(finding,), notes=(note,)))
    parsed = Elements(page)
    assert not parsed.named("script")
    assert not parsed.named("img")
    assert not parsed.named("i")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    # The text reads as written once parsed.
    text = "".join(parsed.text)
    assert INJECTION in text
    assert "<img src=y onerror=alert(2)>" in text and "<script>x()</script>" in text
    assert 'data-doc="a&lt;b&gt;"' in page
    # No attribute anywhere loads or runs anything.
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs, (tag, attrs)
        assert attrs.get("href", "#").startswith("#"), (tag, attrs)  # only links within the page


def test_page_is_self_contained_with_a_strict_csp():
    page = render_html(_report())
    parsed = Elements(page)
    csp = [a for a in parsed.named("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"] and "script-src" not in csp[0]["content"]
    assert not parsed.named("link") and not parsed.named("script")
    assert "http://" not in page and "https://" not in page and "url(" not in page
    assert parsed.named("style") and parsed.tags[0][0] == "html"


def test_state_has_colour_and_text_label_and_needs_work_filter_is_pure_css():
    page = render_html(_report())
    parsed = Elements(page)
    cells = [a for a in parsed.named("td") if a.get("class") == "cell"]
    assert [(c["data-lang"], c["data-state"]) for c in cells] == [("en", "reviewed"), ("uk", "machine draft")]
    labels = [a for a in parsed.named("span") if a.get("class") == "state"]
    assert all("color:" in a["style"] and "background:" in a["style"] for a in labels)
    assert "machine draft</span>" in page and "reviewed</span>" in page
    checkbox = [a for a in parsed.named("input") if a.get("id") == "needs-work"]
    assert checkbox and checkbox[0]["type"] == "checkbox"
    assert "#needs-work:checked ~ main tr.entry.done" in page
    rows = [a for a in parsed.named("tr") if "entry" in a.get("class", "")]
    assert rows == [{"class": "entry todo"}]  # the Ukrainian cell is still a draft


def test_collect_report_matches_catalogues_and_attaches_findings(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.md": "# Tytuł\n\nPierwszy akapit.\n\nDrugi akapit.\n"})
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    en = ws / "locales/en/LC_MESSAGES/a.po"
    review_all(en)
    po = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/a.po"))
    po[1].msgstr = "Перший абзац (виправлено)"   # edited draft → human draft
    po[2].msgstr = ""
    po[2].flags = []
    po.save()
    settings = load_settings(ws)
    from pipeline.catalogs import pofile

    uk_line = pofile.read_catalog(ws / "locales/uk/LC_MESSAGES/a.po").active[0].line
    findings = [Finding("locales/uk/LC_MESSAGES/a.po", uk_line, "qa-number", "number 7 missing"),
                Finding("locales/uk/LC_MESSAGES/a.po", uk_line, "fuzzy", "repeats the state"),
                Finding("locales/uk/LC_MESSAGES/a.po", 2, "qa-header", "bad header", "warning")]
    report = collect_report(settings, findings)
    (doc,) = report.documents
    assert [r.msgid for r in doc.rows] == ["Tytuł", "Pierwszy akapit.", "Drugi akapit."]
    assert [[c.state for c in r.cells] for r in doc.rows] == [
        ["reviewed", "machine draft"], ["reviewed", "human draft"], ["reviewed", "untranslated"]]
    assert doc.rows[0].cells[1].location == f"locales/uk/LC_MESSAGES/a.po:{uk_line}"
    assert [f.code for f in doc.rows[0].cells[1].findings] == ["qa-number"]
    assert [n.code for n in doc.notes] == ["qa-header"]
    assert report.language_counts("en")["reviewed"] == 3
    assert report.language_counts("uk") == {**dict.fromkeys(catalog.STATES, 0),
                                            "machine draft": 1, "human draft": 1, "untranslated": 1}
    assert not doc.done and not any(r.done for r in doc.rows)


def test_cli_report_writes_the_page_and_prints_its_path(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n\nDrugi akapit.\n",
                                   "source_texts/b.txt": "Trzeci akapit.\n"})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    (ws / "locales/uk/LC_MESSAGES/b.po").unlink()
    result = invoke(ws, "report")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "build/report.html\n"
    assert "2 documents, 3 entries" in result.stderr
    page = (ws / "build/report.html").read_text(encoding="utf-8")
    assert page.count('data-state="untranslated"') == 5  # a: 2 entries × (en, uk); b: en
    assert 'data-state="missing"' in page and "no catalogue yet for source_texts/b.txt" in page
    assert [p.name for p in (ws / "build").iterdir()] == ["report.html"]  # no temp file left
    other = tmp_path / "out" / "r.html"
    again = invoke(ws, "report", "-o", str(other))
    assert again.exit_code == 0 and other.read_text(encoding="utf-8") == page  # deterministic


def test_cli_report_in_an_empty_workspace(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/.keep": ""})
    result = invoke(ws, "report")
    assert result.exit_code == 0, result.stderr
    assert "0 documents" in (ws / "build/report.html").read_text(encoding="utf-8")


def test_cli_report_on_an_unwritable_output_is_one_line_exit_2(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Akapit.\n"})
    (ws / "blocker").write_text("a file, not a folder")
    result = invoke(ws, "report", "-o", str(ws / "blocker" / "r.html"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_report_and_badge_never_import_the_mt_stack(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n"})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    _codes, _out, heavy = run_fresh(ws, ["report"], ["badge"], ["check", "--format", "junit"])
    assert not heavy, heavy
    assert (ws / "build/report.html").exists() and (ws / "build/badges/uk.svg").exists()


def test_qa_findings_are_shown_on_their_entry(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Spotkanie o 17:00 w sali 12.\n\nZapraszamy.\n"})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    review_all(ws / "locales/uk/LC_MESSAGES/a.po",
               translate=lambda e: "Зустріч о 18:00 у залі 12." if "17" in e.msgid else "Ласкаво просимо.")
    page = ws / "build/report.html"
    assert invoke(ws, "report").exit_code == 0
    parsed = Elements(page.read_text(encoding="utf-8"))
    text = "".join(parsed.text)
    assert "error: qa-number:" in text
    assert [a["class"] for a in parsed.named("tr") if "entry" in a.get("class", "")] == ["entry todo", "entry todo"]
    assert invoke(ws, "report", "--no-qa").exit_code == 0
    assert "qa-number" not in page.read_text(encoding="utf-8")
