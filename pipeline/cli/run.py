"""``outreach run`` (sources → catalogues with drafts) and ``outreach detect`` (languages)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.models import models_dir_option
from pipeline.cli.options import (EngineChoice, StageProgress, emit_json, json_option, lock_options, quiet_option, say, shown,
                                  table, workspace_options)
from pipeline.config import Settings


@click.command()
@workspace_options
@lock_options
@click.option("--engine", type=EngineChoice(), default=None,
              help="Translation engine: auto (Argos models when installed), argos, libretranslate, none (empty drafts).")
@click.option("--url", metavar="URL", default=None,
              help="LibreTranslate server, e.g. http://host:5000 (implies --engine libretranslate; "
                   "setting libretranslate_url). The API key is read from $LIBRETRANSLATE_API_KEY.")
@click.option("--purge-obsolete", is_flag=True, help="Drop obsolete (#~) entries instead of keeping them.")
@click.option("--trust-memory", is_flag=True,
              help="Accept exact translation-memory matches as reviewed (not fuzzy).")
@models_dir_option
@quiet_option
@json_option
def run(settings: Settings, engine, url, purge_obsolete, trust_memory, models_dir, quiet, as_json):
    """Detect, segment and (machine-)translate source_texts/ into catalogues under locales/."""
    from pipeline import runner
    from pipeline import translate

    import dataclasses

    if url:
        engine = engine or "libretranslate"
        if engine != "libretranslate":
            raise click.UsageError("--url is only for --engine libretranslate")
        settings = dataclasses.replace(settings, libretranslate_url=url)
    if models_dir is not None:
        settings = dataclasses.replace(settings, models_dir=models_dir.expanduser().resolve())

    eng = translate.create_engine(settings, engine)
    _warn_missing_routes(settings, eng)
    progress = StageProgress(quiet=quiet)
    notify = None if quiet else progress.say
    try:
        report = runner.run(settings, eng, purge_obsolete=purge_obsolete, notify=notify, progress=progress,
                            trust_memory=trust_memory)
    finally:
        progress.finish()
        _cache_notes(getattr(eng, "cache", None) if eng.has_models else None)
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
                {"path": shown(settings, c.path), "language": c.language, "entries": c.entries,
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


def _cache_notes(cache) -> None:
    """Say when the translation cache could not be used: a re-run then translates everything again."""
    if cache is None:
        return
    if cache.recovered is not None:
        say(f"note: the translation cache was damaged; moved it to {cache.recovered} and started a new one")
    if cache.disabled:
        say(f"warning: translation cache disabled ({cache.disabled}); drafts were made, but an interrupted "
            f"run will not resume and the next run translates everything again")


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

@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@workspace_options
@quiet_option
@json_option
def detect(settings: Settings, paths, quiet, as_json):
    """Show the language of each document and the paragraphs in other languages."""
    from pipeline import runner
    from pipeline.documents import sources

    chosen = None
    if paths:
        chosen = []
        for path in paths:
            chosen += (sources.load_sources(path, settings.workspace) if path.is_dir()
                       else [sources.read_source(path, path.parent, settings.workspace)])
    progress = StageProgress(quiet=quiet)
    try:
        documents, skipped = runner.prepare(settings, progress, sources=chosen)
    finally:
        progress.finish()
    if as_json:
        emit_json({"documents": [_detect_json(d) for d in documents],
                   "skipped": [{"path": ref, "reason": reason} for ref, reason in skipped]})
        for ref, reason in skipped:
            say(f"warning: {ref}: skipped, {reason}")
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
