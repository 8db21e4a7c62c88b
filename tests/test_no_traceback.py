"""Every command, with every odd input of a table: a one-line message and an exit code, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from workspace import invoke, make_workspace

PL = "Zapraszamy na spotkanie w bibliotece.\n\nZażółć gęślą jaźń, drugi akapit.\n"

COMMANDS = [["run", "--engine", "none"], ["detect"], ["status"], ["check"], ["check", "--qa"], ["report"],
            ["badge"], ["build"], ["memory", "export", "--tmx", "{ws}/out.tmx"], ["memory", "import", "{ws}/in.po"],
            ["models", "list", "--models-dir", "{ws}/models"]]

# settings file → the start of the one-line message
SETTINGS = {
    "target_languages = [1]": ("outreach.toml", "error: outreach.toml: target_languages: 1 is not a language code"),
    "detect_languages = [true]": ("outreach.toml", "error: outreach.toml: detect_languages: True is not a language code"),
    'sources = ""': ("outreach.toml", "error: outreach.toml: sources: an empty path"),
    'locales = ""': ("outreach.toml", "error: outreach.toml: locales: an empty path"),
    'build = ""': ("outreach.toml", "error: outreach.toml: build: an empty path"),
    "tool = 5": ("pyproject.toml", "error: pyproject.toml: [tool] must be a table, not 5"),
    "[tool]\noutreach = 5": ("pyproject.toml", "error: pyproject.toml: [tool.outreach] must be a table, not 5"),
}
CHARSETS = ["rot13", "hex", "base64", "zlib", "uu", "punycode"]


def run_cli(ws, args):
    """Like workspace.invoke, but an unexpected exception is returned, not raised."""
    words = 2 if args[0] in ("memory", "models") else 1
    args = [a.format(ws=ws) for a in args]
    result = CliRunner().invoke(cli, [*args[:words], "-C", str(ws), *args[words:]])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: traceback") from result.exception
    assert "Traceback" not in result.stderr + result.stdout
    return result


def ids(command):
    return " ".join(command).replace("{ws}/", "")


@pytest.mark.parametrize("command", COMMANDS, ids=ids)
@pytest.mark.parametrize("setting", list(SETTINGS))
def test_bad_settings_are_one_line_errors(tmp_path, setting, command):
    name, message = SETTINGS[setting]
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL, name: setting + "\n", "in.po": ""})
    result = run_cli(ws, command)
    assert result.exit_code == 2
    assert result.stderr.replace(f"{ws}/", "").startswith(message), result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", COMMANDS, ids=ids)
@pytest.mark.parametrize("charset", CHARSETS)
def test_catalogue_with_a_codec_that_is_no_charset(tmp_path, charset, command):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    assert invoke(ws, "run", "--engine", "none").exit_code == 0
    po = ws / "locales/en/LC_MESSAGES/a.po"
    po.write_bytes(po.read_bytes().replace(b"charset=UTF-8", f"charset={charset}".encode()))
    (ws / "in.po").write_bytes(po.read_bytes())
    result = run_cli(ws, command)
    assert result.exit_code in (0, 2)
    if result.exit_code == 2:
        assert f"unknown charset '{charset}' in Content-Type" in result.stderr


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:abc", "http://127.0.0.1:99999", "http://a b/"])
def test_bad_url_is_a_one_line_error(tmp_path, url):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    result = run_cli(ws, ["run", "--engine", "libretranslate", "--url", url])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: libretranslate_url: '"), result.stderr
    assert "is not an http:// or https:// address" in result.stderr


def test_no_workspace_creates_no_lock(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for command in (["run", "--engine", "none"], ["build"], ["memory", "import", "x.tmx"]):
        result = run_cli(empty, command)
        assert result.exit_code == 2 and result.stderr == "error: source_texts: source folder not found\n"
    assert list(empty.iterdir()) == []
