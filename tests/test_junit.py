"""CI output: `check --format junit|json|text` and the `status` table's colours."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from pipeline.review.findings import Finding
from pipeline.review.status import CatalogStatus
from pipeline.cli import cli
from pipeline.review.junit import clean, render_junit
from workspace import ROOT, invoke, make_workspace, review_all

EN = "locales/en/LC_MESSAGES/a.po"
UK = "locales/uk/LC_MESSAGES/a.po"


def _cats():
    return [CatalogStatus("a", "en", EN, 2, 2), CatalogStatus("a", "uk", UK, 2, 1, 1)]


def _suite(xml: str) -> ET.Element:
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "outreach check"
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases) == int(root.get("tests"))
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None) == int(root.get("failures"))
    assert suite.get("errors") == "0" and suite.get("skipped") == "0"
    for case in cases:  # common JUnit schema shape
        assert set(case.attrib) <= {"classname", "name", "time", "file", "line"}
        assert {child.tag for child in case} <= {"failure", "system-out"}
    return suite


def test_one_case_per_catalogue_failures_list_the_findings():
    findings = [Finding(UK, 1, "incomplete", "50% translated"), Finding(UK, 30, "fuzzy", "machine draft <x>"),
                Finding(EN, 1, "orphan", "its source text is gone", "warning")]
    suite = _suite(render_junit(_cats(), findings))
    en, uk = suite.findall("testcase")
    assert (en.get("classname"), en.get("name")) == ("outreach.check", EN)
    assert en.find("failure") is None
    assert en.find("system-out").text == f"{EN}:1: warning: orphan: its source text is gone\n"
    failure = uk.find("failure")
    assert failure.get("message") == "2 problems: fuzzy, incomplete"
    assert failure.text.splitlines() == [f"{UK}:1: incomplete: 50% translated", f"{UK}:30: fuzzy: machine draft <x>"]


def test_qa_findings_get_a_case_each_and_unknown_paths_are_kept():
    findings = [Finding(UK, 30, "qa-url", "URL changed"), Finding(UK, 40, "qa-length", "long", "warning"),
                Finding("glossary.csv", 3, "glossary", "bad row")]
    suite = _suite(render_junit(_cats(), findings))
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("outreach.check", EN), ("outreach.check", UK), ("outreach.check", "glossary.csv"),
        ("outreach.qa", f"{UK}:30: qa-url"), ("outreach.qa", f"{UK}:40: qa-length")]
    assert cases[1].find("failure") is None  # the catalogue itself passes; its QA errors fail apart
    assert cases[3].find("failure").get("message") == f"{UK}:30: qa-url: URL changed"
    assert cases[3].get("line") is None and cases[3].get("file") is None  # not in the common XSD
    located = _suite(render_junit(_cats(), findings, locations=True)).findall("testcase")
    assert located[3].get("line") == "30" and located[3].get("file") == UK  # for action-junit-report
    assert cases[4].find("failure") is None and "warning: qa-length" in cases[4].find("system-out").text
    assert suite.get("failures") == "2"


def test_characters_xml_cannot_carry_are_replaced():
    assert clean("a\x00b\x0bc\td") == "a\ufffdb\ufffdc\td"
    suite = _suite(render_junit(_cats(), [Finding(UK, 5, "fuzzy", "bell \x07 and 𝄞")]))
    assert "bell \ufffd and 𝄞" in suite.findall("testcase")[1].find("failure").text


def test_cli_check_junit_fails_then_passes(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n\nDrugi akapit.\n"})
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    result = invoke(ws, "check", "--format", "junit")
    assert result.exit_code == 1
    suite = _suite(result.stdout)
    assert [c.get("name") for c in suite.findall("testcase")] == [EN, UK]
    assert suite.get("failures") == "2"
    assert "check failed" in result.stderr
    for lang in ("en", "uk"):
        review_all(ws / f"locales/{lang}/LC_MESSAGES/a.po")
    result = invoke(ws, "check", "--format", "junit")
    assert result.exit_code == 0
    assert _suite(result.stdout).get("failures") == "0"


def test_cli_check_format_json_text_and_conflict(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Akapit.\n"})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    as_json = invoke(ws, "check", "--format", "json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout) == json.loads(invoke(ws, "check", "--json").stdout)
    text = invoke(ws, "check", "--format", "text")
    assert text.stdout == invoke(ws, "check").stdout and f"{EN}:" in text.stdout
    conflict = invoke(ws, "check", "--json", "--format", "junit")
    assert conflict.exit_code == 2 and "contradict" in conflict.stderr
    assert invoke(ws, "check", "--format", "xml").exit_code == 2


# ---------------------------------------------------------------- status colours

@pytest.fixture
def status_ws(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Akapit.\n", "source_texts/dluzsza-nazwa.txt": "Tekst.\n"})
    assert CliRunner().invoke(cli, ["run", "-C", str(ws), "--engine", "none", "-q"]).exit_code == 0
    review_all(ws / EN)
    return ws


def test_status_is_coloured_on_a_terminal_and_stays_aligned(status_ws, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = CliRunner().invoke(cli, ["status", "-C", str(status_ws)], color=True)
    plain = CliRunner().invoke(cli, ["status", "-C", str(status_ws)], color=False)
    assert coloured.exit_code == plain.exit_code == 0
    assert "\x1b[32m" in coloured.stdout and "\x1b[33m" in coloured.stdout  # 100% green, 0% yellow
    assert "\x1b[" not in plain.stdout  # not a terminal: click strips the colours
    import click

    assert click.unstyle(coloured.stdout) == plain.stdout
    lines = plain.stdout.splitlines()
    assert lines[1].index("%") == lines[-1].index("%")  # COMPLETE column aligned
    assert all(not line.endswith(" ") for line in lines)


@pytest.mark.parametrize("value, coloured", [("1", False), ("true", False), ("", True)])
def test_no_color_disables_colours_even_on_a_terminal(status_ws, monkeypatch, value, coloured):
    monkeypatch.setenv("NO_COLOR", value)
    result = CliRunner().invoke(cli, ["status", "-C", str(status_ws)], color=True)
    assert result.exit_code == 0
    assert ("\x1b[" in result.stdout) is coloured


def test_cli_check_qa_junit_has_a_case_per_qa_finding(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Spotkanie o 17:00 w sali 12.\n"})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    for lang in ("en", "uk"):
        review_all(ws / f"locales/{lang}/LC_MESSAGES/a.po", translate=lambda e: "Meeting at 18:00 in room 12.")
    assert invoke(ws, "check", "--format", "junit").exit_code == 0
    result = invoke(ws, "check", "--qa", "--format", "junit", "--junit-locations")
    assert result.exit_code == 1
    suite = _suite(result.stdout)
    qa = [c for c in suite.findall("testcase") if c.get("classname") == "outreach.qa"]
    assert {c.get("file") for c in qa} >= {EN, UK}
    assert all(": qa-" in c.get("name") for c in qa)
    assert any("qa-number" in c.get("name") and c.find("failure") is not None for c in qa)


def _xsd_errors(xml: str) -> list[str]:
    import xmlschema

    schema = xmlschema.XMLSchema(str(ROOT / "tests/data/junit.xsd"))
    return [str(e.reason) for e in schema.iter_errors(xml)]


def test_junit_validates_against_the_junit_xsd(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Spotkanie o 17:00 w sali 12.\n\nZapraszamy.\n"})
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    review_all(ws / "locales/uk/LC_MESSAGES/a.po", translate=lambda e: "Зустріч о 18:00 у залі 12.")
    plain = invoke(ws, "check", "--qa", "--format", "junit")
    assert plain.exit_code == 1 and "qa-number" in plain.stdout
    assert _xsd_errors(plain.stdout) == []
    located = invoke(ws, "check", "--qa", "--format", "junit", "--junit-locations").stdout
    assert any("file" in reason for reason in _xsd_errors(located))  # the XSD is strict: it can fail


def test_check_that_cannot_run_writes_a_failing_junit_case(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy.\n"})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    (ws / "locales/uk/LC_MESSAGES/a.po").write_text('msgid "broken\n', encoding="utf-8")
    result = invoke(ws, "check", "--format", "junit")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: locales/uk/LC_MESSAGES/a.po:1: ")
    suite = _suite(result.stdout)
    (case,) = suite.findall("testcase")
    assert case.get("name") == "outreach check could not run"
    assert case.find("failure").get("message").startswith("locales/uk/LC_MESSAGES/a.po:1: could-not-run: ")
    assert _xsd_errors(result.stdout) == []
    (ws / "outreach.toml").write_text("[tool.outreach]\nengine = 5\n", encoding="utf-8")
    config = invoke(ws, "check", "--format", "junit")
    assert config.exit_code == 2 and "engine" in _suite(config.stdout).find("testcase/failure").get("message")
