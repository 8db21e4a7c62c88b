"""The ``outreach`` command: parse options → call a stage → render the result.

Data goes to stdout (``--json`` for machines), progress and messages to
stderr. Exit codes: 0 success, 1 check failed, 2 bad usage or input,
130 interrupted.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from pipeline import __version__
from pipeline.config import ENGINES, Settings, load_settings
from pipeline.errors import OutreachError

EXIT_CHECK_FAILED = 1
EXIT_INTERRUPTED = 130


def say(message: str) -> None:
    click.echo(message, err=True)


def emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def table(rows: list[list[str]], headers: list[str], paint=None) -> str:
    """A left-aligned plain-text table (numbers right-aligned).

    ``paint(row, column, text)`` may colour a cell's text (row -1 is the
    header); the padding stays outside the colour codes, so they never disturb
    the alignment.
    """
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    numeric = [all(str(r[i]).replace(".", "").replace("%", "").isdigit() for r in rows) and rows for i in range(len(headers))]

    def line(row, index=0):
        cells = [str(c).rjust(w) if num else str(c).ljust(w) for c, w, num in zip(row, widths, numeric)]
        if paint is not None:
            cells = [c.replace(c.strip(), paint(index, i, c.strip()), 1) if c.strip() else c
                     for i, c in enumerate(cells)]
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers, -1), *(line(r, i) for i, r in enumerate(rows))])


# ---------------------------------------------------------------- shared options

def workspace_options(func):
    """``-C DIR``, ``--from``, ``--to``: where the workspace is and which languages."""

    @click.option("-C", "--directory", "workspace", type=click.Path(file_okay=False, path_type=Path),
                  help="Workspace folder (default: the current one).")
    @click.option("--from", "source_language", metavar="LANG", help="Source language (default: pl).")
    @click.option("--to", "target_languages", metavar="LANGS", help="Target languages, comma-separated (default: en,uk).")
    @functools.wraps(func)
    def wrapper(workspace, source_language, target_languages, **kwargs):
        if workspace is not None and not workspace.is_dir():
            raise OutreachError("workspace folder not found", path=workspace)
        settings = load_settings(workspace, source_language=source_language, target_languages=target_languages)
        try:
            return func(settings=settings, **kwargs)
        except OutreachError as exc:
            # Name files as the user knows them: relative to the workspace.
            if exc.path and Path(exc.path).is_absolute():
                exc.path = _shown(settings, Path(exc.path))
            raise

    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")


def lock_options(func):
    """``--no-wait`` / ``--wait-timeout``: hold the workspace lock (``.outreach/lock``) while ``func`` runs.

    Goes below :func:`workspace_options`. Under the lock, temporary files that a
    killed run left in ``locales/`` and ``build/`` are removed first.
    """

    @click.option("--no-wait", is_flag=True,
                  help="Fail (exit 2) instead of waiting when another run holds the workspace.")
    @click.option("--wait-timeout", type=click.FloatRange(0), default=None, metavar="SECONDS",
                  help="Wait at most this long for another run to finish (default: as long as it takes).")
    @functools.wraps(func)
    def wrapper(settings: Settings, no_wait, wait_timeout, **kwargs):
        from pipeline import fsutil, lock

        with lock.acquire(settings.cache_dir, wait=not no_wait, timeout=wait_timeout, waiting=say) as held:
            if held.note:
                say(f"note: {held.note}")
            if held.held:
                for folder in (settings.locales_dir, settings.build_dir):
                    fsutil.remove_stale_temp_files(folder)
            return func(settings=settings, **kwargs)

    return wrapper


class _Interrupted(Exception):
    """Ctrl-C, carried past click (which would print an empty line of its own)."""


class OutreachGroup(click.Group):
    """Turns our errors into one line and an exit code, Ctrl-C into exit 130."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            say("interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except (KeyboardInterrupt, _Interrupted):
            say(("\n" if sys.stderr.isatty() else "") + "interrupted")  # after the terminal's "^C"
            sys.exit(EXIT_INTERRUPTED)
        except OutreachError as exc:
            say(f"error: {exc}")
            sys.exit(exc.exit_code)
        sys.exit(rv or 0)


