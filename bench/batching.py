"""How much does batching buy when outputs have realistic lengths?

The benchmark's random-weight model never emits </s>: every output runs to
the decoding limit, which makes every contender pay for the limit rather
than for the text. A real model stops near the source length. This script
simulates that on the base-size model built by run_bench.py: each sentence
is decoded for exactly as many steps as it has source tokens
(min_decoding_length = max_decoding_length), once one sentence per call (the
stock Argos pattern) and once in length-sorted, token-bounded batches of
several sizes (our engine's pattern). Each variant runs in its own process so
peak RSS is per variant.

    .venv/bin/python bench/batching.py            # after bench/run_bench.py built the models
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL = HERE / "out" / "work" / "models" / "translate-pl_en"


def child(budget: int, threads: int, beam: int) -> dict:
    import ctranslate2
    import sentencepiece

    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from corpus import PARAGRAPHS
    from pipeline.translate.sentences import split_sentences

    sp = sentencepiece.SentencePieceProcessor(model_file=str(MODEL / "sentencepiece.model"))
    sentences = [s.strip() for p in PARAGRAPHS for s in split_sentences(p, "pl")]
    tokens = [sp.encode(s, out_type=str) for s in sentences]
    translator = ctranslate2.Translator(str(MODEL / "model"), intra_threads=threads, inter_threads=1)
    start = time.perf_counter()
    if budget == 0:
        for t in tokens:
            translator.translate_batch([t], beam_size=beam, max_decoding_length=len(t), min_decoding_length=len(t))
    else:
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        groups, size = [[]], 0
        for i in order:
            if groups[-1] and size + len(tokens[i]) > budget:
                groups.append([])
                size = 0
            groups[-1].append(i)
            size += len(tokens[i])
        for group in groups:
            longest = max(len(tokens[i]) for i in group)
            translator.translate_batch([tokens[i] for i in group], beam_size=beam, max_batch_size=budget,
                                       batch_type="tokens", max_decoding_length=longest,
                                       min_decoding_length=min(len(tokens[i]) for i in group))
    return {"seconds": time.perf_counter() - start, "sentences": len(tokens)}


def main() -> None:
    if not (MODEL / "model" / "model.bin").is_file():
        sys.exit(f"no model at {MODEL}: run bench/run_bench.py first")
    rows = []
    for budget in (0, 1024, 2048, 4096):
        before = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child", str(budget)], stdout=subprocess.PIPE, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        if status:
            sys.exit(f"child failed for budget {budget}")
        data = json.loads(out)
        rows.append((budget, data["seconds"], time.perf_counter() - before, usage.ru_maxrss // 1024))
        label = "one sentence per call" if budget == 0 else f"batches of {budget} tokens"
        print(f"{label:24s} decode {data['seconds']:7.1f} s   process {rows[-1][2]:7.1f} s   peak RSS {rows[-1][3]} MB",
              flush=True)
    base = rows[0][1]
    for budget, seconds, _, _ in rows[1:]:
        print(f"speed-up of {budget}-token batches over one sentence per call: {base / seconds:.1f}×")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(int(sys.argv[2]), threads=2, beam=2)))
    else:
        main()
