"""``outreach check --format junit``: the gate's result as JUnit XML, so CI shows failures natively.

One ``<testsuite>`` per run. One ``<testcase classname="outreach.check">`` per
catalogue (named by its path), failing with every error finding of that
catalogue; warnings go to the test case's ``<system-out>``. QA findings
(codes starting with ``qa-``, from ``check --qa``) get one test case each
under ``classname="outreach.qa"`` (errors fail, warnings pass with output).
A finding about a file that is not a catalogue (a settings or glossary file)
gets a test case of its own, so nothing is lost.

The output validates against the common JUnit XSD (testcase attributes
``name``, ``classname``, ``time`` only): where an entry is stays in the test
case's name and in each failure line (``path:line: code: message``). With
``locations=True`` test cases also carry ``file`` and ``line`` attributes,
which mikepenz/action-junit-report reads to annotate the right file (the
shipped GitHub workflow asks for them; the XSD does not allow them).
When ``check`` cannot run at all (exit 2), :func:`render_error` writes one
failing test case saying why, so CI never reads an empty file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Iterable, Sequence

from pipeline.review.findings import Finding
from pipeline.review.status import CatalogStatus

SUITE = "outreach check"
QA_PREFIX = "qa-"


#: Characters XML 1.0 cannot carry at all (even escaped).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """``text`` with characters XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def is_qa(finding: Finding) -> bool:
    return finding.code.startswith(QA_PREFIX)


def _line(f: Finding) -> str:
    kind = "" if f.severity == "error" else f"{f.severity}: "
    return clean(f"{f.path}:{f.line}: {kind}{f.code}: {f.message}")


def _case(suite: ET.Element, classname: str, name: str, findings: Sequence[Finding], *, file: str | None = None,
          line: int | None = None, locations: bool = False) -> bool:
    """Append a test case; returns True when it fails."""
    case = ET.SubElement(suite, "testcase", classname=classname, name=clean(name), time="0")
    if locations and file:
        case.set("file", clean(file))
    if locations and line:
        case.set("line", str(line))
    errors = [f for f in findings if f.severity == "error"]
    others = [f for f in findings if f.severity != "error"]
    if errors:
        codes = sorted({f.code for f in errors})
        message = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}: {', '.join(codes)}"
        if len(errors) == 1:
            message = _line(errors[0])
        failure = ET.SubElement(case, "failure", message=message, type=codes[0] if len(codes) == 1 else "check")
        failure.text = "\n".join(_line(f) for f in errors) + "\n"
    if others:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(_line(f) for f in others) + "\n"
    return bool(errors)


def render_junit(catalogs: Iterable[CatalogStatus], findings: Iterable[Finding], *, locations: bool = False) -> str:
    """The JUnit XML document (UTF-8, with declaration) for one ``check`` run;
    ``locations``: ``file``/``line`` attributes on test cases too (see the module doc)."""
    catalogs, findings = list(catalogs), list(findings)
    suite = ET.Element("testsuite", name=SUITE)
    paths = [c.path for c in catalogs]
    per_path: dict[str, list[Finding]] = {p: [] for p in paths}
    qa: list[Finding] = []
    for f in findings:
        if is_qa(f):
            qa.append(f)
        else:
            per_path.setdefault(f.path, []).append(f)
    failures = tests = 0
    for path, found in per_path.items():
        tests += 1
        failures += _case(suite, "outreach.check", path, found, file=path, locations=locations)
    for f in qa:
        tests += 1
        failures += _case(suite, "outreach.qa", f"{f.path}:{f.line}: {f.code}", [f], file=f.path, line=f.line,
                          locations=locations)
    return _document(suite, tests, failures)


def render_error(message: str, path: str | None = None, line: int | None = None) -> str:
    """A JUnit document with one failing test case: ``check`` could not run (bad input or usage)."""
    suite = ET.Element("testsuite", name=SUITE)
    _case(suite, "outreach.check", "outreach check could not run",
          [Finding(path or "outreach", line or 1, "could-not-run", message)])
    return _document(suite, 1, 1)


def _document(suite: ET.Element, tests: int, failures: int) -> str:
    for name, value in (("tests", tests), ("failures", failures), ("errors", 0), ("skipped", 0), ("time", "0")):
        suite.set(name, str(value))
    suites = ET.Element("testsuites", name="outreach", tests=str(tests), failures=str(failures), errors="0", time="0")
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
