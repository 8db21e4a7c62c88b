"""Helpers shared by the end-to-end tests: throw-away workspaces and the CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def make_workspace(tmp_path: Path, files: dict[str, str | bytes] | None = None, *, samples: bool = False) -> Path:
    """A workspace folder under tmp_path with the given source files (paths relative to it)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    if samples:
        shutil.copytree(ROOT / "source_texts", ws / "source_texts")
    for rel, content in (files or {}).items():
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return ws


def invoke(ws: Path, *args: str):
    """Run ``outreach -C ws ARGS`` in-process; returns the click Result (stdout and stderr apart)."""
    import click

    runner = CliRunner()
    words = 2 if isinstance(cli.commands.get(args[0]), click.Group) else 1
    return runner.invoke(cli, [*args[:words], "-C", str(ws), *args[words:]], catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def msgfmt_check(path: Path) -> None:
    """Fail the test unless GNU msgfmt --check accepts ``path``."""
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, f"msgfmt --check {path}:\n{result.stderr}"


def review_all(po_path: Path, translate=lambda e: "REVIEWED " + e.msgid) -> None:
    """Act as a reviewer: give every active entry a translation and clear fuzzy (saved by polib)."""
    po = polib.pofile(str(po_path))
    for entry in po:
        if entry.obsolete:
            continue
        if not entry.msgstr or entry.fuzzy:
            entry.msgstr = translate(entry)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    po.save()


def default_sigint() -> None:
    """preexec_fn for child processes that must react to SIGINT like a terminal user's Ctrl-C.

    A shell starts background jobs (and so some CI runners start us) with SIGINT
    ignored; children inherit that, and Python then never raises
    KeyboardInterrupt. The tests that send SIGINT restore the default first.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


HEAVY = frozenset({"ctranslate2", "sentencepiece", "argostranslate", "torch", "stanza", "spacy", "numpy"})

_PROBE = """\
import contextlib, io, json, sys
from pipeline.cli import cli
codes, out = [], io.StringIO()
for args in json.loads(sys.argv[1]):
    try:
        with contextlib.redirect_stdout(out):
            cli.main(args, prog_name="outreach")
    except SystemExit as exc:
        codes.append(exc.code)
print(json.dumps({"codes": codes, "stdout": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def probe(commands: list[list[str]], env: dict | None = None) -> tuple[list, str, list[str]]:
    """Run ``outreach`` commands one after the other in ONE fresh interpreter (cwd: the repository).

    Returns their exit codes, their joined stdout, and every module that process imported."""
    import json
    import os
    import sys

    env = {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", _PROBE, json.dumps([list(c) for c in commands])],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.splitlines()[-1])
    return data["codes"], data["stdout"], data["modules"]


def run_fresh(ws: Path, *commands: list[str]) -> tuple[list[int], str, set[str]]:
    """Run ``outreach`` commands (each with ``-C ws``) in one fresh interpreter.

    Returns their exit codes, their joined stdout, and which of :data:`HEAVY`
    (the MT stack and what it pulls) that process imported.
    """
    codes, out, modules = probe([[*cmd[:1], "-C", str(ws), *cmd[1:]] for cmd in commands])
    return codes, out, {m.split(".")[0] for m in modules} & HEAVY
