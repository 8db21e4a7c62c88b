#!/usr/bin/env python3
"""Whole-process benchmark: stock Argos Translate vs ``outreach run --engine argos`` vs raw CTranslate2.

Run it with the project's interpreter (see bench/README.md)::

    .venv/bin/python bench/run_bench.py            # everything (~10 min on 2 cores)
    .venv/bin/python bench/run_bench.py --skip-stock --no-profile

Every measured run is a separate process started by this script; wall time is
taken around ``Popen`` → ``os.wait4`` and peak RSS is that child's
``ru_maxrss`` from ``wait4`` (per child, not the running maximum that
``RUSAGE_CHILDREN`` would give). Every child gets HOME, XDG_*_HOME and
ARGOS_PACKAGES_DIR under ``bench/out/`` and a socket guard or no network use.

The same file also holds the child programs (``--child stock|ceiling|build|
outreach-nofallback``), so the stock-Argos venv needs nothing of ours but
``pipeline/sentences.py`` (pure Python, put on sys.path).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PROJECT_PY = ROOT / ".venv" / "bin" / "python"
OUTREACH = ROOT / ".venv" / "bin" / "outreach"
STOCK_VENV = OUT / "venv-stock"
STOCK_PY = STOCK_VENV / "bin" / "python"
MODELS_SRC = OUT / "models-src"      # built .argosmodel archives (kept between runs)
MODELS_DIR = OUT / "work" / "models"  # installed packages, shared by every child (ARGOS_PACKAGES_DIR)
WORKSPACE = OUT / "work" / "ws"
LOGS = OUT / "logs"

MAX_BATCH_TOKENS = 2048  # the engine's default max_batch_tokens, used for the ceiling too
TARGETS = {"a_over_b_min": 10.0, "b_over_c_max": 1.25, "rerun_max_pct": 5.0, "b_rss_max_mb": 800.0}


def decoding_cap(batch: list[list[str]]) -> int:
    """The one max-decoding-length policy of every contender: the engine's (pipeline/argos.py)."""
    return min(512, 2 * max((len(t) for t in batch), default=0) + 10)


# =========================================================================== children

def _guard_network() -> None:
    """Any attempt to open a network connection in a child is an error, not a download."""
    import socket

    def refuse(*_a, **_k):
        raise OSError("network access is disabled in the benchmark")

    socket.socket.connect = refuse  # type: ignore[assignment]
    socket.socket.connect_ex = refuse  # type: ignore[assignment]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]


def child_build(cfg: dict) -> None:
    """Build the base-size model pair with tests/argos_fixture.build_base_model (project venv)."""
    sys.path[:0] = [str(ROOT / "tests")]
    if cfg.get("eos_bias") is not None:
        # Experimental: a bias on </s> (index 3) so the random model stops sometimes.
        import ctranslate2.specs as specs

        original = specs.TransformerSpec.validate

        def validate(self, *a, **k):
            self.decoder.projection.bias[3] = float(cfg["eos_bias"])
            return original(self, *a, **k)

        specs.TransformerSpec.validate = validate
    from argos_fixture import build_base_model

    dest = Path(cfg["dest"])
    for i, (src, tgt) in enumerate(cfg["pairs"]):
        path = build_base_model(dest, src, tgt, seed=cfg["seed"] + i, version="1.0",
                                model_vocab=cfg.get("model_vocab", 0))
        print(path)


