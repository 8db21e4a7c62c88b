"""Quality checks on translations: what a reviewer (or a model) may have broken.

Each check is a plain function ``(entry, context) -> iterable of Problem``
(the Babel checker style); :func:`run_checks` runs :data:`CHECKS` over every
entry that has a ``msgstr`` — reviewed entries and drafts alike, obsolete ones
skipped — and returns :class:`pipeline.review.status.Finding`\\ s
(``catalogue:line: code: message``). Errors fail ``outreach check --qa``,
warnings do not.

The non-translatables are found with the patterns of :mod:`pipeline.text.protect`,
so QA expects exactly what machine translation keeps verbatim.

Numbers: the digit runs of source and translation must be the same multiset
(ignoring leading zeros), so separators may change — ``10.00`` may become
``10:00``, ``12.05.2024`` may become ``12/05/2024`` and ``1 000`` may become
``1,000`` (or ``1000``: numbers are also compared with their separators
removed) and a whole hour may drop its minutes (``10:00`` → ``10 a.m.``) — but a
changed, dropped or added digit is an error. Digits inside
URLs, e-mail addresses, phone numbers, link targets and inline code are left to
those checks. A phone number may gain a country code (``+48``); otherwise its
digits must stay the same.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

from pipeline.catalogs import catalog
from pipeline.config import LANGUAGE
from pipeline.documents import formats
from pipeline.text import protect
from pipeline.catalogs.catalog import Catalog, Entry
from pipeline.review.findings import Finding
from pipeline.documents.detection import MIN_FOREIGN_PROBABILITY, MIN_LETTERS, Detector, clean_text, long_enough_to_judge
from pipeline.catalogs.glossary import EMPTY, Glossary, searchable, term_pattern

ERROR, WARNING = "error", "warning"

#: Expected letter-count ratio translation/source per language pair (rough norms).
LENGTH_NORMS = {("pl", "en"): 0.9, ("pl", "uk"): 1.0, ("pl", "ru"): 1.0, ("pl", "de"): 1.1,
                ("en", "uk"): 1.1, ("en", "pl"): 1.1, ("uk", "en"): 0.9, ("uk", "pl"): 1.0}
LENGTH_BOUNDS = (0.5, 2.0)   # warn outside norm × these
FINAL_PUNCTUATION = ".!?:;…"
_CLOSERS = "*_)]}\"'»”’`"
_LANGUAGE_NOTE = re.compile(rf"^language: ({LANGUAGE}) ")
_DIGIT_RUN = re.compile(r"\d+")
_NUMBER_GROUPS = re.compile(r"\d+(?:[ \u00a0\u202f.,:]\d+)*")
_WHOLE_HOUR = re.compile(r"(?<![\d.,:])(\d{1,2})[:.]00(?![.,:]?\d)")
LANGUAGE_NAMES = {"pl": "Polish", "en": "English", "uk": "Ukrainian", "ru": "Russian", "de": "German",
                  "fr": "French", "es": "Spanish", "it": "Italian", "cs": "Czech", "be": "Belarusian"}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    severity: str = ERROR


@dataclass(frozen=True)
class Context:
    """What the checks need to know besides the entry."""

    language: str                       # the catalogue's language
    source_language: str                # the msgid's language (its "language:" note, else the source's)
    glossary: Glossary = EMPTY
    detector: Detector | None = None    # None: no language check
    state: str = catalog.REVIEWED       # catalog.entry_state(entry)
    names: tuple[str, ...] = ()         # the glossary's do-not-translate names for ``language``


Check = Callable[[Entry, Context], Iterable[Problem]]


def name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang.split("_")[0], lang)


# ---------------------------------------------------------------- non-translatables

@dataclass(frozen=True)
class Parts:
    """The non-translatables of a text, by kind, and what is left of it."""

    links: tuple[str, ...]       # link targets "](url)"
    code: tuple[str, ...]        # inline code
    urls: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    rest: str                    # the text with all of the above blanked out


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@lru_cache(maxsize=1024)
def parts(text: str) -> Parts:
    """Split ``text`` into the kinds of spans :mod:`pipeline.text.protect` keeps verbatim."""
    found = list(protect.LINK.finditer(text))
    links = [m.group(2) for m in found]
    rest = _blank(text, [m.span(2) for m in found])
    found = list(protect.CODE.finditer(rest))
    code = [m.group(0) for m in found]
    rest = _blank(rest, [m.span() for m in found])
    urls: list[str] = []
    spans: list[tuple[int, int]] = []
    for pattern in (protect.URL, protect.DOMAIN):
        for match in pattern.finditer(rest):
            start, end = protect.trim_url(match)
            if end > start and not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
                urls.append(rest[start:end])
    rest = _blank(rest, spans)
    found = list(protect.EMAIL.finditer(rest))
    emails = [m.group(0) for m in found]
    rest = _blank(rest, [m.span() for m in found])
    found = list(protect.PHONE.finditer(rest))
    phones = [m.group(0) for m in found]
    rest = _blank(rest, [m.span() for m in found])
    return Parts(tuple(links), tuple(code), tuple(urls), tuple(emails), tuple(phones), rest)


def _differences(source: Sequence[str], target: Sequence[str]) -> tuple[list[str], list[str]]:
    """(missing from target, extra in target) as multisets, in order of appearance."""
    missing = list((Counter(source) - Counter(target)).elements())
    extra = list((Counter(target) - Counter(source)).elements())
    first_src = {item: i for i, item in reversed(list(enumerate(source)))}
    first_tgt = {item: i for i, item in reversed(list(enumerate(target)))}
    return sorted(missing, key=first_src.__getitem__), sorted(extra, key=first_tgt.__getitem__)


def _listed(items: Sequence[str]) -> str:
    return ", ".join(f"'{item}'" for item in items)


def _verbatim(code: str, what: str, source: Sequence[str], target: Sequence[str]) -> Iterable[Problem]:
    missing, extra = _differences(source, target)
    if missing:
        yield Problem(code, f"{what} {_listed(missing)} of the source not in the translation"
                      + (f" (it has {_listed(extra)})" if extra else ""))
    elif extra:
        yield Problem(code, f"{what} {_listed(extra)} in the translation but not in the source")


# ---------------------------------------------------------------- the checks

def check_urls(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """URLs and bare domains appear unchanged."""
    yield from _verbatim("qa-url", "URL", parts(entry.msgid).urls, parts(entry.msgstr).urls)


def check_emails(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """E-mail addresses appear unchanged."""
    yield from _verbatim("qa-email", "e-mail address", parts(entry.msgid).emails, parts(entry.msgstr).emails)


def _phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def check_phones(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """Phone numbers keep their digits (a country code may be added)."""
    source, target = parts(entry.msgid).phones, list(parts(entry.msgstr).phones)
    missing = []
    for phone in source:
        digits = _phone_digits(phone)
        hit = next((t for t in target if _phone_digits(t).endswith(digits)), None)
        if hit is None:
            missing.append(phone)
        else:
            target.remove(hit)
    if missing:
        yield Problem("qa-phone", f"phone number {_listed(missing)} of the source not in the translation"
                      + (f" (it has {_listed(target)})" if target else ""))
    elif target:
        yield Problem("qa-phone", f"phone number {_listed(target)} in the translation but not in the source")


def _number_tokens(rest: str) -> list[str]:
    return [m.group(0).strip(" .,:") for m in _NUMBER_GROUPS.finditer(rest)]


def check_numbers(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """Numbers, times and dates keep their digits (see the module doc for separators)."""
    src, tgt = parts(entry.msgid).rest, parts(entry.msgstr).rest
    if _WHOLE_HOUR.sub(r"\1", src) != src or _WHOLE_HOUR.sub(r"\1", tgt) != tgt:
        plain = lambda text: Counter(int(r) for r in _DIGIT_RUN.findall(_WHOLE_HOUR.sub(r"\1", text)))  # noqa: E731
        if plain(src) == plain(tgt):
            return
    runs_src = Counter(int(r) for r in _DIGIT_RUN.findall(src))
    runs_tgt = Counter(int(r) for r in _DIGIT_RUN.findall(tgt))
    if runs_src == runs_tgt:
        return
    joined = lambda text: Counter(re.sub(r"\D", "", t).lstrip("0") for t in _number_tokens(text))  # noqa: E731
    if joined(src) == joined(tgt):
        return
    key = lambda token: tuple(int(r) for r in _DIGIT_RUN.findall(token))  # noqa: E731
    src_tokens, tgt_tokens = _number_tokens(src), _number_tokens(tgt)
    src_keys, tgt_keys = {key(x) for x in src_tokens}, {key(x) for x in tgt_tokens}
    missing = [t for t in src_tokens if key(t) not in tgt_keys]
    extra = [t for t in tgt_tokens if key(t) not in src_keys]
    if missing:
        yield Problem("qa-number", f"number {_listed(missing)} of the source not in the translation"
                      + (f" (it has {_listed(extra)})" if extra else ""))
    elif extra:
        yield Problem("qa-number", f"number {_listed(extra)} in the translation but not in the source")
    else:
        yield Problem("qa-number", f"numbers differ: source {_listed(src_tokens)}, translation {_listed(tgt_tokens)}")


def _markers(text: str) -> Counter:
    rest = parts(text).rest
    found: Counter = Counter()
    found["**"] = rest.count("**")
    found["*"] = rest.count("*") - 2 * found["**"]
    for _start, _end, marker in protect.emphasis_spans(rest):
        if marker[0] == "_":
            found[marker] += 2
    found["["] = rest.count("[")
    found["]"] = rest.count("]")
    for match in protect.tag_matches(rest):
        found[re.sub(r"\s.*", "", match.group(0).lower(), flags=re.DOTALL).rstrip(">/") + ">"] += 1
    return +found


def check_markup(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """Inline Markdown (emphasis, brackets, code, HTML tags) balanced and as in the source."""
    source, target = _markers(entry.msgid), _markers(entry.msgstr)
    problems = []
    for marker in sorted(set(source) | set(target)):
        if source[marker] != target[marker]:
            problems.append(f"'{marker}' {source[marker]}× in the source, {target[marker]}× in the translation")
    if problems:
        yield Problem("qa-markup", "markup differs: " + "; ".join(problems))
    missing, extra = _differences(parts(entry.msgid).code, parts(entry.msgstr).code)
    if missing or extra:
        yield Problem("qa-markup", f"inline code {_listed(missing or extra)} "
                      + ("of the source not in the translation" if missing else "not in the source"))


def check_inline_codes(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """An office document's inline codes (``<b>``, ``<g1>``, ``<x1/>``, ``<a href>``) kept and well nested;
    a count that differs is already :func:`check_markup`'s."""
    if not any(formats.has_inline_codes(ref) for ref in entry.references):
        return
    from pipeline.documents import office  # lxml: only for entries of office documents

    found = office.problem(entry.msgid, entry.msgstr)
    if found and not any(True for _ in check_markup(entry, ctx)):
        yield Problem("qa-markup", found)


