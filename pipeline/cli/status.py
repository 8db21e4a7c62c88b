"""``outreach status`` (a table of completeness) and ``outreach check`` (the CI gate)."""

from __future__ import annotations

import functools
import os
import sys

import click

from pipeline.cli.options import EXIT_CHECK_FAILED, emit_json, json_option, say, table, workspace_options
from pipeline.config import Settings
from pipeline.errors import OutreachError


@click.command()
@workspace_options
@json_option
@click.option("--qa", "full_qa", is_flag=True,
              help="Run every quality check, the language check too (slow on big catalogues).")
def status(settings: Settings, as_json, full_qa):
    """Entries, translated, fuzzy and untranslated per document and language, and QA problems.

    The QA column leaves out the language check unless --qa is given (it costs more than
    everything else together); 'outreach check --qa' always runs it.
    """
    from pipeline.review import status as checks

    st = checks.collect(settings, qa=True, detect_language=full_qa)
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


def _junit_on_error(func):
    """``check --format junit`` that cannot run (exit 2: bad settings, unreadable catalogue) still
    writes a JUnit file, with one failing test case saying why: CI never reads an empty file."""

    @functools.wraps(func)
    def wrapper(**kwargs):
        try:
            return func(**kwargs)
        except OutreachError as exc:
            if kwargs.get("fmt") == "junit":
                from pipeline.review.junit import render_error

                click.echo(render_error(exc.message, exc.path, exc.line), nl=False)
            raise

    return wrapper


@click.command()
@_junit_on_error
@workspace_options
@click.option("--min-complete", type=click.FloatRange(0, 100), default=100.0, show_default=True, metavar="PCT",
              help="Percentage of reviewed entries each catalogue needs.")
@click.option("--allow-fuzzy", is_flag=True, help="Do not fail on fuzzy (draft) entries.")
@click.option("--qa", "run_qa", is_flag=True,
              help="Also run the quality checks (numbers, URLs, markup, language, glossary, ...) on every translation.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default=None,
              help="Findings as text lines (default), JSON (same as --json) or JUnit XML for CI.")
@click.option("--junit-locations", is_flag=True,
              help="With --format junit: file and line attributes on each test case (read by "
                   "mikepenz/action-junit-report to annotate files; not in the common JUnit XSD).")
@json_option
def check(settings: Settings, min_complete, allow_fuzzy, as_json, fmt, run_qa, junit_locations):
    """CI gate: exit 1 unless every catalogue is complete, reviewed and up to date."""
    from pipeline.review import status as checks

    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json and --format {fmt} contradict each other")
    if junit_locations and fmt != "junit":
        raise click.UsageError("--junit-locations is only for --format junit")
    st = checks.collect(settings, qa=run_qa)
    findings = checks.check(settings, st, min_complete=min_complete, allow_fuzzy=allow_fuzzy)
    errors = [f for f in findings if f.severity == "error"]
    failing = sorted({f.path for f in errors})
    if fmt == "junit":
        from pipeline.review.junit import render_junit

        click.echo(render_junit(st.catalogs, findings, locations=junit_locations), nl=False)
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
