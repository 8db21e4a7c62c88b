#!/usr/bin/env python3
"""Language detection on the 2 MB no-model input: this checkout against another one, side by side.

    .venv/bin/python bench/detection.py --against /work/main      # 2 MB, 3 rounds

Generates the same text as ``bench/hardening.py`` (paragraphs of 20–80 words drawn from
the benchmark corpus), segments it like ``outreach run`` does and times
``Detector.detect_document`` over every segment in a fresh child process per checkout
(profiles loaded once, included), alternating the checkouts ``--rounds`` times so other
load on the machine hits both alike. Prints the median (min–max) per checkout, the ratio,
and whether both gave the same answers for every segment.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import hashlib, json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from pipeline.documents import formats
from pipeline.documents.detection import Detector
from pipeline.documents.sources import load_sources
sources = load_sources(Path(sys.argv[2]) / "source_texts", Path(sys.argv[2]))
segmented = [formats.segment(s) for s in sources]
start = time.perf_counter()
detector = Detector()
answers = []
for doc in segmented:
    lang = detector.detect_document([s.text for s in doc.segments], [s.line for s in doc.segments], default="pl")
    answers += [(s.lang, s.probability, s.inherited) for s in lang.segments]
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "segments": len(answers),
                  "answers": hashlib.sha256(json.dumps(answers).encode()).hexdigest()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, required=True, help="the other checkout (e.g. /work/main)")
    parser.add_argument("--megabytes", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from hardening import generate

    ws = ROOT / "bench" / "out" / f"detect-{args.megabytes:g}mb"
    (ws / "source_texts").mkdir(parents=True, exist_ok=True)
    (ws / "source_texts" / "big.txt").write_text(generate(int(args.megabytes * 1e6)), encoding="utf-8")
    checkouts = {"this": ROOT, "against": args.against.resolve()}
    times: dict[str, list[float]] = {k: [] for k in checkouts}
    digests: dict[str, set[str]] = {k: set() for k in checkouts}
    for _ in range(args.rounds):
        for name, path in checkouts.items():
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(ws)], capture_output=True, text=True,
                                 check=True).stdout
            data = json.loads(out)
            times[name].append(data["seconds"])
            digests[name].add(data["answers"])
            print(f"{name:8s} {data['seconds']:6.2f} s  ({data['segments']} segments)", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, path in checkouts.items():
        print(f"{name} ({path}): median {med[name]:.2f} s (min {min(times[name]):.2f}, max {max(times[name]):.2f})")
    print(f"speed-up: {med['against'] / med['this']:.1f}× ; same answers: {digests['this'] == digests['against']}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