def check_links(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """Markdown link targets identical."""
    yield from _verbatim("qa-link", "link target", parts(entry.msgid).links, parts(entry.msgstr).links)


def _without_names(text: str, ctx: Context) -> str:
    for name_ in ctx.names:
        text = term_pattern(name_).sub(" ", text)
    return text


def check_language(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """The translation is in the catalogue's language (texts long enough to judge).

    A translation identical to its source is left to :func:`check_untranslated_copy`.
    """
    detector = ctx.detector
    target = ctx.language.split("_")[0]
    if detector is None or target not in detector.candidates or entry.msgstr.strip() == entry.msgid.strip():
        return
    cleaned = clean_text(_without_names(entry.msgstr, ctx))
    if not long_enough_to_judge(cleaned):
        return
    found = detector.probabilities(cleaned)
    if not found:
        return
    lang, probability = found[0]
    if lang != target and probability >= MIN_FOREIGN_PROBABILITY:
        yield Problem("qa-language", f"the translation looks {name(lang)} ({probability:.2f}), "
                      f"not {name(ctx.language)}")


def _is_names_and_codes(text: str, ctx: Context) -> bool:
    """Only names (capitalised words), codes (no lower-case letters), abbreviations and
    prepositions of one or two letters ("ul.", "na"), or protected spans."""
    kept = "".join(piece for piece, protected_ in protect.split_around(text) if not protected_)
    words = clean_text(_without_names(kept, ctx)).split()
    return all(len(word) <= 2 or word[0].isupper() or not any(ch.islower() for ch in word) for word in words)


def check_untranslated_copy(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """A translation identical to its source, unless it is already in the target language or only names."""
    if entry.msgstr.strip() != entry.msgid.strip() or ctx.state == catalog.COPY:
        return
    if ctx.source_language.split("_")[0] == ctx.language.split("_")[0]:
        return
    if _is_names_and_codes(entry.msgid, ctx):
        return
    yield Problem("qa-untranslated-copy", "the translation is a copy of the source", WARNING)


def _edge(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]


def check_whitespace(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """Leading and trailing whitespace as in the source."""
    (src_lead, src_trail), (tgt_lead, tgt_trail) = _edge(entry.msgid), _edge(entry.msgstr)
    if src_lead != tgt_lead:
        yield Problem("qa-whitespace", f"leading whitespace {src_lead!r} in the source, {tgt_lead!r} in the translation",
                      WARNING)
    if src_trail != tgt_trail:
        yield Problem("qa-whitespace", f"trailing whitespace {src_trail!r} in the source, {tgt_trail!r} in the translation",
                      WARNING)


#: Constructs that hold one line: a line break of their translation is joined on build.
ONE_LINE_KINDS = ("heading", "table cell", "front matter", "title", "alt text", "tooltip", "description")


def check_line_breaks(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """A line break the build has to join (headings, table cells, one-line fields)."""
    if entry.msgstr.count("\n") <= entry.msgid.count("\n"):
        return
    kinds = [line[len("type: "):] for line in entry.extracted if line.startswith("type: ")]
    joined = [kind for kind in kinds if kind in ONE_LINE_KINDS]
    if joined:
        yield Problem("qa-line-break", f"a {joined[0]} is one line: the line break of the translation "
                      "is joined into a space in the built document", WARNING)


def _final(text: str) -> str:
    text = text.rstrip().rstrip(_CLOSERS).rstrip().replace("...", "…")
    return text[-1] if text and text[-1] in FINAL_PUNCTUATION else ""


def check_punctuation(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """Final punctuation (. ! ? : ; …) as in the source."""
    src, tgt = _final(entry.msgid), _final(entry.msgstr)
    if src != tgt:
        shown = lambda mark: f"'{mark}'" if mark else "no punctuation"  # noqa: E731
        yield Problem("qa-punctuation", f"the source ends with {shown(src)}, the translation with {shown(tgt)}",
                      WARNING)


def _letters(cleaned: str) -> int:
    """The letters of a :func:`clean_text` result: all but its spaces, unless it holds numerals
    that are not letters (``²``, ``½``), which are then left out one by one."""
    words = cleaned.replace(" ", "")
    return len(words) if words.isalpha() or not words else sum(ch.isalpha() for ch in words)


def check_length(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """Translation length (in letters) within the language pair's norm."""
    src = _letters(clean_text(entry.msgid))
    if src < MIN_LETTERS:
        return
    tgt = _letters(clean_text(entry.msgstr))
    norm = LENGTH_NORMS.get((ctx.source_language.split("_")[0], ctx.language.split("_")[0]), 1.0)
    ratio = tgt / src
    low, high = LENGTH_BOUNDS
    if not low * norm <= ratio <= high * norm:
        yield Problem("qa-length", f"the translation is {ratio:.0%} of the source's length "
                      f"(about {norm:.0%} is usual for {ctx.source_language}→{ctx.language})", WARNING)


def check_glossary(entry: Entry, ctx: Context) -> Iterable[Problem]:
    """Prescribed translations used, do-not-translate names kept."""
    for match in ctx.glossary.find(entry.msgid, ctx.language):
        term = match.term
        if term.is_name:
            if not (term_pattern(term.term).search(entry.msgstr) or match.text.casefold() in entry.msgstr.casefold()):
                yield Problem("qa-glossary", f"do-not-translate name '{match.text}' is not in the translation")
        elif not term_pattern(term.translation or "").search(searchable(entry.msgstr)):
            yield Problem("qa-glossary", f"'{match.text}' should be translated as '{term.translation}' "
                          f"(glossary.csv:{term.line})")


CHECKS: tuple[Check, ...] = (
    check_numbers, check_urls, check_emails, check_phones, check_markup, check_inline_codes, check_links,
    check_language,
    check_glossary, check_untranslated_copy, check_whitespace, check_punctuation, check_length,
    check_line_breaks,
)


def entry_language(entry: Entry, default: str) -> str:
    """The msgid's language: its ``language: xx`` template note, else ``default``."""
    for line in entry.extracted:
        found = _LANGUAGE_NOTE.match(line)
        if found:
            return found.group(1)
    return default


def check_entry(entry: Entry, language: str, source_language: str, glossary: Glossary = EMPTY,
                detector: Detector | None = None, checks: Sequence[Check] = CHECKS) -> list[Problem]:
    """Every problem of one entry (none for an obsolete or untranslated one)."""
    if entry.obsolete or not entry.msgstr:
        return []
    ctx = Context(language, entry_language(entry, source_language), glossary, detector,
                  catalog.entry_state(entry), glossary.names(language))
    return [problem for check in checks for problem in check(entry, ctx)]


def run_checks(cat: Catalog, language: str, source_language: str, glossary: Glossary = EMPTY,
               detector: Detector | None = None, *, path: str | None = None,
               checks: Sequence[Check] = CHECKS):
    """QA findings of a whole catalogue, in entry order (``path`` as shown to the user)."""
    shown = path or cat.path or "<catalogue>"
    return [Finding(shown, entry.line, problem.code, problem.message, problem.severity)
            for entry in cat.entries
            for problem in check_entry(entry, language, source_language, glossary, detector, checks)]
