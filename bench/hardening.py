"""Time and peak memory of ``outreach run --engine none`` on a big generated text, and of its re-runs.

    .venv/bin/python bench/hardening.py 50                  # a 50 MB Polish-ish .txt (default)
    .venv/bin/python bench/hardening.py 10 --to en --to en,uk --repeat 3
    .venv/bin/python bench/hardening.py 2 --profile bench/out/prof  # cProfile of each step, round 1

Generates paragraphs of 20–80 words drawn from the benchmark corpus and, for each ``--to``
target set, in a throw-away workspace, runs the pipeline as a child process:

1. the first run (no catalogues yet);
2. the no-change re-run (answered by ``pipeline.runstate`` from one hash per file);
3. the re-run after a source edit: one paragraph changed, one added (the fast path cannot
   answer it: every catalogue is read, merged and written);
4. the re-run after a catalogue edit: one ``msgstr`` filled in and left non-fuzzy, as a
   reviewer saves it (every catalogue is read and merged; the reviewer's text must survive).

Steps 2–4 are repeated ``--repeat`` times (each source/catalogue edit a different paragraph),
step 1 once per workspace (``--first-runs`` workspaces). Each figure is the wall time and
peak RSS (``ru_maxrss`` of the child, from ``wait4``); a table of median (min–max) is printed
and everything goes to ``bench/out/hardening.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

STEPS = ("first run", "no-change re-run", "re-run after a source edit", "re-run after a catalogue edit")
REVIEWED = "Tekst poprawiony przez recenzenta"


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


def measure(ws: Path, targets: str, profile: Path | None = None) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak MB) of one ``run`` child (its own rusage, from wait4)."""
    prefix = ["-m", "cProfile", "-o", str(profile), "-m", "pipeline"] if profile else ["-m", "pipeline"]
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, *prefix, "run", "--engine", "none", "--to", targets, "-q",
                             "-C", str(ws)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(err.decode(errors="replace"))
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def edit_source(path: Path, round_: int) -> None:
    """Change one paragraph and add one (a different paragraph each round)."""
    text = path.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    index = (len(paragraphs) // 3 + 7919 * round_) % (len(paragraphs) - 1)
    paragraphs[index] = paragraphs[index].rstrip(".") + f" i jeszcze jedno zdanie numer {round_}."
    paragraphs.insert(index + 1, f"Nowy akapit dopisany w rundzie {round_} przez redaktora strony.")
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")


def edit_catalogue(path: Path, round_: int) -> str:
    """Fill in one empty msgstr (a different entry each round), non-fuzzy, as a reviewer saves it;
    edited as text, so the benchmark itself never holds the parsed catalogue."""
    data = path.read_bytes()
    empties = [m.start() for m in re.finditer(rb'\nmsgstr ""\n\n', data)]
    at = empties[(len(empties) // 2 + 104729 * round_) % len(empties)]
    text = f"{REVIEWED} {round_}."
    data = data[:at] + f'\nmsgstr "{text}"\n\n'.encode() + data[at + len(b'\nmsgstr ""\n\n'):]
    path.write_bytes(data)
    return text


def summary(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def workspace_rounds(megabytes: float, targets: str, repeat: int, profile: Path | None, text: str,
                     results: dict) -> None:
    with tempfile.TemporaryDirectory(prefix="hardening-") as tmp:
        ws = Path(tmp)
        (ws / "source_texts").mkdir()
        source = ws / "source_texts" / "big.txt"
        source.write_text(text, encoding="utf-8")
        catalogue = ws / "locales" / targets.split(",")[0] / "LC_MESSAGES" / "big.po"

        def step(name: str, round_: int = 0) -> None:
            prof = None
            if profile is not None and round_ == 0:
                profile.mkdir(parents=True, exist_ok=True)
                prof = profile / f"{targets.replace(',', '+')}-{STEPS.index(name) + 1}.prof"
            seconds, cpu, peak = measure(ws, targets, prof)
            results.setdefault(name, []).append({"wall": seconds, "cpu": cpu, "peak_mb": peak})
            print(f"{megabytes:g} MB --to {targets}, {name}: {seconds:.1f} s (CPU {cpu:.1f} s), "
                  f"peak RSS {peak:.0f} MB", flush=True)

        step(STEPS[0])
        sizes = {p.name: p.stat().st_size for p in (ws / "locales").rglob("*.po*")}
        print(f"  catalogues: {', '.join(f'{k} {v / 1e6:.0f} MB' for k, v in sorted(sizes.items()))}", flush=True)
        for round_ in range(repeat):
            step(STEPS[1], round_)
            edit_source(source, round_)
            step(STEPS[2], round_)
            reviewed = edit_catalogue(catalogue, round_)
            step(STEPS[3], round_)
            if f'msgstr "{reviewed}"'.encode() not in catalogue.read_bytes():
                raise SystemExit(f"the reviewer's translation {reviewed!r} was lost")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("megabytes", nargs="?", type=float, default=50.0)
    parser.add_argument("--to", action="append", help="target languages of one workspace (repeatable; "
                        "default: en and en,uk)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of re-runs per workspace (default 3)")
    parser.add_argument("--first-runs", type=int, default=1, help="workspaces (first runs) per target set")
    parser.add_argument("--profile", type=Path, help="write a cProfile of each step of the first round into this folder")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "hardening.json")
    args = parser.parse_args()
    text = generate(int(args.megabytes * 1e6))
    report: dict = {"megabytes": args.megabytes, "results": {}}
    for targets in args.to or ["en", "en,uk"]:
        results = report["results"].setdefault(targets, {})
        for n in range(args.first_runs):
            workspace_rounds(args.megabytes, targets, args.repeat, args.profile if n == 0 else None, text, results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\n| {args.megabytes:g} MB, `--engine none` | wall s | CPU s | peak RSS MB |")
    print("| --- | --- | --- | --- |")
    for targets, results in report["results"].items():
        for name in STEPS:
            rows = results.get(name, [])
            if rows:
                print(f"| `--to {targets}`, {name} ({len(rows)}×) | {summary([r['wall'] for r in rows])} | "
                      f"{summary([r['cpu'] for r in rows])} | {max(r['peak_mb'] for r in rows):.0f} |")


if __name__ == "__main__":
    main()