def child_stock(cfg: dict) -> None:
    """(a) stock argostranslate: translate() once per paragraph (stock-Argos venv)."""
    _guard_network()
    sys.path.insert(0, str(ROOT))  # pipeline/sentences.py only: pure Python, no dependency
    from pipeline.translate.sentences import split_stripped

    import ctranslate2

    real_translator = ctranslate2.Translator
    decode_steps = [0, 0]  # translate_batch calls, hypotheses' total length

    class CappedTranslator:
        """Passes the benchmark's max_decoding_length policy to every translate_batch call."""

        def __init__(self, *args, **kwargs):
            self._t = real_translator(*args, **kwargs)

        def translate_batch(self, source, *args, **kwargs):
            kwargs.setdefault("max_decoding_length", decoding_cap(source))
            results = self._t.translate_batch(source, *args, **kwargs)
            decode_steps[0] += 1
            decode_steps[1] += sum(len(r.hypotheses[0]) for r in results if r.hypotheses)
            return results

        def __getattr__(self, name):
            return getattr(self._t, name)

    ctranslate2.Translator = CappedTranslator  # argostranslate calls ctranslate2.Translator(...) at use

    import argostranslate.sbd as sbd
    import argostranslate.translate as translate

    class OfflineSentencizer(sbd.ISentenceBoundaryDetectionModel):
        """Stands in for MiniSBD/Stanza (both download a model on first use): our rule splitter."""

        def __init__(self, pkg):
            self.pkg = pkg

        def split_sentences(self, text):
            return [s.core for s in split_stripped(text, self.pkg.from_code) if s.core]

    translate.MiniSBDSentencizer = OfflineSentencizer
    translate.StanzaSentencizer = OfflineSentencizer
    translate.SpacySentencizerSmall = OfflineSentencizer

    paragraphs = cfg["paragraphs"]
    outputs = [translate.translate(p, cfg["from"], cfg["to"]) for p in paragraphs]
    Path(cfg["output"]).write_text(json.dumps({
        "outputs": outputs, "translate_batch_calls": decode_steps[0], "decoded_tokens": decode_steps[1],
        "settings": {"beam_size": translate.settings.beam_size, "inter_threads": translate.settings.inter_threads,
                     "intra_threads": translate.settings.intra_threads, "compute_type": translate.settings.compute_type,
                     "chunk_type": str(translate.settings.chunk_type)},
    }, ensure_ascii=False), encoding="utf-8")


def child_ceiling(cfg: dict) -> None:
    """(c) one raw translate_batch over all sentences, model load included (project venv)."""
    _guard_network()
    sys.path.insert(0, str(ROOT))
    import ctranslate2
    import sentencepiece

    from pipeline.translate.sentences import join_lines, split_stripped

    package = Path(cfg["package"])
    translator = ctranslate2.Translator(str(package / "model"), device="cpu", inter_threads=1,
                                        intra_threads=cfg["threads"])
    sp = sentencepiece.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    sentences = [s.core for p in cfg["paragraphs"] for s in split_stripped(join_lines(p), cfg["from"]) if s.core]
    tokens = sp.encode(sentences, out_type=str)
    results = translator.translate_batch(
        tokens, beam_size=cfg["beam_size"], max_batch_size=MAX_BATCH_TOKENS, batch_type="tokens",
        max_decoding_length=decoding_cap(tokens), replace_unknowns=True)
    outputs = [sp.decode_pieces(list(r.hypotheses[0])) for r in results]
    Path(cfg["output"]).write_text(json.dumps({
        "sentences": len(sentences), "source_tokens": sum(map(len, tokens)),
        "decoded_tokens": sum(len(r.hypotheses[0]) for r in results), "outputs": outputs,
    }, ensure_ascii=False), encoding="utf-8")


def child_outreach_nofallback(cfg: dict) -> None:
    """Diagnostic: ``outreach run`` with placeholder restoration that never fails (no fallback pass)."""
    _guard_network()
    from pipeline.translate import drafting

    original = drafting.restore
    drafting.restore = lambda translated, protected: original(translated, protected) or translated
    from pipeline.cli import main

    sys.argv = ["outreach", *cfg["argv"]]
    main()


CHILDREN = {"build": child_build, "stock": child_stock, "ceiling": child_ceiling,
            "outreach-nofallback": child_outreach_nofallback}


# =========================================================================== measuring

def sandbox_env(name: str, args: argparse.Namespace) -> dict[str, str]:
    """The environment of every child: own HOME/XDG dirs under bench/out, same MT settings."""
    base = OUT / "sandbox" / name
    dirs = {"HOME": base / "home", "XDG_DATA_HOME": base / "data", "XDG_CACHE_HOME": base / "cache",
            "XDG_CONFIG_HOME": base / "config"}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGOS_", "XDG_"))}
    env.update({k: str(v) for k, v in dirs.items()})
    env.update({
        "ARGOS_PACKAGES_DIR": str(MODELS_DIR),
        "ARGOS_BEAM_SIZE": str(args.beam),
        "ARGOS_INTER_THREADS": "1",
        "ARGOS_INTRA_THREADS": str(args.threads),
        "ARGOS_DEVICE_TYPE": "cpu",
        "ARGOS_COMPUTE_TYPE": "default",  # Argos's "auto" may pick int8 on this CPU; ours loads "default"
        "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",  # never reachable, never used
        "STANZA_RESOURCES_DIR": str(base / "stanza"),
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": str(args.threads),
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def measure(name: str, argv: list[str], env: dict[str, str], *, cwd: Path | None = None) -> dict:
    """Run ``argv`` as a child; wall time, peak RSS and CPU time of that child only."""
    LOGS.mkdir(parents=True, exist_ok=True)
    out_path, err_path = LOGS / f"{name}.stdout", LOGS / f"{name}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(a) for a in argv], env=env, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed (exit {proc.returncode}); see {err_path}:\n"
                         + err_path.read_text(errors="replace")[-3000:])
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "user_s": usage.ru_utime,
            "sys_s": usage.ru_stime, "stdout": str(out_path), "stderr": str(err_path)}


