#!/usr/bin/env python3
"""Find "the ceiling": the fastest raw CTranslate2 configuration for the benchmark corpus on this machine.

    .venv/bin/python bench/ceiling.py                 # after bench/run_bench.py built the models
    .venv/bin/python bench/ceiling.py --rounds 3 --beam 4

One child process per thread layout (``inter_threads`` × ``intra_threads``);
each child loads the pl→en model once and
times ``translate_batch`` over the corpus's sentences (split by
``pipeline.translate.sentences``, no placeholder protection) for every batching
configuration: by examples or by tokens and their sizes, one call (CTranslate2
sorts by length and rebatches) or our own calls in corpus order (not sorted), and
the ``max_decoding_length`` bound. The children run round-robin ``--rounds``
times, so load from other processes spreads evenly over the contenders; the
figure per configuration is the median with min and max. Results go to
``bench/out/ceiling.json``; the best configuration is what ``run_bench.py``'s
ceiling contender (c) runs as a whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
# The pl→en package run_bench.py installed (its folder is named by `outreach models install`).
MODEL = next((d for d in sorted((OUT / "work" / "models").glob("translate-pl_en*")) if (d / "model").is_dir()),
             OUT / "work" / "models" / "translate-pl_en")

# (name, batch_type, max_batch_size, sorted_by_ct2, decoding bound); every one runs under every layout
# given with --layouts. The full space is large for a shared 2-core machine: --configs picks a subset.
CONFIGS = [
    ("examples-8", "examples", 8, True, "2x+10"),
    ("examples-16", "examples", 16, True, "2x+10"),
    ("examples-32", "examples", 32, True, "2x+10"),
    ("examples-64", "examples", 64, True, "2x+10"),
    ("tokens-1024", "tokens", 1024, True, "2x+10"),
    ("tokens-2048", "tokens", 2048, True, "2x+10"),
    ("tokens-4096", "tokens", 4096, True, "2x+10"),
    ("examples-32-unsorted", "examples", 32, False, "2x+10"),
    ("examples-32-cap256", "examples", 32, True, "256"),
    ("examples-32-cap1.25x+8", "examples", 32, True, "1.25x+8"),
]
DEFAULT_RUNS = ["1x2:tokens-2048", "1x2:examples-32", "1x2:examples-64", "2x1:examples-16", "2x1:examples-32",
                "2x1:tokens-2048"]


def sentences() -> list[str]:
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from corpus import acceptance_documents
    from pipeline.translate.sentences import join_lines, split_stripped

    paragraphs = [p for doc in acceptance_documents().values() for p in doc]
    return [s.core for p in paragraphs for s in split_stripped(join_lines(p), "pl") if s.core]


def cap(policy: str, batch: list[list[str]]) -> int:
    longest = max(len(t) for t in batch)
    if policy == "256":
        return 256
    if policy == "1.25x+8":
        return int(1.25 * longest) + 8
    return min(512, 2 * longest + 10)


def child(inter: int, intra: int, beam: int, only: list[str]) -> dict:
    """Load once, then time every configuration in ``only`` (all when empty)."""
    import ctranslate2
    import sentencepiece

    started = time.perf_counter()
    translator = ctranslate2.Translator(str(MODEL / "model"), device="cpu", inter_threads=inter, intra_threads=intra)
    sp = sentencepiece.SentencePieceProcessor(model_file=str(MODEL / "sentencepiece.model"))
    tokens = sp.encode(sentences(), out_type=str)
    load = time.perf_counter() - started
    result = {"load_s": load, "configs": {}}
    for name, batch_type, size, ct2_sorts, policy in CONFIGS:
        if only and name not in only:
            continue
        start = time.perf_counter()
        decoded = 0
        if ct2_sorts:
            calls = [tokens]
        else:
            calls = [tokens[i: i + size] for i in range(0, len(tokens), size)]
        for batch in calls:
            out = translator.translate_batch(batch, beam_size=beam, max_batch_size=size, batch_type=batch_type,
                                             max_decoding_length=cap(policy, batch), replace_unknowns=True)
            decoded += sum(len(r.hypotheses[0]) for r in out)
        result["configs"][name] = {"seconds": time.perf_counter() - start, "decoded_tokens": decoded,
                                   "source_tokens": sum(map(len, tokens))}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--runs", nargs="*", default=DEFAULT_RUNS,
                        help="INTERxINTRA:CONFIG pairs to time (default: %(default)s); configs: "
                             + ", ".join(c[0] for c in CONFIGS))
    parser.add_argument("--only", nargs="*", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child, args.beam, args.only)))
        return
    if not (MODEL / "model" / "model.bin").is_file():
        sys.exit(f"no model at {MODEL}: run bench/run_bench.py first (it builds and installs the models)")
    cores = os.cpu_count() or 1
    plan: dict[tuple[int, int], list[str]] = {}
    for item in args.runs:
        layout, name = item.split(":")
        inter, intra = (int(x) for x in layout.split("x"))
        plan.setdefault((inter, intra), []).append(name)
    runs: dict[str, list[float]] = {}
    rss: dict[str, list[float]] = {}
    for round_ in range(args.rounds):
        for (inter, intra), names in plan.items():
            proc = subprocess.Popen([sys.executable, __file__, "--beam", str(args.beam), "--child", str(inter), str(intra),
                                     "--only", *names], stdout=subprocess.PIPE, text=True)
            out = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
            if status:
                sys.exit(f"child {inter}x{intra} failed")
            data = json.loads(out)
            for name, r in data["configs"].items():
                runs.setdefault(f"inter {inter} × intra {intra}, {name}", []).append(r["seconds"])
            rss.setdefault(f"{inter}x{intra}", []).append(usage.ru_maxrss / 1024)
            print(f"round {round_ + 1}, inter {inter} × intra {intra}: "
                  + ", ".join(f"{n} {r['seconds']:.1f}s" for n, r in data["configs"].items()), flush=True)
    table = sorted(((statistics.median(v), min(v), max(v), k) for k, v in runs.items()))
    best = table[0]
    print(f"\nbeam {args.beam}, {args.rounds} rounds, median (min–max) seconds of translate_batch only, "
          f"load average {os.getloadavg()[0]:.1f} on {cores} CPUs:")
    for med, lo, hi, name in table:
        print(f"  {med:7.2f}  ({lo:.2f}–{hi:.2f})  ×{med / best[0]:.2f}  {name}")
    print("peak RSS per child (MB): " + ", ".join(f"{k} {max(v):.0f}" for k, v in rss.items()))
    OUT.mkdir(exist_ok=True)
    (OUT / "ceiling.json").write_text(json.dumps({
        "beam": args.beam, "rounds": args.rounds, "runs": runs, "peak_rss_mb": rss,
        "best": {"name": best[3], "median_s": best[0], "min_s": best[1], "max_s": best[2]}}, indent=2),
        encoding="utf-8")


if __name__ == "__main__":
    main()