@click.group(name="outreach", cls=OutreachGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="outreach")
def cli():
    """Translate announcements offline and review them as gettext catalogues.

    \b
    outreach run       source_texts/ → locales/ (catalogues with machine drafts)
    outreach detect    which language is each document and paragraph
    outreach status    how far review has come, per document and language
    outreach check     the CI gate: exit 1 until everything is reviewed
    outreach report    an HTML page for reviewers: every entry's state
    outreach badge     SVG completeness badges per language
    outreach build     reviewed catalogues → build/<lang>/ texts
    outreach models    list, install (pair or .argosmodel file), remove models
    outreach memory    translation memory: export/import TMX
    """


# ---------------------------------------------------------------- run

@cli.command()
@workspace_options
@lock_options
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="Translation engine: auto (Argos models when installed), argos, libretranslate, none (empty drafts).")
@click.option("--url", metavar="URL", default=None,
              help="LibreTranslate server, e.g. http://host:5000 (implies --engine libretranslate; "
                   "setting libretranslate_url). The API key is read from $LIBRETRANSLATE_API_KEY.")
@click.option("--purge-obsolete", is_flag=True, help="Drop obsolete (#~) entries instead of keeping them.")
@click.option("--trust-memory", is_flag=True,
              help="Accept exact translation-memory matches as reviewed (not fuzzy).")
@quiet_option
@json_option
def run(settings: Settings, engine, url, purge_obsolete, trust_memory, quiet, as_json):
    """Detect, segment and (machine-)translate source_texts/ into catalogues under locales/."""
    from pipeline import runner
    from pipeline.translate import engines

    if url:
        engine = engine or "libretranslate"
        if engine != "libretranslate":
            raise click.UsageError("--url is only for --engine libretranslate")
        import dataclasses

        settings = dataclasses.replace(settings, libretranslate_url=url)

    notify = None if quiet else say
    interactive = not quiet and sys.stderr.isatty()
    eng = engines.create_engine(engine or settings.engine, settings)
    _warn_missing_routes(settings, eng)
    bar = _ProgressBar("translating") if interactive else None
    try:
        report = runner.run(settings, eng, purge_obsolete=purge_obsolete, notify=notify,
                            progress=say if interactive else None, mt_progress=bar, trust_memory=trust_memory)
    finally:
        if bar:
            bar.finish()
        eng.close()
    for ref, reason in report.skipped:
        say(f"warning: {ref}: skipped, {reason}")
    if not report.documents and not quiet:
        say(f"no texts found in {settings.sources_dir}")
    if as_json:
        emit_json({
            "engine": report.engine,
            "inference": dict(report.inference),
            "documents": [_detect_json(d) for d in report.documents],
            "catalogues": [
                {"path": _shown(settings, c.path), "language": c.language, "entries": c.entries,
                 "drafts": c.drafts, "copied": c.copied, "memory": c.memory, "written": c.written}
                for c in report.catalogs
            ],
            "skipped": [{"path": ref, "reason": reason} for ref, reason in report.skipped],
        })
    if not quiet:
        changed = report.written
        say(f"{len(report.documents)} documents, {sum(1 for c in report.catalogs if c.language is None)} templates, "
            f"{sum(1 for c in report.catalogs if c.language)} catalogues: {changed} written, "
            f"{len(report.catalogs) - changed} unchanged; {report.drafts} machine drafts"
            + (f", {report.memory} from translation memory" if report.memory else "") + _inference_note(report))
    if not report.has_models and report.engine != "none" and not quiet and report.untranslated:
        say("note: no translation models installed, so translations were left empty for reviewers. "
            "Install models with 'outreach models install pl-en en-uk' (or a .argosmodel file), then run again.")


class _ProgressBar:
    """A click progress bar on stderr that appears with the first report of work."""

    def __init__(self, label: str):
        self.label, self.bar = label, None

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.bar is None or self.bar.length != total:
            self.finish()
            self.bar = click.progressbar(length=total, label=self.label, file=click.get_text_stream("stderr"))
        self.bar.update(min(done, total) - self.bar.pos)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None


def _warn_missing_routes(settings: Settings, eng) -> None:
    """Installed models that cannot serve a target language (a model for the wrong pair) are worth a line."""
    if eng.name != "argos" or not eng.has_models:
        return
    have = ", ".join(f"{leg.source}-{leg.target}" for leg in eng.legs())
    for lang in settings.target_languages:
        if eng.route(settings.source_language, lang) is None:
            say(f"warning: no installed model translates {settings.source_language}→{lang} (installed: {have}); "
                f"its entries stay empty for reviewers")


