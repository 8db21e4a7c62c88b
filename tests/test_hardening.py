"""Bad input, read-only and full disks, broken models, the workspace lock and Ctrl-C.

Every row of the bad-input table in tests/README.md is one of these tests: it
asserts the exit code, the exact start of the message, and that no output
file was written or half-written.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from pipeline import fsutil, lock
from workspace import ROOT, default_sigint, invoke, make_workspace, msgfmt_check, review_all, snapshot

needs_msgfmt = pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext not installed")

PL = "Zapraszamy na spotkanie w bibliotece w sobotę o godzinie dziesiątej.\n\nZażółć gęślą jaźń, drugi akapit.\n"
PO = "locales/en/LC_MESSAGES/a.po"


def outputs(ws: Path) -> dict[str, bytes]:
    return {**{f"locales/{k}": v for k, v in snapshot(ws / "locales").items()},
            **{f"build/{k}": v for k, v in snapshot(ws / "build").items()}}


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.tmp")] if folder.exists() else []


# ------------------------------------------------------------------ source texts


@pytest.mark.parametrize("name, data, message", [
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, not a text"),
    ("nul bytes", "Zażółć gęślą jaźń.\x00 Koniec.".encode(), "binary file, not a text"),
    ("invalid utf-8", "Zażółć gęślą jaźń, zapraszamy.".encode() + b"\xff\xfe\xfa koniec",
     "cannot determine the text encoding"),
    ("truncated utf-8 sequence", "Zapraszamy na spotkanie ".encode() + b"\xc5 i \xc4" + " dalej.".encode(),
     "cannot determine the text encoding"),
])
def test_undecodable_source_is_refused(tmp_path, name, data, message):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": data, "source_texts/b.txt": PL})
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 2
    assert result.stderr == f"error: source_texts/a.txt: {message}" + result.stderr.split(message, 1)[1]
    assert result.stderr.count("\n") == 1
    assert outputs(ws) == {}, "nothing may be written when one source is bad"


@pytest.mark.parametrize("data", [b"", b"  \n\t\n   \r\n", "\ufeff\n\n".encode()], ids=["empty", "whitespace", "bom only"])
def test_empty_source_is_skipped_with_a_warning(tmp_path, data):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": data, "source_texts/b.txt": PL})
    result = invoke(ws, "run", "--engine", "none", "-q")  # -q: errors and warnings only
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: source_texts/a.txt: skipped, no text to translate (empty file)\n")
    assert sorted(snapshot(ws / "locales")) == ["b.pot", "en/LC_MESSAGES/b.po", "uk/LC_MESSAGES/b.po"]


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "crlf"])
def test_legacy_and_utf16_sources_decode(tmp_path, encoding):
    data = PL.replace("\n", "\r\n").encode() if encoding == "crlf" else PL.encode(encoding)
    ws = make_workspace(tmp_path, {"source_texts/a.txt": data})
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    pot = (ws / "locales/a.pot").read_text(encoding="utf-8")
    assert 'msgid "Zażółć gęślą jaźń, drugi akapit."' in pot
    assert "\r" not in pot


MARKDOWN = """\
---
title: Ogłoszenie
tags: [biblioteka]
---

# Zajęcia w bibliotece

- Poziom pierwszy listy
  - Zagnieżdżona pozycja listy
    1. Jeszcze głębiej, numerowana pozycja
- Druga pozycja na pierwszym poziomie

```python
print("kod, którego nie tłumaczymy")
```

<div class="uwaga">
Blok HTML zostaje jak jest.
</div>

<!-- komentarz
na dwie linie -->

> Cytat w bloku
> na dwie linie.

| Dzień | Godzina |
|-------|---------|
| Środa | 17:00   |

    wcięty kod też zostaje

