"""Every command and sub-command explains itself; --version works; the test engine stays hidden."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from pipeline import __version__
from pipeline.cli import cli


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield path + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, path + (name,))


COMMANDS = list(_commands(cli))


def test_the_tree_has_every_documented_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"run", "detect", "status", "check", "build", "report", "badge", "models", "models list",
            "models install", "models remove", "memory", "memory export", "memory import"} <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = dict(COMMANDS)[path]
    summary = (command.help or "").strip().splitlines()
    assert summary and summary[0], f"{' '.join(path)} has no help text"
    assert summary[0] in " ".join(result.output.split())
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in cli.commands:
        assert f"outreach {name}" in result.output or f"  {name}" in result.output, name


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_the_test_engine_is_not_offered_by_the_product(tmp_path) -> None:
    help_text = CliRunner().invoke(cli, ["run", "--help"]).output
    assert "fake" not in help_text
    (tmp_path / "source_texts").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.outreach]\nengine = "fake"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["status", "-C", str(tmp_path)])
    assert result.exit_code == 2
    assert "engine: 'fake' is not one of auto, argos, libretranslate, none" in result.output