def this_script(python: Path, child: str, cfg: dict) -> list[str]:
    cfg_path = OUT / "cfg" / f"{child}.json"
    cfg_path.parent.mkdir(parents=True, exist_ok=True)
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    return [str(python), str(Path(__file__).resolve()), "--child", child, "--config", str(cfg_path)]


# =========================================================================== set-up

def ensure_models(args: argparse.Namespace) -> dict[str, Path]:
    stamp = {"seed": args.seed, "eos_bias": args.eos_bias, "pairs": [["pl", "en"], ["en", "uk"]],
             "model_vocab": args.model_vocab,
             "dims": f"6+6 layers, d_model 512, 8 heads, FFN 2048, model vocabulary {args.model_vocab or 250}"}
    stamp_file = MODELS_SRC / "stamp.json"
    archives = {"pl-en": MODELS_SRC / "translate-pl_en-1_0.argosmodel",
                "en-uk": MODELS_SRC / "translate-en_uk-1_0.argosmodel"}
    fresh = stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp and all(
        p.is_file() for p in archives.values())
    if not fresh:
        shutil.rmtree(MODELS_SRC, ignore_errors=True)
        MODELS_SRC.mkdir(parents=True)
        print("building the base-size model pair (build_base_model) ...", flush=True)
        r = measure("build-models", this_script(PROJECT_PY, "build", {**stamp, "dest": str(MODELS_SRC)}),
                    sandbox_env("build", args))
        print(f"  built in {r['wall_s']:.1f} s", flush=True)
        stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    # Install afresh with our own installer (same folder layout argospm uses).
    shutil.rmtree(MODELS_DIR, ignore_errors=True)
    MODELS_DIR.mkdir(parents=True)
    env = sandbox_env("install", args)
    measure("install-models", [OUTREACH, "models", "install", *archives.values(), "--models-dir", MODELS_DIR], env)
    return {pair: MODELS_DIR / f"translate-{pair.replace('-', '_')}" for pair in archives}


def ensure_stock_venv(args: argparse.Namespace) -> None:
    if STOCK_PY.is_file() and subprocess.run(
            [STOCK_PY, "-c", "import argostranslate, stanza, torch"], capture_output=True,
            env=sandbox_env("stock-check", args)).returncode == 0:
        return
    print("creating bench/out/venv-stock with stock argostranslate (torch, stanza, spacy; several GB) ...",
          flush=True)
    env = sandbox_env("pip", args)
    subprocess.run([sys.executable if not shutil.which("python3.11") else shutil.which("python3.11"),
                    "-m", "venv", STOCK_VENV], check=True, env=env)
    subprocess.run([STOCK_VENV / "bin" / "pip", "install", "-r", BENCH / "requirements-stock-argos.txt"],
                   check=True, env=env)


def write_workspace(args: argparse.Namespace) -> None:
    from corpus import DOCUMENTS, document_text

    shutil.rmtree(WORKSPACE, ignore_errors=True)
    (WORKSPACE / "source_texts").mkdir(parents=True)
    for name, paragraphs in DOCUMENTS.items():
        (WORKSPACE / "source_texts" / f"{name}.txt").write_text(document_text(paragraphs), encoding="utf-8")
    (WORKSPACE / "pyproject.toml").write_text(
        "[tool.outreach]\n"
        'source_language = "pl"\n'
        'target_languages = ["en", "uk"]\n'
        'engine = "argos"\n'
        f"beam_size = {args.beam}\n"
        f"threads = {args.threads}\n"
        'device = "cpu"\n'
        f'models_dir = "{MODELS_DIR}"\n', encoding="utf-8")