Zwykły akapit na końcu.
"""


def test_markdown_edge_cases_keep_structure(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.md": MARKDOWN})
    assert invoke(ws, "run", "--engine", "none").exit_code == 0
    from pipeline.catalogs import pofile

    msgids = [e.msgid for e in pofile.read_catalog(ws / "locales/a.pot").entries]
    assert "Zagnieżdżona pozycja listy" in msgids
    assert "Jeszcze głębiej, numerowana pozycja" in msgids
    assert "Cytat w bloku\nna dwie linie." in msgids
    for literal in ("title", "print", "Blok HTML", "komentarz", "wcięty kod"):
        assert not any(literal in m for m in msgids), literal
    # Identity translations rebuild the very same text.
    for lang in ("en", "uk"):
        review_all(ws / f"locales/{lang}/LC_MESSAGES/a.po", translate=lambda e: e.msgid)
    result = invoke(ws, "build", "--strict")
    assert result.exit_code == 0, result.stderr
    assert (ws / "build/en/a.md").read_text(encoding="utf-8") == MARKDOWN


def test_very_long_line_and_one_megabyte_paragraph(tmp_path):
    words = "zapraszamy wszystkich chętnych na spotkanie w bibliotece miejskiej".split()
    paragraph = " ".join(words[i % len(words)] for i in range(150_000))  # ~1.1 MB, one line
    assert len(paragraph.encode()) > 1_000_000
    ws = make_workspace(tmp_path, {"source_texts/a.txt": paragraph + "\n", "source_texts/b.md": "# " + paragraph[:200_000]})
    # Its time is not asserted here (no timed unit tests): the linear-time tests compare growth.
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    from pipeline.catalogs import pofile

    entries = pofile.read_catalog(ws / PO).entries
    assert [e.msgid for e in entries] == [paragraph]
    lines = (ws / PO).read_text(encoding="utf-8").splitlines()
    assert max(len(line) for line in lines) <= 80, "catalogue lines are wrapped"


# ------------------------------------------------------------------ catalogues


def _with_catalogues(tmp_path) -> Path:
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    assert invoke(ws, "run", "--engine", "none").exit_code == 0
    return ws


@pytest.mark.parametrize("name, mutate, message", [
    ("unterminated string", lambda b: b[: b.rindex(b'msgstr ""')] + b'msgstr "oops\n',
     "locales/en/LC_MESSAGES/a.po:22: syntax error: malformed string (quotes or escapes)"),
    ("unknown keyword", lambda b: b + b'\nmsgid "x"\nmsgstr "y"\nfoo bar\n',
     "locales/en/LC_MESSAGES/a.po:26: syntax error"),
    ("duplicate msgid", lambda b: b + b'\nmsgid "Za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87 g\xc4\x99\xc5\x9bl\xc4\x85 ja\xc5\xba\xc5\x84, drugi akapit."\nmsgstr "dup"\n',
     "locales/en/LC_MESSAGES/a.po:24: duplicate message 'Zażółć gęślą jaźń, drugi akapit.' (first at line 21)"),
    ("unknown charset", lambda b: b.replace(b"charset=UTF-8", b"charset=foo-8"),
     "locales/en/LC_MESSAGES/a.po:11: unknown charset 'foo-8' in Content-Type"),
    ("wrong charset", lambda b: b.replace(b"charset=UTF-8", b"charset=ISO-8859-2"),
     "locales/en/LC_MESSAGES/a.po:11: Content-Type declares charset=ISO-8859-2 but the file is UTF-8"),
    ("not the declared charset", lambda b: b.replace("Zażółć".encode(), "Zażółć".encode("utf-16-le")),
     "locales/en/LC_MESSAGES/a.po:21: text is not valid UTF-8 (as Content-Type declares)"),
    ("truncated", lambda b: b[: b.index(b"Zapraszamy") + 5],
     "locales/en/LC_MESSAGES/a.po:17: syntax error: malformed string (quotes or escapes)"),
])
def test_broken_catalogue_stops_the_run_before_any_write(tmp_path, name, mutate, message):
    ws = _with_catalogues(tmp_path)
    (ws / "source_texts/a.txt").write_text(PL + "\nNowy akapit, który zmieniłby katalogi.\n", encoding="utf-8")
    po = ws / PO
    po.write_bytes(mutate(po.read_bytes()))
    before = outputs(ws)
    result = invoke(ws, "run", "--engine", "none", "-q")  # -q: errors and warnings only
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert outputs(ws) == before, "a broken catalogue must stop the run before any write"
    for command in ("status", "check", "build"):
        other = invoke(ws, command)
        assert other.exit_code == 2 and other.stderr.startswith("error: locales/en/LC_MESSAGES/a.po:"), command


@needs_msgfmt
@pytest.mark.parametrize("variant", ["crlf", "bom"])
def test_crlf_and_bom_catalogues_keep_their_reviewed_text(tmp_path, variant):
    ws = _with_catalogues(tmp_path)
    po = ws / PO
    review_all(po, translate=lambda e: "Reviewed: " + e.msgid)
    data = po.read_bytes()
    po.write_bytes(data.replace(b"\n", b"\r\n") if variant == "crlf" else b"\xef\xbb\xbf" + data)
    (ws / "source_texts/a.txt").write_text(PL + "\nNowy akapit do przetłumaczenia.\n", encoding="utf-8")
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    from pipeline.catalogs import pofile

    cat = pofile.read_catalog(po)
    reviewed = {e.msgid: e.msgstr for e in cat.entries if e.translated}
    assert reviewed == {m: "Reviewed: " + m for m in ("Zapraszamy na spotkanie w bibliotece w sobotę o godzinie dziesiątej.",
                                                     "Zażółć gęślą jaźń, drugi akapit.")}
    msgfmt_check(po)


# ------------------------------------------------------------------ read-only folder, full disk


def _fail_writes(monkeypatch, err: int, *, at: str) -> None:
    """Make fsutil's writes fail the way a read-only folder ("mkstemp") or a full disk ("write") does."""
    if at == "mkstemp":
        def mkstemp(*args, **kwargs):
            raise OSError(err, os.strerror(err))
        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)  # fsutil imports tempfile when it writes
    else:
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                self.handle.write(data[: len(data) // 2])  # half the bytes reach the disk …
                raise OSError(err, os.strerror(err))        # … then it is full

            def __getattr__(self, name):
                return getattr(self.handle, name)

        monkeypatch.setattr(fsutil.os, "fdopen", lambda fd, mode="r", *a, **k: Full(real_fdopen(fd, mode, *a, **k)))


@pytest.mark.parametrize("err, at, message", [
    (errno.EACCES, "mkstemp", "cannot write: Permission denied"),
    (errno.EROFS, "mkstemp", "cannot write: Read-only file system"),
    (errno.ENOSPC, "write", "cannot write: No space left on device"),
], ids=["read-only folder", "read-only file system", "full disk"])
def test_unwritable_locales_fail_cleanly(tmp_path, monkeypatch, err, at, message):
    ws = _with_catalogues(tmp_path)
    review_all(ws / PO, translate=lambda e: "Reviewed: " + e.msgid)
    (ws / "source_texts/a.txt").write_text(PL + "\nNowy akapit.\n", encoding="utf-8")
    before = outputs(ws)
    _fail_writes(monkeypatch, err, at=at)
    result = invoke(ws, "run", "--engine", "none", "-q")  # -q: errors and warnings only
    assert result.exit_code == 2
    assert result.stderr == f"error: locales/a.pot: {message}\n"
    assert outputs(ws) == before, "every file is either old or new, never half-written"
    assert temp_files(ws) == []


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("kind", ["full", "read-only"])
def test_real_small_or_read_only_file_system(tmp_path, kind):
    """The same on a real tmpfs (only as root where mount works; skipped elsewhere)."""
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL * 40})
    locales = ws / "locales"
    if not _mount_tmpfs(locales, "1m" if kind == "read-only" else "40k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        if kind == "read-only":
            assert invoke(ws, "run", "--engine", "none").exit_code == 0
            (ws / "source_texts/a.txt").write_text(PL + "\nNowy akapit.\n", encoding="utf-8")
            before = outputs(ws)
            subprocess.run(["mount", "-o", "remount,ro", str(locales)], check=True)
            expected = "error: locales/a.pot: cannot write: Read-only file system\n"
        else:
            filler = locales / "filler"
            with open(filler, "wb") as handle:  # leave a little room: the first catalogue fits, not all
                try:
                    handle.write(b"\0" * (36 * 1024))
                except OSError:
                    pass
            before = outputs(ws)
            expected = None
        result = invoke(ws, "run", "--engine", "none", "-q")  # -q: errors and warnings only
        assert result.exit_code == 2, result.stderr
        if expected:
            assert result.stderr == expected
            assert outputs(ws) == before
        else:
            assert result.stderr.startswith("error: locales/") and "cannot write: No space left on device" in result.stderr
            for rel in snapshot(locales):
                if rel.endswith((".po", ".pot")):
                    msgfmt_check(locales / rel)  # whatever was written is complete
        assert temp_files(locales) == []
    finally:
        subprocess.run(["umount", "-l", str(locales)], capture_output=True)


# ------------------------------------------------------------------ models


def _models_workspace(tmp_path, pairs, **files) -> Path:
    from argos_fixture import build_argos_package

    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL, "pyproject.toml": '[tool.outreach]\nmodels_dir = "models"\n',
                                   **files})
    for source, target in pairs:
        result = invoke(ws, "models", "install", str(build_argos_package(tmp_path / "archives", source, target)))
        assert result.exit_code == 0, result.stderr
    return ws