def _inference_note(report) -> str:
    stats = dict(report.inference)
    if not stats or not report.has_models:
        return ""
    return f" ({stats.get('sentences', 0)} sentences through the model, {stats.get('cached', 0)} texts from the cache)"


# ---------------------------------------------------------------- detect

@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@workspace_options
@json_option
def detect(settings: Settings, paths, as_json):
    """Show the language of each document and the paragraphs in other languages."""
    from pipeline import runner
    from pipeline.documents import detection
    from pipeline.documents import segmentation
    from pipeline.documents import sources

    if not paths:
        documents, skipped = runner.prepare(settings)
    else:
        detector = detection.Detector(settings.detect_languages)
        documents, skipped = [], []
        for path in paths:
            found = sources.load_sources(path, settings.workspace) if path.is_dir() else [
                sources.read_source(path, path.parent, settings.workspace)]
            for src in found:
                seg = segmentation.segment_text(src.text, src.format)
                if not seg.segments:
                    skipped.append((src.ref, "no text (empty file)"))
                    continue
                lang = detector.detect_document([s.text for s in seg.segments], [s.line for s in seg.segments],
                                                default=settings.source_language)
                documents.append(runner.PreparedDocument(src, seg, lang))
    if as_json:
        emit_json([_detect_json(d) for d in documents])
        return
    rows = []
    for d in documents:
        other = "; ".join(f"line {s.line}: {s.lang} ({s.probability:.2f})" for s in d.language.foreign) or "-"
        rows.append([d.source.ref, d.language.lang, f"{d.language.probability:.2f}", str(len(d.segmented.segments)), other])
    if rows:
        click.echo(table(rows, ["DOCUMENT", "LANG", "CONF", "SEGMENTS", "OTHER LANGUAGES"]))
    for ref, reason in skipped:
        say(f"warning: {ref}: skipped, {reason}")


def _detect_json(d) -> dict:
    return {
        "path": d.source.ref,
        "encoding": d.source.encoding,
        "language": d.language.lang,
        "probability": d.language.probability,
        "segments": [
            {"line": s.line, "language": s.lang, "probability": s.probability, "inherited": s.inherited,
             "text": seg.text}
            for s, seg in zip(d.language.segments, d.segmented.segments)
        ],
    }


def _shown(settings: Settings, path: Path) -> str:
    from pipeline.review.status import display_path

    return display_path(settings, path)


# ---------------------------------------------------------------- status / check

@cli.command()
@workspace_options
@json_option
def status(settings: Settings, as_json):
    """Entries, translated, fuzzy and untranslated per document and language, and QA problems."""
    from pipeline.review import status as checks

    st = checks.collect(settings, qa=True)
    if as_json:
        emit_json({"catalogues": [_status_json(c) for c in st.catalogs], "total": _status_json(st.totals())})
        return
    rows = [_status_row(c) for c in st.catalogs]
    rows.append(_status_row(st.totals()))
    click.echo(table(rows, ["DOCUMENT", "LANG", "ENTRIES", "TRANSLATED", "FUZZY", "UNTRANSLATED", "COMPLETE", "QA", "STATE"],
                     paint=_status_paint(rows)))


_STATE_COLOURS = {"ok": "green", "stale": "red", "missing": "red", "orphan": "yellow"}


def _status_paint(rows):
    """Colours for the status table, or None when NO_COLOR is set (https://no-color.org).

    click.echo drops the colours by itself when stdout is not a terminal.
    """
    if os.environ.get("NO_COLOR"):
        return None

    def paint(row: int, column: int, value: str) -> str:
        if row < 0 or row == len(rows) - 1:
            return click.style(value, bold=True)
        if column == len(rows[row]) - 1 and value in _STATE_COLOURS:
            return click.style(value, fg=_STATE_COLOURS[value])
        if value.endswith("%"):
            return click.style(value, fg="green" if value == "100.0%" else "yellow")
        return value

    return paint


def _state(c) -> str:
    if c.doc_id == "total":
        return "stale" if c.stale else ""
    if not c.exists:
        return "missing"
    if c.source is None:
        return "orphan"
    return "stale" if c.stale else "ok"


