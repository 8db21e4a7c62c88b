#!/usr/bin/env python3
"""Start-up time of the quick commands, as whole processes: ``--help``, ``status``, ``check``
and the no-change re-run of ``run``.

    .venv/bin/python bench/startup.py               # 7 rounds
    .venv/bin/python bench/startup.py --repeat 11 --against /path/to/other/checkout

Each measured run is a fresh ``.venv/bin/outreach`` process (the console script a user
runs); wall time is taken around ``Popen`` → ``os.wait4`` and CPU time (user + sys) is
that child's own ``rusage``. Rounds run every case once, one after the other, so load
from other processes spreads over all of them; each figure is the median of the rounds
with min and max. One more run of each case under ``python -X importtime`` gives the
time spent importing (the sum of the top-level imports' cumulative times).

Workspaces:

- *sample*: this checkout itself (``source_texts/`` + ``locales/``), read only;
- *corpus*: the benchmark corpus (``../shared/bench/corpus_pl.txt``, 62 paragraphs in 6
  documents as ``run_bench.py`` lays it out) under ``bench/out/startup/ws``, with a tiny
  real pl→en and en→uk Argos package (``make_argos_model.py --size tiny``) installed, so
  the run-state key holds real model versions. One full ``run`` is made first; the
  measured ``run`` is the no-change re-run answered by ``pipeline/runstate.py``.

``--against CHECKOUT`` times another checkout's ``.venv/bin/outreach`` in the same rounds
(for before/after figures on the same machine at the same time); its corpus workspace is a
copy with its own run state.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out" / "startup"
MODELS_SRC = BENCH / "out" / "models-tiny"
TARGET_S = 0.3

#: (key, label, argv after ``outreach``, workspace: "sample", "corpus", None; or "python": argv of the
#: venv's python, the floor every command stands on)
CASES = [
    ("python", "python -c pass (interpreter + site)", ["-c", "pass"], "python"),
    ("click", "python -c 'import click'", ["-c", "import click"], "python"),
    ("help", "outreach --help", ["--help"], None),
    ("status-sample", "status, sample workspace", ["status"], "sample"),
    ("check-sample", "check, sample workspace", ["check"], "sample"),
    ("status-corpus", "status, corpus workspace", ["status"], "corpus"),
    ("check-corpus", "check, corpus workspace", ["check"], "corpus"),
    ("run-corpus", "run, no change, corpus workspace", ["run", "-q"], "corpus"),
]


def sandbox_env() -> dict[str, str]:
    """Own HOME/XDG folders under bench/out, the tiny models, bytecode caching as a user has it."""
    base = OUT / "sandbox"
    dirs = {"HOME": base / "home", "XDG_DATA_HOME": base / "data", "XDG_CACHE_HOME": base / "cache",
            "XDG_CONFIG_HOME": base / "config"}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ARGOS_", "XDG_", "PYTHON")) and k not in ("NO_COLOR",)}
    env.update({k: str(v) for k, v in dirs.items()})
    env.update({"ARGOS_PACKAGES_DIR": str(OUT / "models"), "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/"})
    return env


def measure(argv: list, env: dict[str, str], cwd: Path | None = None) -> dict:
    """One child: wall time, CPU time (user+sys) and peak RSS; exit 0 and 1 (check failed) are fine."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(a) for a in argv], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.stderr.read() if proc.stderr else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, argv))} failed (exit {code}):\n{err.decode(errors='replace')[-3000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "stderr": err.decode(errors="replace")}