def test_missing_model_with_engine_argos(tmp_path):
    ws = _models_workspace(tmp_path, [])
    result = invoke(ws, "run", "--engine", "argos")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: no translation model installed in {ws / 'models'}; install models with")
    assert outputs(ws) == {}


def test_corrupt_model_is_a_clear_error_and_nothing_is_written(tmp_path):
    ws = _models_workspace(tmp_path, [("pl", "en"), ("en", "uk")])
    for path in (ws / "models").rglob("model.bin"):
        path.write_bytes(b"not a model " * 100)
    result = invoke(ws, "run", "--engine", "argos")
    assert result.exit_code == 2
    assert "error: models/translate-pl_en/model: cannot load the CTranslate2 model (" in result.stderr
    assert outputs(ws) == {}


def test_model_for_the_wrong_pair_is_reported(tmp_path):
    ws = _models_workspace(tmp_path, [("de", "en")])
    result = invoke(ws, "run", "--engine", "argos")
    assert result.exit_code == 0, result.stderr
    for lang in ("en", "uk"):
        assert (f"warning: no installed model translates pl→{lang} (installed: de-en); "
                "its entries stay empty for reviewers") in result.stderr
    assert sorted(snapshot(ws / "locales")) == ["a.pot", "en/LC_MESSAGES/a.po", "uk/LC_MESSAGES/a.po"]


