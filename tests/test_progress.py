"""Progress on stderr: a line per stage in a log (no TTY), bars on a terminal, nothing with -q."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys

from pipeline.cli.options import StageProgress
from workspace import ROOT, invoke, make_workspace

TEXTS = {
    "source_texts/a.txt": "Zapraszamy na spotkanie autorskie.\n\nWstęp wolny.\n",
    "source_texts/b.md": "# Warsztaty\n\nZapisy w bibliotece.\n",
}
STAGE_LINE = re.compile(r"^(reading|detecting languages|translating \w+→\w+|writing|building): (\d+) (\w+) in \d+\.\d s$")


def stage_lines(stderr: str) -> list[tuple[str, int, str]]:
    return [(m[1], int(m[2]), m[3]) for m in map(STAGE_LINE.match, stderr.splitlines()) if m]


def test_a_log_gets_one_line_per_stage_with_counts(tmp_path):
    ws = make_workspace(tmp_path, TEXTS)
    result = invoke(ws, "run", "--engine", "fake")  # CliRunner: stderr is not a terminal
    assert result.exit_code == 0, result.stderr
    assert stage_lines(result.stderr) == [
        ("reading", 2, "files"),
        ("detecting languages", 2, "documents"),
        ("translating pl→en", 4, "sentences"),   # every msgid once (en and the pivot for uk)
        ("translating en→uk", 4, "sentences"),
        ("writing", 6, "files"),                  # 2 templates + 2 × 2 catalogues
    ]
    assert "\r" not in result.stderr and "[#" not in result.stderr  # no bar drawn into a log


def test_quiet_prints_no_progress(tmp_path):
    ws = make_workspace(tmp_path, TEXTS)
    result = invoke(ws, "run", "--engine", "fake", "-q")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert invoke(ws, "detect", "-q").stderr == ""


def test_detect_reports_its_stages_too(tmp_path):
    ws = make_workspace(tmp_path, TEXTS)
    result = invoke(ws, "detect")
    assert [s for s, _n, _u in stage_lines(result.stderr)] == ["reading", "detecting languages"]


def test_stage_line_counts_and_time_from_the_clock():
    said, ticks = [], iter([10.0, 12.5, 13.0, 13.25])
    import pipeline.cli.options as options

    real_say = options.say
    options.say = said.append
    try:
        progress = StageProgress(tty=False, clock=lambda: next(ticks))
        progress("reading", 1, 3)
        progress("reading", 3, 3)
        progress("writing", 1, 4)      # a new stage ends the last one
        progress.finish()              # interrupted at 1 of 4
    finally:
        options.say = real_say
    assert said == ["reading: 3 files in 2.5 s", "writing: 1 of 4 files in 0.2 s"]


def test_a_terminal_gets_a_bar_per_stage_named_by_leg(tmp_path):
    ws = make_workspace(tmp_path, TEXTS)
    primary, secondary = os.openpty()
    code = ("import sys\nsys.path.insert(0, 'tests')\nimport conftest\nfrom pipeline.cli import main\n"
            f"sys.argv = ['outreach', 'run', '-C', {str(ws)!r}, '--engine', 'fake']\nmain()\n")
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=secondary,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"})
    os.close(secondary)
    output = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert child.wait(timeout=60) == 0
    os.close(primary)
    text = output.decode("utf-8", "replace")
    for label in ("reading", "detecting languages", "translating pl→en", "translating en→uk", "writing"):
        assert re.search(re.escape(label) + r"\s+\[#+\]", text), (label, text)
    assert not stage_lines(text.replace("\r", "\n"))  # bars instead of log lines


def test_build_quiet_keeps_errors_only_and_counts_the_fallbacks(tmp_path):
    ws = make_workspace(tmp_path, TEXTS)
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    loud = invoke(ws, "build")
    warnings = [line for line in loud.stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 8  # 4 unreviewed segments × 2 languages
    quiet = invoke(ws, "build", "-q")
    assert quiet.exit_code == 0
    assert quiet.stderr.splitlines() == ["8 segments fell back to the source (not reviewed); run without -q to list them"]
    assert quiet.stdout == loud.stdout


def test_build_reports_its_stage_and_one_is_singular(tmp_path):
    ws = make_workspace(tmp_path, TEXTS)
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    result = invoke(ws, "build")
    assert [s for s, _n, _u in stage_lines(result.stderr)] == ["building"]
    assert dict((s, (n, u)) for s, n, u in stage_lines(result.stderr))["building"] == (2, "documents")
    said = []
    import pipeline.cli.options as options

    real_say, options.say = options.say, said.append
    try:
        progress = StageProgress(tty=False, clock=lambda: 0.0)
        progress("reading", 1, 1)
    finally:
        options.say = real_say
    assert said == ["reading: 1 file in 0.0 s"]
