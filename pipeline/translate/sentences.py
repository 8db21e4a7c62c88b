"""An offline sentence splitter for announcement paragraphs (pl, en, uk).

Argos Translate's default splitter downloads a model; this one is a few
rules. A sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes or
brackets) followed by whitespace and a capital letter, a digit or an opening
quote/bracket. It does not end after:

* abbreviations that introduce a number (``No.``, ``s.``, ``poz.``) when a
  digit follows;
* abbreviations that introduce something (``ul.``, ``tel.``, ``np.``, ``dr``,
  ``Mr.``, ``вул.`` …), whatever follows;
* a single capital letter (initials: ``A. Kowalska``);
* abbreviations that often close a sentence (``r.``, ``itd.``, ``etc.``,
  ``zł``, ``грн.`` …) when a digit follows ("2026 r. 15 osób" is one sentence),
  but a capital letter after them does start a new sentence;
* a dot inside a token (decimals ``9.30``, dates ``1.12.2026``, URLs, e-mail
  addresses): there is no whitespace after it. Ordinals ("3. piętro") are
  followed by a lower-case word.

:func:`split_sentences` keeps all whitespace: each piece is a sentence plus
the whitespace after it (the first also carries leading whitespace), so
``"".join(split_sentences(t, lang)) == t`` always.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations after which a sentence never ends (lower-case, without the final dot).
_NEVER = {
    "pl": {
        "np", "m.in", "ul", "tel", "godz", "nr", "ok", "dr", "prof", "św", "tj", "tzw", "al", "pl",
        "os", "woj", "pow", "ds", "mgr", "inż", "im", "pn", "wt", "śr", "czw", "pt", "sob", "ndz",
        "k", "ks", "płk", "red", "wg", "tzn", "ww", "jw", "ur", "zob", "por",
        # titles and places that precede a name ("dr hab. Anna", "gm. Nowa Wieś")
        "hab", "gm", "mjr", "gen", "kpt", "ppłk", "doc", "lek", "dyr", "mec", "bp", "abp", "kard", "o",
    },
    "en": {"e.g", "i.e", "mr", "mrs", "ms", "dr", "st", "vs", "prof", "approx", "tel", "ave", "cf"},
    "uk": {"вул", "тел", "м", "ім", "просп", "пл", "див", "напр", "с", "д", "обл", "проф", "пан", "пані", "буд", "кв"},
}
# Abbreviations that may close a sentence: a capital letter after them starts a new one.
_CLOSING = {
    "pl": {"r", "itp", "itd", "zł", "gr", "w", "wyd", "tys", "br", "cdn"},
    "en": {"etc", "a.m", "p.m", "jr", "inc", "ltd", "co"},
    "uk": {"р", "т.д", "т.п", "грн", "рр", "ст", "коп", "тис"},
}
# Abbreviations that only introduce a number ("No. 5", "s. 12"); a capital after them ends a sentence.
_BEFORE_NUMBER = {"no", "nos", "p", "pp", "s", "str", "poz", "nr", "№"}
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*")
_OPENERS = "\"'„“«‚‘(["
_WORD_BEFORE = re.compile(r"(\S+)$")
# How far back the word before a dot is looked for: longer than any abbreviation, and it keeps
# the splitter linear (a search for the word from the start of the text was quadratic).
_LOOK_BACK = 64


def _abbreviations(lang: str) -> tuple[set[str], set[str]]:
    base = lang.split("_")[0].split("-")[0].lower()
    never = set().union(*_NEVER.values()) if base not in _NEVER else _NEVER[base]
    closing = set().union(*_CLOSING.values()) if base not in _CLOSING else _CLOSING[base]
    return never, closing


def _is_boundary(text: str, end_match: re.Match, next_char: str, never: set[str], closing: set[str]) -> bool:
    if not (next_char.isupper() or next_char.isdigit() or next_char in _OPENERS):
        return False
    marks = end_match.group(0)
    if not marks.startswith(".") or len(marks.rstrip("\"'”’»)]")) > 1:
        return True  # ! ? … and "..." always end a sentence
    word_match = _WORD_BEFORE.search(text, max(0, end_match.start() - _LOOK_BACK), end_match.start())
    if not word_match:
        return True
    word = word_match.group(1).lstrip(_OPENERS).lower()
    if not word:
        return True
    if word in never:
        return False
    if word in _BEFORE_NUMBER:
        return not next_char.isdigit()
    if len(word) == 1 and word.isalpha() and word_match.group(1).lstrip(_OPENERS)[0].isupper():
        return False  # an initial: "A. Kowalska"
    if word in closing:
        return not next_char.isdigit()
    return True


def split_sentences(text: str, lang: str) -> list[str]:
    """``text`` cut into sentences; each keeps the whitespace that follows it."""
    never, closing = _abbreviations(lang)
    pieces: list[str] = []
    start = 0
    for match in _END.finditer(text):
        ws_end = match.end()
        while ws_end < len(text) and text[ws_end].isspace():
            ws_end += 1
        if ws_end == match.end() or ws_end >= len(text):
            continue
        if _is_boundary(text, match, text[ws_end], never, closing):
            pieces.append(text[start:ws_end])
            start = ws_end
    if start < len(text) or not pieces:
        pieces.append(text[start:])
    return pieces


@dataclass(frozen=True)
class Sentence:
    """A sentence without surrounding whitespace (``core``), and that whitespace."""

    lead: str
    core: str
    trail: str

    @property
    def text(self) -> str:
        return self.lead + self.core + self.trail


def split_stripped(text: str, lang: str) -> list[Sentence]:
    """:func:`split_sentences` with each piece's whitespace set apart (for translating the core)."""
    out = []
    for piece in split_sentences(text, lang):
        core = piece.strip()
        lead = piece[: len(piece) - len(piece.lstrip())]
        out.append(Sentence(lead, core, piece[len(lead) + len(core):]))
    return out


_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")


def join_lines(text: str) -> str:
    """Hard line breaks inside a paragraph become one space ("Biblioteka\\nul. Długa 5")."""
    return _LINE_BREAK.sub(" ", text.strip("\r\n"))