def _rewrite_archive(src: Path, dest: Path, members: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in members:
                continue
            zout.writestr(info, zin.read(info.filename))
        for name, data in members.items():
            if data is not None:  # stored: the ratio check must not be what refuses these
                zout.writestr(name, data, compress_type=zipfile.ZIP_STORED)
    return dest


@pytest.mark.parametrize("name, members, message", [
    ("zip slip", {"translate-pl_en/../../evil": b"x"}, "contains '..' or '.' (path traversal); refused"),
    ("absolute path", {"/tmp/outreach-evil": b"x"}, "has an absolute path; refused"),
    ("invalid JSON", {"translate-pl_en/metadata.json": b"{oops"}, "invalid JSON in metadata.json"),
    ("deeply nested JSON", {"translate-pl_en/metadata.json": b"[" * 100_000 + b"]" * 100_000},
     "invalid JSON in metadata.json"),
    ("enormous metadata", {"translate-pl_en/metadata.json": b'{"pad": "' + b"x" * 2_000_000 + b'"}'},
     "metadata.json is too large"),
])
def test_untrusted_archive_refused_by_the_cli(tmp_path, name, members, message):
    from argos_fixture import build_argos_package

    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    bad = _rewrite_archive(build_argos_package(tmp_path / "archives"), tmp_path / "bad.argosmodel", members)
    result = invoke(ws, "models", "install", str(bad), "--models-dir", str(ws / "models"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}: ") and message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
    assert not (ws / "models").exists() or list((ws / "models").iterdir()) == []
    assert not Path("/tmp/outreach-evil").exists() and not (tmp_path.parent / "evil").exists()


# ------------------------------------------------------------------ the workspace lock


def _hold_lock(cache_dir: Path) -> subprocess.Popen:
    """Another real process holding the workspace lock until its stdin closes."""
    code = ("import sys; from pipeline import lock; held = lock.acquire(sys.argv[1]); "
            "print('held', flush=True); sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(cache_dir)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def _outreach(ws: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args, "-C", str(ws)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint,
                            **kwargs)


def _read_until(stream, text: str, timeout: float = 30.0) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while text not in seen and time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen += line
    return seen


def test_no_wait_fails_while_another_run_holds_the_lock(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    holder = _hold_lock(ws / ".outreach")
    try:
        proc = _outreach(ws, "run", "--engine", "none", "--no-wait")
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2
        assert err.startswith(f"error: .outreach/lock: another outreach run (pid {holder.pid}, started ")
        assert err.rstrip().endswith("holds the workspace lock; try again later")
        assert outputs(ws) == {}
        timed = invoke(ws, "run", "--engine", "none", "--wait-timeout", "0.5")
        assert timed.exit_code == 2 and "holds the workspace lock; try again later or wait longer" in timed.stderr
    finally:
        holder.stdin.close()
        holder.wait(10)


def test_second_run_waits_then_completes(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    holder = _hold_lock(ws / ".outreach")
    try:
        proc = _outreach(ws, "run", "--engine", "none")
        seen = _read_until(proc.stderr, "waiting for another outreach run")
        assert seen.startswith(f"waiting for another outreach run (pid {holder.pid}, started "), seen
        time.sleep(0.5)
        assert proc.poll() is None and outputs(ws) == {}, "the waiting run must not write"
    finally:
        holder.stdin.close()
        holder.wait(10)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "waiting for" not in err, "the waiting message is printed once"
    assert "a.pot" in str(snapshot(ws / "locales"))


def test_stale_lock_of_a_killed_run_is_cleared(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    holder = _hold_lock(ws / ".outreach")
    holder.kill()
    holder.wait(10)
    assert lock.read_holder(ws / ".outreach/lock").pid == holder.pid  # the record survives the process
    result = invoke(ws, "run", "--engine", "none", "--no-wait")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"note: cleared a stale lock left by a run that is no longer running (pid {holder.pid}")
    assert lock.read_holder(ws / ".outreach/lock") is None, "released locks are emptied"


def test_killed_run_temp_files_are_swept_under_the_lock(tmp_path):
    ws = _with_catalogues(tmp_path)
    leftover = ws / "locales/en/LC_MESSAGES/.a.po.k3j_x9q2.tmp"
    leftover.write_text("half a catalogue", encoding="utf-8")
    keep = ws / "locales/en/LC_MESSAGES/notes.tmp"
    keep.write_text("not ours", encoding="utf-8")
    assert invoke(ws, "run", "--engine", "none").exit_code == 0
    assert not leftover.exists() and keep.exists()


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": PL})
    holder = _hold_lock(ws / ".outreach")
    try:
        proc = _outreach(ws, "run", "--engine", "none")
        assert "waiting for" in _read_until(proc.stderr, "waiting for")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        holder.stdin.close()
        holder.wait(10)
    assert proc.returncode == 130
    assert err == "interrupted\n"
    assert outputs(ws) == {}


def test_unicode_line_separators_from_word_become_newlines(tmp_path):
    text = "Zapraszamy na spotkanie\u2028w bibliotece.\u2029Drugi akapit\x85tekstu.\n"
    ws = make_workspace(tmp_path, {"source_texts/a.txt": text})
    assert invoke(ws, "run", "--engine", "none").exit_code == 0
    again = invoke(ws, "run", "--engine", "none")  # the catalogues read back (polib splits lines on U+2028)
    assert again.exit_code == 0, again.stderr
    from pipeline.catalogs import pofile

    assert [e.msgid for e in pofile.read_catalog(ws / PO).entries] == [
        "Zapraszamy na spotkanie\nw bibliotece.", "Drugi akapit\ntekstu."]


@pytest.mark.slow
def test_five_megabytes_in_bounded_memory(tmp_path):
    """5 MB end to end in a subprocess (bench/hardening.py measures 50 MB: see tests/README.md)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from hardening import generate

    ws = make_workspace(tmp_path, {"source_texts/big.txt": generate(5_000_000)})
    # The peak is measured inside the child itself: RUSAGE_CHILDREN is a running maximum over every
    # child this test process ever had, so an earlier, bigger one would hide this run's figure.
    child = ("import resource, sys\n"
             "from pipeline.cli import cli\n"
             "try:\n"
             "    cli(['run', '--engine', 'none', '-q', '-C', sys.argv[1]], prog_name='outreach')\n"
             "finally:\n"
             "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")

    def run() -> float:
        proc = subprocess.run([sys.executable, "-c", child, str(ws)], cwd=ROOT, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stderr
        return int(proc.stderr.strip().splitlines()[-1]) / 1024

    peak_mb = run()
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB for 5 MB of text"
    pot = (ws / "locales/big.pot").read_text(encoding="utf-8")
    assert pot.count("\nmsgid ") > 10_000
    # A re-run the no-change path cannot answer (a paragraph added, a reviewer's translation) reads,
    # merges and writes every catalogue, one at a time: it needs little more than the first run
    # (before the light reader and slimmed catalogues: ~1.7 times as much).
    source = ws / "source_texts/big.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\nNowy akapit na końcu.\n", encoding="utf-8")
    po = ws / "locales/uk/LC_MESSAGES/big.po"
    data = po.read_bytes()
    at = data.index(b'\nmsgstr ""\n\n', len(data) // 2)
    po.write_bytes(data[:at] + '\nmsgstr "Переклад рецензента"\n\n'.encode() + data[at + len(b'\nmsgstr ""\n\n'):])
    again_mb = run()
    assert again_mb < 1.35 * peak_mb, f"re-run peak RSS {again_mb:.0f} MB, first run {peak_mb:.0f} MB"
    after = po.read_text(encoding="utf-8")
    assert 'msgstr "Переклад рецензента"' in after and "Nowy akapit na końcu." in after