def reset_workspace_outputs() -> None:
    shutil.rmtree(WORKSPACE / ".outreach", ignore_errors=True)
    shutil.rmtree(WORKSPACE / "locales", ignore_errors=True)


def drafts_of(result: dict) -> int:
    data = json.loads(Path(result["stdout"]).read_text(encoding="utf-8"))
    return sum(c["drafts"] for c in data["catalogues"])


def catalogue_snapshot() -> dict[str, bytes]:
    return {str(p.relative_to(WORKSPACE)): p.read_bytes() for p in sorted((WORKSPACE / "locales").rglob("*.po*"))}


# =========================================================================== profiling

PROFILE_GROUPS = [
    # (label, file substring, function name) -> cumulative seconds
    ("sources + segmentation + detection (runner.prepare)", "runner.py", "prepare"),
    ("  of which language detection", "detection.py", "detect_document"),
    ("catalogue merge", "catalog.py", "merge"),
    ("engine: model load incl. ctranslate2/sentencepiece import (_load)", "argos.py", "_load"),
    ("engine: translate_pair (all MT work)", "drafting.py", "translate_pair"),
    ("  _translate_sentences (both passes)", "argos.py", "_translate_sentences"),
    ("  fallback pieces (split_around)", "protect.py", "split_around"),
    ("  CTranslate2 translate_batch (inference)", "~", "translate_batch"),
    ("  SentencePiece encode", "sentencepiece", "ncode"),
    ("  protect/restore/split_around", "protect.py", "protect"),
    ("  restore", "protect.py", "restore"),
    ("  sentence split", "sentences.py", "split_stripped"),
    ("  cache get_many", "mtcache.py", "get_many"),
    ("  cache put_many", "mtcache.py", "put_many"),
    ("writing catalogues (pofile.write_catalog)", "pofile.py", "write_catalog"),
    ("reading catalogues (pofile.read_catalog)", "pofile.py", "read_catalog"),
]


def summarize_profile(prof_path: Path) -> dict:
    import pstats

    stats = pstats.Stats(str(prof_path)).stats  # (file, line, func) -> (cc, nc, tt, ct, callers)
    total = max(ct for (_f, _l, _fn), (_cc, _nc, _tt, ct, _c) in stats.items())
    groups = {}
    for label, file_part, func in PROFILE_GROUPS:
        hits = [(v[1], v[3]) for (f, _l, fn), v in stats.items()
                if (fn == func or (f == "~" and func in fn)) and file_part in f]
        groups[label] = {"seconds": round(sum(ct for _n, ct in hits), 3), "calls": sum(n for n, _ct in hits)}
    imports = [v[3] for (f, _l, fn), v in stats.items() if fn == "_find_and_load"]
    groups["imports (all _find_and_load, cumulative, top-level)"] = {"seconds": round(max(imports, default=0), 3)}
    return {"profiled_total_s": round(total, 3), "groups": groups}


def import_cost(args: argparse.Namespace) -> dict:
    """Bare process cost: interpreter + `import pipeline.cli`, and + ctranslate2/sentencepiece."""
    env = sandbox_env("imports", args)
    return {
        "python_startup": measure("import-none", [PROJECT_PY, "-c", "pass"], env),
        "import_pipeline_cli": measure("import-cli", [PROJECT_PY, "-c", "import pipeline.cli"], env),
        "import_mt_stack": measure("import-mt", [PROJECT_PY, "-c",
                                                 "import pipeline.cli, pipeline.translate.argos, ctranslate2, sentencepiece"], env),
    }


