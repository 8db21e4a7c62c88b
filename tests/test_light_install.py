"""The light install (`pip install .`, no MT stack): `run` still works, `--version` tells what is there,
and no message sends a user to an option that does not exist."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys

import click
import polib

from pipeline.cli import cli
from workspace import ROOT, make_workspace

# A fresh interpreter in which the MT stack is not installed: importing it fails as it would
# after `pip install .` (a meta-path finder refuses the names, and their metadata is hidden).
_LIGHT = """\
import importlib.abc, sys
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"argostranslate", "ctranslate2", "sentencepiece"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
import importlib.metadata as metadata
_version = metadata.version
def version(name):
    if name in {"argostranslate", "ctranslate2", "sentencepiece"}:
        raise metadata.PackageNotFoundError(name)
    return _version(name)
metadata.version = version
from pipeline.cli import main
sys.argv = ["outreach", *sys.argv[1:]]
main()
"""


def light(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ARGOS_PACKAGES_DIR"}
    env.update({"PYTHONPATH": str(ROOT), **(env_extra or {})})
    return subprocess.run([sys.executable, "-c", _LIGHT, *args], capture_output=True, text=True, env=env, timeout=120)


def test_auto_engine_without_argostranslate_writes_catalogues_without_drafts(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy na spotkanie autorskie.\n"})
    result = light("run", "-C", str(ws))
    assert result.returncode == 0, result.stderr
    assert "no translation models installed" in result.stderr and "outreach models install" in result.stderr
    po = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/a.po"))
    assert [e.msgstr for e in po] == [""]


def test_explicit_argos_engine_without_argostranslate_is_a_clear_error(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy.\n"})
    result = light("run", "-C", str(ws), "--engine", "argos")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "--models-dir" in result.stderr
    assert not (ws / "locales").exists()


def test_run_models_dir_option_is_used(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy.\n"})
    empty = tmp_path / "models"
    empty.mkdir()
    result = light("run", "-C", str(ws), "--engine", "argos", "--models-dir", str(empty))
    assert result.returncode == 2
    assert f"no translation model installed in {empty}" in result.stderr


def test_version_names_engine_packages_without_importing_them():
    probe = ("import json, sys, contextlib, io\nfrom pipeline.cli import cli\nout = io.StringIO()\n"
             "with contextlib.redirect_stdout(out):\n    try:\n        cli.main(['--version'], prog_name='outreach')\n"
             "    except SystemExit:\n        pass\n"
             "print(json.dumps({'out': out.getvalue(), 'mods': sorted(sys.modules)}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    data = json.loads(result.stdout)
    lines = data["out"].splitlines()
    assert lines[0] == "outreach 0.1.0"
    assert any(line.strip().startswith("ctranslate2 ") for line in lines), lines
    assert not {"ctranslate2", "sentencepiece", "argostranslate"} & {m.split(".")[0] for m in data["mods"]}
    light_lines = light("--version").stdout.splitlines()
    assert "  ctranslate2: not installed" in light_lines and "light install" in light_lines[-1]


def test_directory_option_before_the_sub_command(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy.\n"})
    from click.testing import CliRunner

    runner = CliRunner()
    assert runner.invoke(cli, ["-C", str(ws), "run", "--engine", "none", "-q"]).exit_code == 0
    both = runner.invoke(cli, ["-C", str(tmp_path), "status", "-C", "ws", "--json"])
    assert both.exit_code == 0, both.stderr
    assert json.loads(both.stdout)["total"]["entries"] == 2  # one entry, two languages
    missing = runner.invoke(cli, ["-C", str(tmp_path / "nope"), "status"])
    assert missing.exit_code == 2 and "workspace folder not found" in missing.stderr


# ---------------------------------------------------------------- every option a message names exists

def _options_of(command: click.Command) -> set[str]:
    names = {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts + p.secondary_opts}
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            names |= _options_of(sub)
    return names


def _message_strings() -> list[tuple[str, int, str]]:
    """Every string constant in pipeline/ outside docstrings, with its file and line."""
    found = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found.append((path.relative_to(ROOT).as_posix(), node.lineno, node.value))
    return found


def test_every_option_named_in_a_message_exists():
    options = _options_of(cli) | {"--help", "-h"}
    named = []
    for path, line, text in _message_strings():
        for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", text):
            named.append(option)
            assert option in options, f"{path}:{line}: names {option}, which no command has"
    assert {"--models-dir", "--url", "--engine", "--no-wait"} <= set(named)


def test_shell_completion_as_documented(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_OUTREACH_COMPLETE": "bash_complete",
           "COMP_WORDS": "outreach -C ws st", "COMP_CWORD": "3"}
    probe = "from pipeline.cli import main; main()"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "plain,status" in result.stdout.splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '_OUTREACH_COMPLETE=bash_source outreach' in readme
