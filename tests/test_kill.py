"""Kill a real ``python -m pipeline run`` at several points and check nothing is lost.

A workspace with tiny real Argos models (tests/argos_fixture.py) and a corpus
large enough that translation takes a few seconds. Some entries are reviewed
before the killed runs. Runs are killed (SIGKILL or SIGINT) when the machine
translation cache has reached a given share of the work, and once more while
the catalogues are being written. After every kill: each ``.po`` passes
``msgfmt --check`` and every reviewed entry is byte-identical; SIGINT gives
exit 130 and the single line "interrupted". A final run completes the work
and does no inference for what the killed runs had cached.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workspace import ROOT, default_sigint, invoke, make_workspace, msgfmt_check, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext not installed")]

WORDS = ("biblioteka zaprasza dzieci rodziny seniorów na warsztaty spotkanie kurs języka polskiego w sobotę "
         "środę piątek rano wieczorem zapisy telefonicznie osobiście sekretariat czytelnia wypożyczalnia książki "
         "zbiórka darów pomoc wolontariusze fundacja bezpłatnie liczba miejsc ograniczona").split()
DOCS = 4
PARAGRAPHS = 45


def _corpus(seed: int = 7) -> dict[str, str]:
    rnd = random.Random(seed)
    files = {}
    for d in range(DOCS):
        paras = []
        for _ in range(PARAGRAPHS):
            sentences = [" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 6))).capitalize() + "."
                         for _ in range(rnd.randint(1, 2))]
            paras.append(" ".join(sentences))
        files[f"source_texts/doc{d}.txt"] = "\n\n".join(paras) + "\n"
    return files


def _blocks(path: Path) -> dict[str, str]:
    """Entry blocks of a catalogue by their msgid line(s)."""
    out = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        key = "\n".join(line for line in block.splitlines() if line.startswith(('msgid', '"')) and "msgstr" not in line)
        out[block[block.index("msgid"):].split("msgstr")[0] if "msgid" in block else key] = block
    return out


def _review_some(ws: Path) -> dict[Path, dict[str, str]]:
    """Review the first 5 entries of every catalogue by hand; return their blocks."""
    import polib

    reviewed = {}
    for po_path in sorted((ws / "locales").rglob("*.po")):
        po = polib.pofile(str(po_path))
        chosen = [e for e in po if not e.obsolete][:5]
        for entry in chosen:
            entry.msgstr = "Przejrzane: " + entry.msgid[:30]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save()
        blocks = _blocks(po_path)
        reviewed[po_path] = {k: v for k, v in blocks.items() if "Przejrzane: " in v}
        assert len(reviewed[po_path]) == 5
    return reviewed


def _review_paths(ws: Path) -> list[Path]:
    return sorted((ws / "locales").rglob("*.po"))


def _cached_rows(ws: Path) -> int:
    path = ws / ".outreach" / "mt-cache.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM translations").fetchone()[0]
    except sqlite3.Error:
        return 0


def _start(ws: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "run", "-C", str(ws), "--json"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)


def _check_intact(ws: Path, reviewed: dict[Path, dict[str, str]]) -> None:
    for rel in snapshot(ws / "locales"):
        if rel.endswith((".po", ".pot")):
            msgfmt_check(ws / "locales" / rel)
    for po_path, blocks in reviewed.items():
        now = _blocks(po_path)
        for key, block in blocks.items():
            assert now.get(key) == block, f"reviewed entry changed in {po_path}:\n{block}"


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    from argos_fixture import build_argos_package

    folder = tmp_path_factory.mktemp("archives")
    return [build_argos_package(folder, "pl", "en"), build_argos_package(folder, "en", "uk")]


def test_runs_killed_at_several_points_lose_nothing(tmp_path, archives):
    ws = make_workspace(tmp_path, {**_corpus(), "pyproject.toml": '[tool.outreach]\nmodels_dir = "models"\n'})
    for archive in archives:
        assert invoke(ws, "models", "install", str(archive)).exit_code == 0
    assert invoke(ws, "run", "--engine", "none").exit_code == 0
    _review_some(ws)
    from pipeline import fsutil
    from pipeline.catalogs import pofile

    for path in _review_paths(ws):  # our own layout (polib wraps differently), so blocks compare byte for byte
        fsutil.write_atomic(path, pofile.format_catalog(pofile.read_catalog(path)).encode("utf-8"))
    reviewed = {path: {k: v for k, v in _blocks(path).items() if "Przejrzane: " in v} for path in _review_paths(ws)}
    texts = 2 * DOCS * (PARAGRAPHS - 5)  # pl→en (shared by the uk pivot) and en→uk, reviewed entries excluded
    kills = []
    for share, sig in ((0.10, signal.SIGKILL), (0.35, signal.SIGINT), (0.60, signal.SIGKILL)):
        proc = _start(ws)
        deadline = time.monotonic() + 120
        while proc.poll() is None and _cached_rows(ws) < share * texts and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is not None:
            pytest.fail(f"the run finished before {share:.0%} of the work: too fast to test\n{proc.stderr.read()}")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        kills.append((share, sig, _cached_rows(ws)))
        if sig == signal.SIGINT:
            assert proc.returncode == 130
            assert err.splitlines()[-1] == "interrupted" and "Traceback" not in err, err
        else:
            assert proc.returncode == -signal.SIGKILL
        _check_intact(ws, reviewed)
    rows = [k[2] for k in kills]
    assert 0 < rows[0] < rows[1] < rows[2] < texts, f"every killed run resumed from the cache: {kills}"

    # Everything is cached now; kill once more while the catalogues are being written.
    proc = _start(ws)
    mtimes = {p: p.stat().st_mtime_ns for p in (ws / "locales").rglob("*.po")}
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.stat().st_mtime_ns != m for p, m in mtimes.items()):
            proc.kill()
            break
        time.sleep(0.002)
    proc.communicate(timeout=60)
    _check_intact(ws, reviewed)

    # The follow-up run completes the work, without inference: everything was cached.
    assert _cached_rows(ws) == texts
    proc = _start(ws)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert json.loads(out)["inference"].get("sentences", 0) == 0, err
    _check_intact(ws, reviewed)
    assert list((ws / "locales").rglob("*.tmp")) == []
    from pipeline.catalogs import pofile

    for po_path in (ws / "locales").rglob("*.po"):
        for entry in pofile.read_catalog(po_path).active:
            assert entry.msgstr, f"{po_path}: {entry.msgid[:40]} has no draft after the follow-up run"
    again = invoke(ws, "run", "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["inference"].get("sentences", 0) == 0