# =========================================================================== main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--beam", type=int, default=2, help="beam size for every contender (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="CTranslate2 intra_threads (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="model weight seed (pl-en; en-uk gets seed+1)")
    parser.add_argument("--eos-bias", type=float, default=None,
                        help="experimental: bias on </s> so the random model sometimes stops (default: none, "
                             "the model as build_base_model makes it, which decodes to the length cap)")
    parser.add_argument("--model-vocab", type=int, default=32000,
                        help="pad the model vocabulary to this size, like a real Argos model (default 32000; "
                             "0 = the SentencePiece pieces only, ~250)")
    parser.add_argument("--skip-stock", action="store_true", help="skip (a), stock argostranslate")
    parser.add_argument("--reuse-stock", action="store_true",
                        help="reuse (a) from the last run (bench/out/stock-run.json) instead of running it again")
    parser.add_argument("--no-pivot", action="store_true", help="skip the pl→en+uk run")
    parser.add_argument("--no-diagnostics", action="store_true",
                        help="skip the extra runs (engine none, no-fallback, import cost)")
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="auto",
                        help="cProfile a fresh (b) run: auto = when a target is missed")
    args = parser.parse_args()

    if args.child:
        CHILDREN[args.child](json.loads(args.config.read_text(encoding="utf-8")))
        return

    sys.path[:0] = [str(BENCH), str(ROOT)]
    from corpus import PARAGRAPHS

    from pipeline.translate.sentences import join_lines, split_stripped

    OUT.mkdir(parents=True, exist_ok=True)
    n_sentences = sum(1 for p in PARAGRAPHS for s in split_stripped(join_lines(p), "pl") if s.core)
    packages = ensure_models(args)
    write_workspace(args)
    runs: dict[str, dict] = {}
    notes: dict[str, object] = {}

    def show(key: str, label: str) -> None:
        r = runs[key]
        print(f"  {label}: {r['wall_s']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)

    # (a) stock Argos, one translate() per paragraph
    stock_saved = OUT / "stock-run.json"
    if args.reuse_stock and stock_saved.is_file():
        runs["a_stock_argos"] = json.loads(stock_saved.read_text(encoding="utf-8"))
        show("a_stock_argos", "(a) reused from bench/out/stock-run.json")
    elif not args.skip_stock:
        ensure_stock_venv(args)
        print("(a) stock argostranslate, translate() per paragraph ...", flush=True)
        output = OUT / "stock-output.json"
        runs["a_stock_argos"] = measure("a-stock", this_script(STOCK_PY, "stock", {
            "paragraphs": PARAGRAPHS, "from": "pl", "to": "en", "output": str(output)}), sandbox_env("stock", args))
        stock = json.loads(output.read_text(encoding="utf-8"))
        runs["a_stock_argos"].update(sentences=n_sentences, translate_batch_calls=stock["translate_batch_calls"],
                                     decoded_tokens=stock["decoded_tokens"], argos_settings=stock["settings"])
        assert len(stock["outputs"]) == len(PARAGRAPHS)
        stock_saved.write_text(json.dumps(runs["a_stock_argos"], indent=2), encoding="utf-8")
        show("a_stock_argos", "(a)")

    env = sandbox_env("outreach", args)
    run_en = [OUTREACH, "run", "-C", WORKSPACE, "--engine", "argos", "--to", "en", "-q", "--json"]

    # (b) outreach run, fresh cache, pl→en
    print("(b) outreach run --engine argos --to en (fresh cache) ...", flush=True)
    reset_workspace_outputs()
    runs["b_outreach_en"] = measure("b-outreach-en", run_en, env)
    runs["b_outreach_en"].update(sentences=n_sentences, drafts=drafts_of(runs["b_outreach_en"]))
    show("b_outreach_en", "(b)")
    before = catalogue_snapshot()

    # (d) no-change re-run: warm cache, unchanged catalogues
    print("(d) no-change re-run of (b) ...", flush=True)
    runs["d_rerun_en"] = measure("d-rerun-en", run_en, env)
    runs["d_rerun_en"].update(sentences=n_sentences, drafts=drafts_of(runs["d_rerun_en"]),
                              catalogues_unchanged=catalogue_snapshot() == before,
                              written=sum(c["written"] for c in json.loads(
                                  Path(runs["d_rerun_en"]["stdout"]).read_text())["catalogues"]))
    show("d_rerun_en", "(d)")

    # (c) the ceiling: one raw translate_batch
    print("(c) raw CTranslate2, one translate_batch over all sentences ...", flush=True)
    output = OUT / "ceiling-output.json"
    runs["c_ceiling"] = measure("c-ceiling", this_script(PROJECT_PY, "ceiling", {
        "package": str(packages["pl-en"]), "paragraphs": PARAGRAPHS, "from": "pl", "beam_size": args.beam,
        "threads": args.threads, "output": str(output)}), sandbox_env("ceiling", args))
    ceiling = json.loads(output.read_text(encoding="utf-8"))
    assert ceiling["sentences"] == n_sentences, (ceiling["sentences"], n_sentences)
    runs["c_ceiling"].update(sentences=n_sentences, source_tokens=ceiling["source_tokens"],
                             decoded_tokens=ceiling["decoded_tokens"])
    show("c_ceiling", "(c)")

    # pl→en+uk through the English pivot, fresh cache
    if not args.no_pivot:
        print("(b-pivot) outreach run --engine argos --to en,uk (fresh cache) ...", flush=True)
        reset_workspace_outputs()
        run_both = [OUTREACH, "run", "-C", WORKSPACE, "--engine", "argos", "--to", "en,uk", "-q", "--json"]
        runs["b_outreach_en_uk"] = measure("b-outreach-en-uk", run_both, env)
        runs["b_outreach_en_uk"].update(sentences=2 * n_sentences, drafts=drafts_of(runs["b_outreach_en_uk"]))
        show("b_outreach_en_uk", "(b-pivot)")
        runs["d_rerun_en_uk"] = measure("d-rerun-en-uk", run_both, env)
        runs["d_rerun_en_uk"].update(sentences=2 * n_sentences)
        show("d_rerun_en_uk", "(d-pivot)")

    # Diagnostics: what the pipeline costs without MT, and without the placeholder fallback pass.
    if not args.no_diagnostics:
        print("diagnostics ...", flush=True)
        reset_workspace_outputs()
        runs["x_outreach_engine_none"] = measure(
            "x-engine-none", [OUTREACH, "run", "-C", WORKSPACE, "--engine", "none", "--to", "en", "-q", "--json"], env)
        runs["x_outreach_engine_none"].update(sentences=n_sentences)
        show("x_outreach_engine_none", "(x) outreach run --engine none")
        reset_workspace_outputs()
        runs["x_outreach_nofallback"] = measure("x-nofallback", this_script(PROJECT_PY, "outreach-nofallback", {
            "argv": ["run", "-C", str(WORKSPACE), "--engine", "argos", "--to", "en", "-q", "--json"]}), env)
        runs["x_outreach_nofallback"].update(sentences=n_sentences, drafts=drafts_of(runs["x_outreach_nofallback"]))
        show("x_outreach_nofallback", "(x) outreach run, placeholder fallback disabled")
        notes["import_cost"] = {k: {"wall_s": v["wall_s"], "peak_rss_mb": v["peak_rss_mb"]}
                                for k, v in import_cost(args).items()}

    for r in runs.values():
        r["sentences_per_s"] = r["sentences"] / r["wall_s"]

    def ratio(x: str, y: str) -> float | None:
        return runs[x]["wall_s"] / runs[y]["wall_s"] if x in runs and y in runs else None

    def cpu_ratio(x: str, y: str) -> float | None:
        if x not in runs or y not in runs:
            return None
        return (runs[x]["user_s"] + runs[x]["sys_s"]) / (runs[y]["user_s"] + runs[y]["sys_s"])

    load = os.getloadavg()
    notes["load_average_at_end"] = load
    if load[0] > (os.cpu_count() or 1) + 0.5:
        print(f"warning: load average {load[0]:.1f} on {os.cpu_count()} CPUs: other processes share the machine, "
              "wall times are inflated; compare the CPU-time ratios", flush=True)
    ratios = {
        "a_over_b": ratio("a_stock_argos", "b_outreach_en"),
        "b_over_c": ratio("b_outreach_en", "c_ceiling"),
        "d_over_b_pct": 100 * ratio("d_rerun_en", "b_outreach_en"),
        "b_peak_rss_mb": runs["b_outreach_en"]["peak_rss_mb"],
        # CPU time (user+sys) of the child: far less sensitive than wall time to other load on the machine.
        "cpu_a_over_b": cpu_ratio("a_stock_argos", "b_outreach_en"),
        "cpu_b_over_c": cpu_ratio("b_outreach_en", "c_ceiling"),
        "cpu_d_over_b_pct": 100 * cpu_ratio("d_rerun_en", "b_outreach_en"),
        "a_peak_rss_mb": runs.get("a_stock_argos", {}).get("peak_rss_mb"),
    }
    verdict = {
        "a_over_b >= 10": None if ratios["a_over_b"] is None else ratios["a_over_b"] >= TARGETS["a_over_b_min"],
        "b_over_c <= 1.25": ratios["b_over_c"] <= TARGETS["b_over_c_max"],
        "rerun < 5 %": ratios["d_over_b_pct"] < TARGETS["rerun_max_pct"],
        "b RSS < stock RSS (~800 MB)": ratios["b_peak_rss_mb"] < (ratios["a_peak_rss_mb"] or TARGETS["b_rss_max_mb"]),
    }

    profile = None
    if args.profile == "always" or (args.profile == "auto" and not all(v for v in verdict.values() if v is not None)):
        print("profiling a fresh (b) run with cProfile ...", flush=True)
        reset_workspace_outputs()
        prof = OUT / "outreach-run.prof"
        r = measure("p-profile", [PROJECT_PY, "-m", "cProfile", "-o", prof, "-m", "pipeline", "run", "-C", WORKSPACE,
                                  "--engine", "argos", "--to", "en", "-q", "--json"], env)
        profile = {"wall_s_under_cprofile": r["wall_s"], **summarize_profile(prof), "file": str(prof)}

    results = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "settings": {"beam_size": args.beam, "threads": args.threads, "inter_threads": 1, "device": "cpu",
                     "compute_type": "default (float32 model)",
                     "max_decoding_length": "min(512, 2*longest_source_tokens_in_the_call + 10) for every "
                                            "translate_batch call (the engine's policy; forced on stock Argos)",
                     "max_batch_tokens": MAX_BATCH_TOKENS, "seed": args.seed, "eos_bias": args.eos_bias,
                     "model": f"build_base_model: 6+6 layers, d_model 512, 8 heads, FFN 2048, model vocabulary {args.model_vocab or 250}, random weights"},
        "corpus": {"paragraphs": len(PARAGRAPHS), "documents": 6, "sentences": n_sentences},
        "runs": runs, "ratios": ratios, "targets": TARGETS, "verdict": verdict, "profile": profile, "notes": notes,
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print_table(results)


LABELS = {
    "a_stock_argos": "(a) stock argostranslate, per paragraph",
    "b_outreach_en": "(b) outreach run pl→en, fresh cache",
    "c_ceiling": "(c) raw CT2 one translate_batch (ceiling)",
    "d_rerun_en": "(d) outreach run pl→en, no-change re-run",
    "b_outreach_en_uk": "(b) outreach run pl→en+uk (pivot), fresh",
    "d_rerun_en_uk": "(d) outreach run pl→en+uk, no-change re-run",
    "x_outreach_engine_none": "(x) outreach run --engine none (no MT)",
    "x_outreach_nofallback": "(x) outreach run pl→en, no placeholder fallback",
}


def print_table(results: dict) -> None:
    rows = [("run", "wall s", "sent/s", "peak RSS MB", "user+sys s")]
    for key, r in results["runs"].items():
        rows.append((LABELS.get(key, key), f"{r['wall_s']:.2f}", f"{r['sentences_per_s']:.2f}",
                     f"{r['peak_rss_mb']:.0f}", f"{r['user_s'] + r['sys_s']:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    ra = results["ratios"]
    fmt = lambda v, spec: "n/a" if v is None else format(v, spec)  # noqa: E731
    print()
    print(f"(a)/(b) wall  = {fmt(ra['a_over_b'], '.2f')}×   (target ≥ 10×)")
    print(f"(b)/(c) wall  = {fmt(ra['b_over_c'], '.2f')}×   (target ≤ 1.25×)")
    print(f"(d)/(b) wall  = {fmt(ra['d_over_b_pct'], '.1f')} %  (target < 5 %)")
    print(f"CPU-time ratios (user+sys): (a)/(b) {fmt(ra['cpu_a_over_b'], '.2f')}×, "
          f"(b)/(c) {fmt(ra['cpu_b_over_c'], '.2f')}×, (d)/(b) {fmt(ra['cpu_d_over_b_pct'], '.1f')} %")
    print(f"peak RSS (b)  = {ra['b_peak_rss_mb']:.0f} MB vs (a) {fmt(ra['a_peak_rss_mb'], '.0f')} MB")
    print("verdict:", json.dumps(results["verdict"]))
    if results.get("profile"):
        p = results["profile"]
        print(f"\ncProfile of a fresh (b) run ({p['wall_s_under_cprofile']:.1f} s wall under the profiler, "
              f"{p['profiled_total_s']:.1f} s profiled):")
        for label, g in p["groups"].items():
            print(f"  {g['seconds']:8.2f} s  {label}" + (f"  [{g['calls']} calls]" if "calls" in g else ""))
    print(f"\nresults: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