def import_seconds(checkout: Path, argv: list, env: dict[str, str], runs: int = 3, *,
                   script: bool = True) -> tuple[float, list[str]]:
    """Seconds importing (the sum of the top-level imports' cumulative times under ``-X importtime``,
    median of ``runs``) and the :data:`HEAVY` modules that were imported. ``argv``: the console
    script's arguments (``script``), else python's."""
    bin_dir = checkout / ".venv" / "bin"
    totals, heavy = [], set()
    for _ in range(runs):
        result = measure([bin_dir / "python", "-X", "importtime", *([bin_dir / "outreach"] if script else []), *argv],
                         env, cwd=checkout)
        total = 0
        for line in result["stderr"].splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if not m:
                continue
            if len(m.group(3)) == 1:   # no indentation after "| ": a top-level import
                total += int(m.group(2))
            heavy.update(h for h in HEAVY if m.group(4) == h or m.group(4).startswith(h + "."))
        totals.append(total / 1e6)
    return statistics.median(totals), sorted(heavy)


#: What the quick commands should not need (the MT stack, HTTP, the web app, parsers of
#: formats the workspace does not have, language detection); reported when imported.
HEAVY = ("ctranslate2", "sentencepiece", "argostranslate", "numpy", "urllib.request", "http.client", "jinja2",
         "flask", "werkzeug", "lxml", "markdown_it", "langdetect", "polib", "sqlite3", "pipeline.documents.detection")


def shared_bench() -> Path:
    sys.path.insert(0, str(BENCH))
    from corpus import require_shared_bench

    return require_shared_bench('')


def ensure_models(python: Path, outreach: Path, env: dict[str, str]) -> None:
    """Build the tiny pl→en and en→uk packages once, install them into bench/out/startup/models."""
    shared = shared_bench()
    archives = {}
    for i, (a, b) in enumerate((("pl", "en"), ("en", "uk"))):
        archive = MODELS_SRC / f"translate-{a}_{b}.argosmodel"
        if not archive.is_file():
            MODELS_SRC.mkdir(parents=True, exist_ok=True)
            subprocess.run([python, shared / "make_argos_model.py", "--size", "tiny", "--from", a, "--to", b,
                            "--seed", str(1234 + i), "--out", archive, "--no-verify"], cwd=shared, env=env,
                           check=True, capture_output=True)
        archives[f"{a}-{b}"] = archive
    shutil.rmtree(OUT / "models", ignore_errors=True)
    (OUT / "models").mkdir(parents=True)
    subprocess.run([outreach, "models", "install", *archives.values(), "--models-dir", OUT / "models"],
                   env=env, check=True, capture_output=True)


