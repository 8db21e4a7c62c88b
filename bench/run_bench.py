#!/usr/bin/env python3
"""Whole-process benchmark: stock Argos Translate vs ``outreach run`` vs raw CTranslate2 (the ceiling).

    make bench                                     # = .venv/bin/python bench/run_bench.py
    .venv/bin/python bench/run_bench.py --repeat 5 --skip-stock

Every measured run is a separate process started by this script; wall time is
taken around ``Popen`` → ``os.wait4`` and peak RSS is that child's own
``ru_maxrss``. The contenders run **side by side**: round after round, each
contender once per round, so load from other processes spreads over all of
them; every figure is the median of ``--repeat`` rounds (≥ 3) with min and max,
and the ratios are ratios of medians. Every child gets HOME, XDG_*_HOME and
ARGOS_PACKAGES_DIR under ``bench/out/`` and no network.

Model (``--model``): ``stopping`` (default) is ``../shared/bench/make_argos_model.py
--size base`` — random weights whose output stops at about the source length —
pl→en and en→uk; ``limit`` is the old ``tests/argos_fixture.build_base_model``
pair, which never emits ``</s>`` and decodes every sentence to the cap.
Corpus: the shared ``corpus_pl.txt`` (62 paragraphs) for ``stopping``,
``bench/corpus.py``'s 60 paragraphs for ``limit``. Beam 4 for every contender
(``--beam``).

The same file also holds the child programs (``--child stock|ceiling|build|
outreach-nofallback``), so the stock-Argos venv needs nothing of ours but
``pipeline/translate/sentences.py`` (pure Python, put on sys.path).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
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
MODELS_DIR = OUT / "work" / "models"  # installed packages, shared by every child (ARGOS_PACKAGES_DIR)
WORKSPACE = OUT / "work" / "ws"
LOGS = OUT / "logs"

TARGETS = {"b_over_c_max": 1.05, "a_over_default_min": 5.0, "default_rss_max_mb": 350.0, "rerun_max_s": 0.3}


def decoding_cap(batch: list[list[str]]) -> int:
    """The cap of the raw contender: the engine's default (pipeline/translate/argos.py), longest of the call."""
    return min(512, int(1.5 * max((len(t) for t in batch), default=0)) + 10)


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
    """``--model limit``: the old base-size pair from tests/argos_fixture.build_base_model (never stops)."""
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

    class CountingTranslator:
        """Counts translate_batch calls and decoded tokens; Argos's own arguments are left alone,
        except with the always-to-the-limit model, where the benchmark's cap applies to everyone."""

        def __init__(self, *args, **kwargs):
            self._t = real_translator(*args, **kwargs)

        def translate_batch(self, source, *args, **kwargs):
            if cfg.get("cap"):
                kwargs.setdefault("max_decoding_length", decoding_cap(source))
            results = self._t.translate_batch(source, *args, **kwargs)
            decode_steps[0] += 1
            decode_steps[1] += sum(len(r.hypotheses[0]) for r in results if r.hypotheses)
            return results

        def __getattr__(self, name):
            return getattr(self._t, name)

    ctranslate2.Translator = CountingTranslator  # argostranslate calls ctranslate2.Translator(...) at use

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
    """(c) raw CTranslate2 over all sentences in one translate_batch call, as a whole process:
    interpreter, imports, model load, sentence split, tokenizing, inference, writing the output."""
    _guard_network()
    sys.path.insert(0, str(ROOT))
    import ctranslate2
    import sentencepiece

    from pipeline.translate.sentences import join_lines, split_stripped

    package = Path(cfg["package"])
    translator = ctranslate2.Translator(str(package / "model"), device="cpu", inter_threads=cfg["inter_threads"],
                                        intra_threads=cfg["intra_threads"])
    sp = sentencepiece.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    sentences = [s.core for p in cfg["paragraphs"] for s in split_stripped(join_lines(p), cfg["from"]) if s.core]
    tokens = sp.encode(sentences, out_type=str)
    results = translator.translate_batch(
        tokens, beam_size=cfg["beam_size"], max_batch_size=cfg["batch_size"], batch_type=cfg["batch_type"],
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
    # Bytecode caching as a user has it (PYTHONDONTWRITEBYTECODE would recompile our modules in every child).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGOS_", "XDG_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({k: str(v) for k, v in dirs.items()})
    env.update({
        "ARGOS_PACKAGES_DIR": str(MODELS_DIR),
        "ARGOS_BEAM_SIZE": str(args.beam),
        "ARGOS_DEVICE_TYPE": "cpu",
        "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",  # never reachable, never used
        "STANZA_RESOURCES_DIR": str(base / "stanza"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def measure(name: str, argv: list, env: dict[str, str], *, cwd: Path | None = None) -> dict:
    """Run ``argv`` as a child; wall time, peak RSS and CPU time of that child only."""
    LOGS.mkdir(parents=True, exist_ok=True)
    out_path, err_path = LOGS / f"{name}.stdout", LOGS / f"{name}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(a) for a in argv], env=env, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{name} failed (exit {code}); see {err_path}:\n" + err_path.read_text(errors="replace")[-3000:])
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
            "stdout": str(out_path), "stderr": str(err_path)}


def this_script(python: Path, child: str, cfg: dict, tag: str = "") -> list:
    cfg_path = OUT / "cfg" / f"{child}{tag}.json"
    cfg_path.parent.mkdir(parents=True, exist_ok=True)
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    return [python, Path(__file__).resolve(), "--child", child, "--config", cfg_path]


# =========================================================================== set-up

def ensure_models(args: argparse.Namespace) -> dict[str, Path]:
    """Build (once per model kind) and install the pl→en and en→uk packages."""
    src = OUT / f"models-{args.model}"
    archives = {"pl-en": src / "translate-pl_en.argosmodel", "en-uk": src / "translate-en_uk.argosmodel"}
    stamp = {"model": args.model, "seed": args.seed}
    stamp_file = src / "stamp.json"
    fresh = stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp and all(
        p.is_file() for p in archives.values())
    if not fresh:
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        print(f"building the {args.model} model pair ...", flush=True)
        if args.model == "stopping":
            shared = shared_bench()
            for i, (pair, archive) in enumerate(archives.items()):
                a, b = pair.split("-")
                measure(f"build-{pair}", [PROJECT_PY, shared / "make_argos_model.py", "--size", "base", "--from", a,
                                          "--to", b, "--seed", str(args.seed + i), "--out", archive, "--no-verify"],
                        sandbox_env("build", args), cwd=shared)
        else:
            measure("build-models", this_script(PROJECT_PY, "build", {
                "seed": args.seed, "pairs": [["pl", "en"], ["en", "uk"]], "model_vocab": 32000, "dest": str(src)}),
                sandbox_env("build", args))
            for pair, archive in archives.items():
                built = next(src.glob(f"translate-{pair.replace('-', '_')}*.argosmodel"))
                built.rename(archive)
        stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    shutil.rmtree(MODELS_DIR, ignore_errors=True)
    MODELS_DIR.mkdir(parents=True)
    measure("install-models", [OUTREACH, "models", "install", *archives.values(), "--models-dir", MODELS_DIR],
            sandbox_env("install", args))
    return {pair: next(MODELS_DIR.glob(f"translate-{pair.replace('-', '_')}*")) for pair in archives}


def shared_bench() -> Path:
    sys.path.insert(0, str(BENCH))
    from corpus import require_shared_bench

    return require_shared_bench(' or use --model limit')


def ensure_stock_venv(args: argparse.Namespace) -> None:
    if STOCK_PY.is_file() and subprocess.run(
            [STOCK_PY, "-c", "import argostranslate, stanza, torch"], capture_output=True,
            env=sandbox_env("stock-check", args)).returncode == 0:
        return
    print("creating bench/out/venv-stock with stock argostranslate (torch CPU, stanza, spacy; ~1.5 GB) ...", flush=True)
    env = sandbox_env("pip", args)
    subprocess.run([shutil.which("python3.11") or sys.executable, "-m", "venv", STOCK_VENV], check=True, env=env)
    subprocess.run([STOCK_VENV / "bin" / "pip", "install", "-r", BENCH / "requirements-stock-argos.txt"],
                   check=True, env=env)


def write_workspace(path: Path, documents: dict[str, list[str]], settings: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
    (path / "source_texts").mkdir(parents=True)
    for name, paragraphs in documents.items():
        (path / "source_texts" / f"{name}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (path / "pyproject.toml").write_text(
        "[tool.outreach]\n"
        'source_language = "pl"\n'
        'target_languages = ["en", "uk"]\n'
        'engine = "argos"\n'
        'device = "cpu"\n'
        f'models_dir = "{MODELS_DIR}"\n' + settings, encoding="utf-8")


def reset_outputs(path: Path) -> None:
    shutil.rmtree(path / ".outreach", ignore_errors=True)
    shutil.rmtree(path / "locales", ignore_errors=True)


def run_json(result: dict) -> dict:
    return json.loads(Path(result["stdout"]).read_text(encoding="utf-8"))


def best_ceiling(args: argparse.Namespace) -> dict:
    """The raw configuration for (c): bench/ceiling.py's winner when it ran, else the flags."""
    found = OUT / "ceiling.json"
    if args.ceiling_config is None and found.is_file():
        name = json.loads(found.read_text())["best"]["name"]   # "inter 1 × intra 2, examples-32"
        layout, config = name.split(", ", 1)
        inter, intra = int(layout.split()[1]), int(layout.split()[4])
        kind, size = config.split("-")[:2]
        return {"inter_threads": inter, "intra_threads": intra, "batch_type": kind, "batch_size": int(size),
                "from": f"bench/out/ceiling.json ({name})"}
    spec = args.ceiling_config or "1x2:examples-32"
    layout, config = spec.split(":")
    inter, intra = (int(x) for x in layout.split("x"))
    kind, size = config.split("-")
    return {"inter_threads": inter, "intra_threads": intra, "batch_type": kind, "batch_size": int(size), "from": spec}


# =========================================================================== main

def summarize(samples: list[dict]) -> dict:
    walls = [s["wall_s"] for s in samples]
    return {"wall_s": statistics.median(walls), "wall_min_s": min(walls), "wall_max_s": max(walls),
            "cpu_s": statistics.median(s["cpu_s"] for s in samples),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in samples), "runs": len(samples),
            **{k: v for k, v in samples[-1].items() if k not in ("wall_s", "cpu_s", "peak_rss_mb", "stdout", "stderr")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=["stopping", "limit"], default="stopping",
                        help="stopping: the shared builder's base model (default); limit: the old model that "
                             "decodes every sentence to the length cap")
    parser.add_argument("--beam", type=int, default=4, help="beam size for every contender (default 4, Argos's own)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; every figure is the median (default 3)")
    parser.add_argument("--seed", type=int, default=1234, help="model weight seed (pl-en; en-uk gets seed+1; default: the builder's)")
    parser.add_argument("--ceiling-config", metavar="INTERxINTRA:KIND-SIZE",
                        help="raw configuration of (c), e.g. 1x2:examples-32 (default: bench/ceiling.py's winner)")
    parser.add_argument("--skip-stock", action="store_true", help="skip (a), stock argostranslate")
    parser.add_argument("--no-pivot", action="store_true", help="skip the pl→en+uk runs")
    parser.add_argument("--no-month", action="store_true", help="skip the month-of-announcements runs")
    parser.add_argument("--profile", action="store_true", help="also cProfile one fresh (b) run")
    parser.add_argument("--paragraphs", type=int, default=0, help="smoke test: only the first N paragraphs per document")
    args = parser.parse_args()

    if args.child:
        CHILDREN[args.child](json.loads(args.config.read_text(encoding="utf-8")))
        return
    if args.repeat < 1:
        parser.error("--repeat must be ≥ 1")

    sys.path[:0] = [str(BENCH), str(ROOT)]
    import corpus

    from pipeline.translate.sentences import join_lines, split_stripped

    OUT.mkdir(parents=True, exist_ok=True)
    documents = corpus.acceptance_documents() if args.model == "stopping" else corpus.DOCUMENTS
    if args.paragraphs:
        documents = {name: doc[: args.paragraphs] for name, doc in list(documents.items())[:2]}
    paragraphs = [p for doc in documents.values() for p in doc]
    n_sentences = sum(1 for p in paragraphs for s in split_stripped(join_lines(p), "pl") if s.core)
    packages = ensure_models(args)
    subprocess.run([PROJECT_PY, "-m", "compileall", "-q", ROOT / "pipeline"], check=True, capture_output=True,
                   env=sandbox_env("compile", args))
    if not args.skip_stock:
        ensure_stock_venv(args)
    ceiling = best_ceiling(args)

    beam4 = WORKSPACE / "beam4"       # every contender's beam
    default = WORKSPACE / "default"   # outreach's defaults (beam 2, threads from the cores)
    month = WORKSPACE / "month"
    write_workspace(beam4, documents, f"beam_size = {args.beam}\n")
    write_workspace(default, documents, "")
    month_docs = corpus.month_documents(days=3 if args.paragraphs else 30)
    write_workspace(month, month_docs, f"beam_size = {args.beam}\n")
    env = sandbox_env("outreach", args)

    def outreach(ws: Path, langs: str) -> list:
        return [OUTREACH, "run", "-C", ws, "--engine", "argos", "--to", langs, "-q", "--json"]

    contenders = []   # (key, label, argv or callable, prepare)
    if not args.skip_stock:
        contenders.append(("a_stock", "(a) stock argostranslate, translate() per paragraph",
                           lambda: this_script(STOCK_PY, "stock", {"paragraphs": paragraphs, "from": "pl", "to": "en",
                                                                   "output": str(OUT / "stock-output.json"),
                                                                   "cap": args.model == "limit"}),
                           sandbox_env("stock", args), None))
    contenders += [
        ("c_ceiling", f"(c) raw CTranslate2, one translate_batch ({ceiling['from']})",
         lambda: this_script(PROJECT_PY, "ceiling", {"package": str(packages["pl-en"]), "paragraphs": paragraphs,
                                                      "from": "pl", "beam_size": args.beam,
                                                      "output": str(OUT / "ceiling-output.json"), **ceiling}),
         sandbox_env("ceiling", args), None),
        ("b_outreach_en", f"(b) outreach run --to en, beam {args.beam}, cold", lambda: outreach(beam4, "en"), env,
         lambda: reset_outputs(beam4)),
        ("d_rerun_en", "(d) no-change re-run of (b)", lambda: outreach(beam4, "en"), env, None),
        ("e_default_en", "(e) outreach run --to en, default settings (beam 2), cold",
         lambda: outreach(default, "en"), env, lambda: reset_outputs(default)),
        ("x_nofallback_en", "(x) (b) with the placeholder fallback disabled (the ceiling's work)",
         lambda: this_script(PROJECT_PY, "outreach-nofallback", {"argv": [str(a) for a in outreach(beam4, "en")[1:]]}),
         env, lambda: reset_outputs(beam4)),
    ]
    if not args.no_pivot:
        contenders += [
            ("b_outreach_en_uk", f"(b) outreach run --to en,uk (uk via en), beam {args.beam}, cold",
             lambda: outreach(beam4, "en,uk"), env, lambda: reset_outputs(beam4)),
            ("d_rerun_en_uk", "(d) no-change re-run of (b) en,uk", lambda: outreach(beam4, "en,uk"), env, None),
        ]
    if not args.no_month:
        contenders.append(("m_month_en_uk", f"(m) month of announcements, --to en,uk, beam {args.beam}, cold",
                           lambda: outreach(month, "en,uk"), env, lambda: reset_outputs(month)))

    samples: dict[str, list[dict]] = {key: [] for key, *_ in contenders}
    for round_ in range(args.repeat):
        print(f"round {round_ + 1}/{args.repeat}", flush=True)
        for key, label, argv, child_env, prepare in contenders:
            if prepare:
                prepare()
            r = measure(f"{key}-{round_ + 1}", argv(), child_env)
            if key.startswith(("b_", "d_", "e_", "m_", "x_")):
                data = run_json(r)
                r["inference"] = data["inference"]
                r["drafts"] = sum(c["drafts"] for c in data["catalogues"])
                r["written"] = sum(c["written"] for c in data["catalogues"])
            samples[key].append(r)
            print(f"  {label}: {r['wall_s']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)

    runs = {key: {"label": label, **summarize(samples[key])} for key, label, *_ in contenders}
    runs["c_ceiling"].update(sentences=n_sentences, config=ceiling)
    if "a_stock" in runs:
        stock = json.loads((OUT / "stock-output.json").read_text(encoding="utf-8"))
        runs["a_stock"].update(translate_batch_calls=stock["translate_batch_calls"],
                               decoded_tokens=stock["decoded_tokens"], argos_settings=stock["settings"])

    def ratio(x: str, y: str) -> float | None:
        return runs[x]["wall_s"] / runs[y]["wall_s"] if x in runs and y in runs else None

    ratios = {
        "a_over_b": ratio("a_stock", "b_outreach_en"),
        "b_over_c": ratio("b_outreach_en", "c_ceiling"),
        "a_over_c": ratio("a_stock", "c_ceiling"),
        "a_over_e_default": ratio("a_stock", "e_default_en"),
        "cpu_b_over_c": runs["b_outreach_en"]["cpu_s"] / runs["c_ceiling"]["cpu_s"],
        "x_over_c": ratio("x_nofallback_en", "c_ceiling"),
    }
    verdict = {
        "b/c <= 1.05": ratios["b_over_c"] <= TARGETS["b_over_c_max"],
        "a/e >= 5": None if ratios["a_over_e_default"] is None else ratios["a_over_e_default"] >= 5.0,
        "e peak RSS <= 350 MB": runs["e_default_en"]["peak_rss_mb"] <= TARGETS["default_rss_max_mb"],
        "re-run <= 0.3 s": runs["d_rerun_en"]["wall_s"] <= TARGETS["rerun_max_s"],
    }
    profile = None
    if args.profile:
        reset_outputs(beam4)
        prof = OUT / "outreach-run.prof"
        r = measure("p-profile", [PROJECT_PY, "-m", "cProfile", "-o", prof, "-m", "pipeline", "run", "-C", beam4,
                                  "--engine", "argos", "--to", "en", "-q", "--json"], env)
        profile = {"wall_s_under_cprofile": r["wall_s"], **summarize_profile(prof), "file": str(prof)}
    load = os.getloadavg()
    results = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_end": load},
        "settings": {"model": args.model, "beam_size": args.beam, "repeat": args.repeat, "seed": args.seed},
        "corpus": {"paragraphs": len(paragraphs), "documents": len(documents), "sentences": n_sentences,
                   "month_documents": len(month_docs)},
        "runs": runs, "ratios": ratios, "targets": TARGETS, "verdict": verdict, "profile": profile,
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print_table(results)


PROFILE_GROUPS = [
    # (label, file substring, function name) -> cumulative seconds
    ("sources + segmentation + detection (runner.prepare)", "runner.py", "prepare"),
    ("  of which language detection", "detection.py", "detect_document"),
    ("catalogue merge", "catalog.py", "merge"),
    ("engine: model load incl. ctranslate2/sentencepiece import (_load)", "argos.py", "_load"),
    ("engine: translate_pair (all MT work)", "drafting.py", "translate_pair"),
    ("  _translate_sentences (both passes)", "argos.py", "_translate_sentences"),
    ("  CTranslate2 inference (waiting for the batches)", "argos.py", "_collect"),
    ("  SentencePiece encode", "sentencepiece", "ncode"),
    ("  protect", "protect.py", "protect"),
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
    return {"profiled_total_s": round(total, 3), "groups": groups}


def print_table(results: dict) -> None:
    rows = [("run", "wall s median (min–max)", "CPU s", "peak RSS MB", "model sentences (cached)")]
    for r in results["runs"].values():
        inf = r.get("inference") or {}
        model = f"{inf.get('sentences', '')} ({inf.get('sentences_cached', 0)})" if inf else ""
        rows.append((r["label"], f"{r['wall_s']:.2f} ({r['wall_min_s']:.2f}–{r['wall_max_s']:.2f})",
                     f"{r['cpu_s']:.1f}", f"{r['peak_rss_mb']:.0f}", model))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    ra = results["ratios"]
    fmt = lambda v: "n/a" if v is None else f"{v:.2f}×"  # noqa: E731
    print(f"\n(a)/(b) {fmt(ra['a_over_b'])}   (b)/(c) {fmt(ra['b_over_c'])} (CPU {fmt(ra['cpu_b_over_c'])}, "
          f"target ≤ 1.05×)   (x)/(c) {fmt(ra['x_over_c'])}   (a)/(c) {fmt(ra['a_over_c'])}   (a)/(e) {fmt(ra['a_over_e_default'])} (target ≥ 5×)")
    print("verdict:", json.dumps(results["verdict"]))
    load = results["machine"]["load_average_at_end"]
    print(f"load average at the end: {load[0]:.1f} on {results['machine']['cpus']} CPUs"
          + (" — a shared machine: compare ratios, not seconds" if load[0] > results["machine"]["cpus"] else ""))
    if results.get("profile"):
        p = results["profile"]
        print(f"\ncProfile of a fresh (b) run ({p['wall_s_under_cprofile']:.1f} s under the profiler):")
        for label, g in p["groups"].items():
            print(f"  {g['seconds']:8.2f} s  {label}  [{g['calls']} calls]")
    print(f"\nresults: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
