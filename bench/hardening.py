"""Time and peak memory of ``outreach run --engine none`` (and a re-run) on a big generated text.

    .venv/bin/python bench/hardening.py 50      # a 50 MB Polish-ish .txt (default)

Generates paragraphs of 20–80 words drawn from the benchmark corpus, runs the
pipeline as a subprocess in a throw-away workspace and prints wall time and
peak RSS (``ru_maxrss`` of each child, from ``wait4``) for the first run and the no-change
re-run (answered by ``pipeline.runstate`` from one hash per file).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def generate(size: int, seed: int = 0) -> str:
    from corpus import PARAGRAPHS

    rnd = random.Random(seed)
    words = " ".join(PARAGRAPHS).split()
    out, total = [], 0
    while total < size:
        para = " ".join(rnd.choice(words) for _ in range(rnd.randint(20, 80))).capitalize() + "."
        out.append(para)
        total += len(para.encode()) + 2
    return "\n\n".join(out) + "\n"


def measure(ws: Path, *args: str) -> tuple[float, float]:
    """(seconds, peak MB) of one ``python -m pipeline`` child (its own ru_maxrss, from wait4)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", *args, "-C", str(ws)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(err.decode(errors="replace"))
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 50.0
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        (ws / "source_texts").mkdir()
        (ws / "source_texts" / "big.txt").write_text(generate(int(megabytes * 1e6)), encoding="utf-8")
        for label in ("first run", "re-run"):
            seconds, peak = measure(ws, "run", "--engine", "none", "-q")
            print(f"{megabytes:g} MB, {label}: {seconds:.1f} s, peak RSS {peak:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