def write_corpus_workspace(path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    import corpus

    shutil.rmtree(path, ignore_errors=True)
    (path / "source_texts").mkdir(parents=True)
    for name, paragraphs in corpus.acceptance_documents().items():
        (path / "source_texts" / f"{name}.txt").write_text(corpus.document_text(paragraphs), encoding="utf-8")
    (path / "pyproject.toml").write_text(
        '[tool.outreach]\nsource_language = "pl"\ntarget_languages = ["en", "uk"]\nengine = "argos"\n'
        f'device = "cpu"\nmodels_dir = "{OUT / "models"}"\n', encoding="utf-8")


def prepare_run_state(outreach: Path, ws: Path, env: dict[str, str]) -> None:
    """A full run, then a check that the next one is the no-change re-run (nothing written)."""
    subprocess.run([outreach, "run", "-C", ws, "-q"], env=env, check=True, capture_output=True)
    again = subprocess.run([outreach, "run", "-C", ws, "-q", "--json"], env=env, check=True, capture_output=True)
    report = json.loads(again.stdout)
    if any(c["written"] for c in report["catalogues"]) or report["engine"] != "argos":
        raise SystemExit(f"the second run of {ws} was not a no-change run: {again.stdout[:500]!r}")
    if not (ws / ".outreach" / "run-state.json").is_file():
        raise SystemExit(f"no run state in {ws}")


def command(checkout: Path, argv: list, where: str | None, workspaces: dict[str, Path]) -> list:
    """The child's argv: the checkout's console script (with ``-C`` a workspace) or its python."""
    bin_dir = checkout / ".venv" / "bin"
    if where == "python":
        return [bin_dir / "python", *argv]
    return [bin_dir / "outreach", *argv, *(["-C", workspaces[where]] if where else [])]


def summarize(samples: list[dict]) -> dict:
    walls = [s["wall_s"] for s in samples]
    cpus = [s["cpu_s"] for s in samples]
    return {"wall_s": statistics.median(walls), "wall_min_s": min(walls), "wall_max_s": max(walls),
            "cpu_s": statistics.median(cpus), "cpu_min_s": min(cpus), "cpu_max_s": max(cpus),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in samples), "runs": len(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="rounds; every figure is the median (default 7, at least 5)")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="also time CHECKOUT/.venv/bin/outreach (e.g. a worktree of main) in the same rounds")
    args = parser.parse_args()
    if args.repeat < 5:
        parser.error("--repeat must be at least 5")

    env = sandbox_env()
    checkouts = {"this": ROOT}
    if args.against is not None:
        checkouts["against"] = args.against.resolve()
    python = ROOT / ".venv" / "bin" / "python"
    ensure_models(python, ROOT / ".venv" / "bin" / "outreach", env)
    workspaces: dict[str, dict[str, Path]] = {}
    for tag, checkout in checkouts.items():
        outreach = checkout / ".venv" / "bin" / "outreach"
        if not outreach.is_file():
            raise SystemExit(f"no {outreach}: run 'make .venv/.installed' there")
        subprocess.run([checkout / ".venv" / "bin" / "python", "-m", "compileall", "-q", checkout / "pipeline"],
                       check=True, capture_output=True, env=env)
        ws = OUT / f"ws-{tag}"
        write_corpus_workspace(ws)
        prepare_run_state(outreach, ws, env)
        workspaces[tag] = {"sample": checkout, "corpus": ws}

    samples: dict[tuple[str, str], list[dict]] = {}
    for round_ in range(args.repeat):
        for key, _label, argv, where in CASES:
            for tag, checkout in checkouts.items():
                samples.setdefault((tag, key), []).append(measure(command(checkout, argv, where, workspaces[tag]), env))
        print(f"round {round_ + 1}/{args.repeat} done", file=sys.stderr, flush=True)

    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M"), "repeat": args.repeat, "cores": os.cpu_count(),
                     "load_average": os.getloadavg(), "checkouts": {t: str(c) for t, c in checkouts.items()},
                     "cases": {}}
    for key, label, argv, where in CASES:
        for tag, checkout in checkouts.items():
            imp, heavy = (import_seconds(checkout, command(checkout, argv, where, workspaces[tag])[1:], env,
                                         script=where != "python"))
            results["cases"][f"{tag}:{key}"] = {"label": label, **summarize(samples[(tag, key)]),
                                                "import_s": imp, "heavy_imports": heavy}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print_table(results, checkouts)


def print_table(results: dict, checkouts: dict) -> None:
    la = ", ".join(f"{x:.1f}" for x in results["load_average"])
    print(f"\n{results['date']}, {results['cores']} cores, load average {la} at the end, "
          f"median (min–max) of {results['repeat']} rounds\n")
    print("| case | checkout | wall s | CPU s | imports s | peak RSS MB | heavy modules imported |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for key, label, _argv, _where in CASES:
        for tag in checkouts:
            r = results["cases"][f"{tag}:{key}"]
            print(f"| {label} | {tag} | {r['wall_s']:.3f} ({r['wall_min_s']:.3f}–{r['wall_max_s']:.3f}) "
                  f"| {r['cpu_s']:.3f} ({r['cpu_min_s']:.3f}–{r['cpu_max_s']:.3f}) | {r['import_s']:.3f} "
                  f"| {r['peak_rss_mb']:.0f} | {', '.join(r['heavy_imports']) or '-'} |")
    print(f"\ntarget: status, check and the no-change run < {TARGET_S} s wall; results in {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