def _status_row(c) -> list[str]:
    return [c.doc_id, c.language, str(c.entries), str(c.translated), str(c.fuzzy), str(c.untranslated),
            f"{c.percent:.1f}%", _qa_cell(c), _state(c)]


def _qa_cell(c) -> str:
    """QA errors and warnings, e.g. "2E 1W"; "-" when none; "" when not checked."""
    if c.qa_errors is None:
        return ""
    cell = " ".join(f"{n}{mark}" for n, mark in ((c.qa_errors, "E"), (c.qa_warnings, "W")) if n)
    return cell or "-"


def _status_json(c) -> dict:
    return {"document": c.doc_id, "language": c.language, "path": c.path, "entries": c.entries,
            "translated": c.translated, "fuzzy": c.fuzzy, "untranslated": c.untranslated,
            "obsolete": c.obsolete, "percent": c.percent, "state": _state(c) or None,
            **({"qa": {"errors": c.qa_errors, "warnings": c.qa_warnings}} if c.qa_errors is not None else {})}


@cli.command()
@workspace_options
@click.option("--min-complete", type=click.FloatRange(0, 100), default=100.0, show_default=True, metavar="PCT",
              help="Percentage of reviewed entries each catalogue needs.")
@click.option("--allow-fuzzy", is_flag=True, help="Do not fail on fuzzy (draft) entries.")
@click.option("--qa", "run_qa", is_flag=True,
              help="Also run the quality checks (numbers, URLs, markup, language, glossary, ...) on every translation.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default=None,
              help="Findings as text lines (default), JSON (same as --json) or JUnit XML for CI.")
@json_option
def check(settings: Settings, min_complete, allow_fuzzy, as_json, fmt, run_qa):
    """CI gate: exit 1 unless every catalogue is complete, reviewed and up to date."""
    from pipeline.review import status as checks

    st = checks.collect(settings, qa=run_qa)
    findings = checks.check(settings, st, min_complete=min_complete, allow_fuzzy=allow_fuzzy)
    errors = [f for f in findings if f.severity == "error"]
    failing = sorted({f.path for f in errors})
    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json and --format {fmt} contradict each other")
    if fmt == "junit":
        from pipeline.review.junit import render_junit

        click.echo(render_junit(st.catalogs, findings), nl=False)
    elif as_json or fmt == "json":
        emit_json({
            "ok": not errors,
            "catalogues": [_status_json(c) for c in st.catalogs],
            "findings": [{"path": f.path, "line": f.line, "code": f.code, "message": f.message,
                          "severity": f.severity} for f in findings],
        })
    else:
        for f in findings:
            click.echo(str(f) if f.severity == "error" else f"{f.path}:{f.line}: warning: {f.code}: {f.message}")
    if errors:
        say(f"check failed: {len(failing)} of {len(st.catalogs)} catalogues need work ({len(errors)} problems)")
        sys.exit(EXIT_CHECK_FAILED)
    say(f"check passed: {len(st.catalogs)} catalogues complete")


# ---------------------------------------------------------------- build

@cli.command()
@workspace_options
@lock_options
@click.option("--strict", is_flag=True, help="Fail (exit 1, nothing written) when a segment is not reviewed.")
@quiet_option
def build(settings: Settings, strict, quiet):
    """Rebuild translated texts from reviewed catalogues into build/<lang>/."""
    from pipeline.review import build as building

    result = building.build(settings)
    for f in result.findings:
        say(f"{f.path}:{f.line}: {'error' if strict else 'warning'}: {f.code}: {f.message}")
    if strict and result.findings:
        say(f"build failed: {len(result.findings)} segments not reviewed; nothing written")
        sys.exit(EXIT_CHECK_FAILED)
    building.write(result)
    for built in result.texts:
        click.echo(_shown(settings, built.path))
    if not quiet:
        fallbacks = sum(b.fallbacks for b in result.texts)
        say(f"built {len(result.texts)} texts" + (f"; {fallbacks} segments fell back to the source" if fallbacks else ""))


from pipeline.cli import models as cli_models  # noqa: E402,F401  (registers `outreach models`)
from pipeline.cli import memory as cli_memory  # noqa: E402,F401  (registers `outreach memory`)
from pipeline.cli import report as cli_report  # noqa: E402,F401  (registers `outreach report` and `outreach badge`)


def main() -> None:
    cli(prog_name="outreach")
