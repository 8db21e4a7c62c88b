"""Source file names as librarians and old USB sticks make them, and symbolic links."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workspace import ROOT, invoke, make_workspace, msgfmt_check, review_all, snapshot

PL = "Zapraszamy na spotkanie w bibliotece.\n\nZażółć gęślą jaźń, drugi akapit.\n"
NAMES = ["Godziny otwarcia.txt", "Ogłoszenie (wersja 2).txt", "#1: zbiórka.md", "a:b (c) d.txt"]
COMMANDS = [["run", "--engine", "none"], ["detect"], ["status"], ["check"], ["report"], ["build"]]


def outreach(ws, *args):
    """A real ``python -m pipeline`` process: real stdout/stderr encodings, real tracebacks."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "pipeline", args[0], "-C", str(ws), *args[1:]],
                          capture_output=True, text=True, env=env, errors="replace")


def test_names_with_spaces_and_punctuation_are_never_stale(tmp_path):
    ws = make_workspace(tmp_path, {f"source_texts/{name}": PL for name in NAMES})
    assert invoke(ws, "run", "--engine", "fake").exit_code == 0
    for po in sorted((ws / "locales").rglob("*.po")):
        review_all(po)
        msgfmt_check(po)
    result = invoke(ws, "run", "--engine", "fake")
    assert result.exit_code == 0, result.stderr
    status = invoke(ws, "status")
    assert status.exit_code == 0
    assert all(line.endswith("ok") for line in status.stdout.splitlines()[1:-1]), status.stdout
    check = invoke(ws, "check")
    assert check.exit_code == 0, check.stdout + check.stderr
    pot = (ws / "locales/Ogłoszenie (wersja 2).pot").read_text(encoding="utf-8")
    assert "#: \u2068source_texts/Ogłoszenie (wersja 2).txt\u2069:1\n" in pot


@pytest.mark.parametrize("raw, shown", [
    (b"zbi\xf3rka.txt", "source_texts/zbi\\xf3rka.txt: the file name is not valid UTF-8"),
    (b"a\nmsgid \"x\".txt", 'source_texts/a\\nmsgid "x".txt: the file name contains a line break'),
])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_unrepresentable_file_name_is_named_and_refused(tmp_path, raw, shown, command):
    ws = make_workspace(tmp_path, {"source_texts/ok.txt": PL})
    (ws / "source_texts").joinpath(os.fsdecode(raw)).write_bytes(PL.encode())
    if command[0] in ("status", "check", "report", "build"):
        (ws / "source_texts").joinpath(os.fsdecode(raw)).rename(ws / "aside")
        assert outreach(ws, "run", "--engine", "none").returncode == 0
        (ws / "aside").rename((ws / "source_texts").joinpath(os.fsdecode(raw)))
    before = snapshot(ws / "locales")
    result = outreach(ws, *command)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {shown}"), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(ws / "locales") == before


def test_symlink_out_of_the_workspace_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Hasło do poczty: tajne.\n", encoding="utf-8")
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    (ws / "source_texts/passwd.txt").symlink_to(secret)
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: source_texts/passwd.txt: is a symbolic link to {secret}, "
                                    "outside the workspace; refused")
    assert not (ws / "locales").exists()


def test_symlinked_folder_inside_the_workspace_is_followed_and_a_loop_refused(tmp_path):
    ws = make_workspace(tmp_path, {"shared/news.txt": PL, "source_texts/a.txt": PL})
    (ws / "source_texts/news").symlink_to(ws / "shared")
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    assert (ws / "locales/news/news.pot").exists()
    (ws / "shared/loop").symlink_to(ws / "source_texts")
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 2
    assert "a symbolic link leads back into a folder that contains it; refused" in result.stderr


ENGLISH = "The library is open from Monday to Friday, and everyone is welcome to join us."


def test_regional_targets_detect_as_their_base_language(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL + "\n" + ENGLISH + "\n"})
    result = invoke(ws, "run", "--engine", "none", "--to", "pt_BR,en_GB")
    assert result.exit_code == 0, result.stderr
    en = (ws / "locales/en_GB/LC_MESSAGES/a.po").read_text(encoding="utf-8")
    assert "copied from source: the paragraph is already in en_GB" in en
    assert invoke(ws, "check", "--qa", "--to", "pt_BR,en_GB").exit_code == 1  # untranslated, no traceback
    assert invoke(ws, "detect", "--to", "pt_BR").exit_code == 0


def test_control_characters_from_a_msgstr_reach_neither_built_texts_nor_the_report(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a-b.txt": PL, "source_texts/a+b.txt": PL})
    assert invoke(ws, "run", "--engine", "none", "--to", "en").exit_code == 0
    for po in (ws / "locales/en/LC_MESSAGES").glob("*.po"):
        review_all(po, translate=lambda e: "Red \x1b[31malert\x1b[0m \x07 and \\0 " + e.msgid)
    result = invoke(ws, "build", "--to", "en")
    assert result.exit_code == 0, result.stderr
    assert "control characters (NUL, ESC …) removed from the translation" in result.stderr
    built = (ws / "build/en/a-b.txt").read_bytes()
    assert b"\x1b" not in built and b"\x07" not in built and b"Red [31malert[0m" in built
    assert invoke(ws, "report", "--to", "en").exit_code == 0
    html = (ws / "build/report.html").read_text(encoding="utf-8")
    assert "\x1b" not in html and "\x07" not in html and "\u241b[31malert" in html
    anchors = [part.split('"', 1)[0] for part in html.split('id="doc-')[1:]]
    assert len(anchors) == len(set(anchors)) == 2
