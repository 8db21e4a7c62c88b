"""Hostile input that was already harmless, kept so: Plural-Forms, glossary rows, concurrent commands.

(TMX entities: test_tmx.py; HTML/SVG/JUnit injection: test_report.py, test_badge.py, test_junit.py,
test_browser.py; two runs at once: test_hardening.py.)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from workspace import ROOT, invoke, make_workspace, msgfmt_check

PL = "Zapraszamy na spotkanie w bibliotece.\n\nZażółć gęślą jaźń, drugi akapit.\n"


def test_plural_forms_is_never_evaluated(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    assert invoke(ws, "run", "--engine", "none").exit_code == 0
    po = ws / "locales/en/LC_MESSAGES/a.po"
    evil = f"nplurals=2; plural=__import__('os').system('touch {ws}/PWNED');"
    text = po.read_text(encoding="utf-8")
    start = text.index('"Plural-Forms: ') + len('"Plural-Forms: ')
    po.write_text(text[:start] + evil + text[text.index("\\n", start):], encoding="utf-8")
    for command in (["status"], ["check", "--qa"], ["report"], ["build"], ["run", "--engine", "none"]):
        assert invoke(ws, *command).exit_code in (0, 1)
    assert not (ws / "PWNED").exists()
    msgfmt_check(po)  # run wrote our Plural-Forms back


HOSTILE_ROWS = [
    '"=HYPERLINK(""http://127.0.0.1/x"",""klik"")",en,=cmd|\' /C calc\'!A0',
    '"(a+)+$.*[",*',                     # regex metacharacters are literal
    '"Biblioteka\nmsgid ""X""",en,Library',  # a line break inside a quoted field
    f'{"x" * 5000},en,{"y" * 5000}',
]


@pytest.mark.parametrize("row", HOSTILE_ROWS, ids=["formula", "regex", "line break", "huge"])
def test_hostile_glossary_rows_never_break_a_catalogue(tmp_path, row):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Biblioteka (a+)+$.*[ zaprasza.\n",
                                   "glossary.csv": f"term,lang,translation\n{row}\n"})
    result = invoke(ws, "run", "--engine", "none", "-q")
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        assert result.stderr.startswith("error: glossary.csv:") and result.stderr.count("\n") == 1, result.stderr
        return
    for po in sorted((ws / "locales").rglob("*.po*")):
        msgfmt_check(po)
        assert 'msgid "X"' not in po.read_text(encoding="utf-8")
    assert invoke(ws, "status").exit_code == 0


def test_build_waits_for_a_run_and_does_not_start_under_no_wait(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    assert invoke(ws, "run", "--engine", "none").exit_code == 0
    code = ("import sys; from pipeline import lock; held = lock.acquire(sys.argv[1]); "
            "print('held', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(ws / ".outreach")], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in (["build", "--no-wait"], ["memory", "import", "--no-wait", str(ws / "x.tmx")]):
            result = invoke(ws, *command)
            assert result.exit_code == 2
            assert "holds the workspace lock; try again later" in result.stderr
        assert not (ws / "build").exists()
    finally:
        holder.stdin.close()
        holder.wait(10)
