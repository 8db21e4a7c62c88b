"""Reading and writing .po/.pot files (polib at the boundary, our model inside).

Reading: the bytes are decoded with the charset the header declares, a light
line scan checks the string syntax and finds the line of every ``msgid``
keyword (and the ``#~| msgid`` of obsolete entries, which polib 1.2 drops),
then polib parses the text and the result is converted to a
:class:`~pipeline.catalogs.catalog.Catalog`.

Writing: :func:`format_catalog` produces the text GNU ``msgcat`` would
(width 79, same line-breaking rules for the common cases), and
:func:`write_catalog` only touches the file when its *content* changed, so a
catalogue that Poedit or ``msgcat`` re-wrapped is not churned.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import sys
import unicodedata
from dataclasses import fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import polib

from pipeline import __version__
from pipeline.catalogs.catalog import Catalog, Entry
from pipeline.errors import CatalogError, ConfigError
from pipeline import fsutil
from pipeline.fsutil import AtomicWriter, Fingerprint, fingerprint_bytes

WIDTH = 79
_DEFAULT_PLURAL = "nplurals=2; plural=(n != 1);"
_EAST_SLAVIC = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
_WEST_SLAVIC = "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"

#: Standard gettext Plural-Forms expressions by language code.
PLURAL_FORMS: dict[str, str] = {
    "en": _DEFAULT_PLURAL, "de": _DEFAULT_PLURAL, "es": _DEFAULT_PLURAL, "it": _DEFAULT_PLURAL,
    "nl": _DEFAULT_PLURAL, "sv": _DEFAULT_PLURAL, "da": _DEFAULT_PLURAL, "nb": _DEFAULT_PLURAL,
    "fi": _DEFAULT_PLURAL, "el": _DEFAULT_PLURAL, "hu": _DEFAULT_PLURAL, "bg": _DEFAULT_PLURAL,
    "pt": _DEFAULT_PLURAL, "fr": "nplurals=2; plural=(n > 1);", "pt_br": "nplurals=2; plural=(n > 1);",
    "uk": _EAST_SLAVIC, "ru": _EAST_SLAVIC, "be": _EAST_SLAVIC,
    "cs": _WEST_SLAVIC, "sk": _WEST_SLAVIC,
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
    "ja": "nplurals=1; plural=0;", "zh": "nplurals=1; plural=0;", "ko": "nplurals=1; plural=0;",
}

#: Header fields whose value is a date that changes on every write; they are
#: ignored when deciding whether a file's content changed.
DATE_FIELDS = ("POT-Creation-Date", "PO-Revision-Date")
#: Values gettext puts in new files that ``msgfmt --check`` warns about.
_INITIAL_DEFAULTS = ("YEAR-MO-DA", "FULL NAME", "LANGUAGE <LL@li.org>", "PACKAGE VERSION")


def plural_forms(lang: str) -> str:
    """The Plural-Forms expression for ``lang`` ("uk", "pt_BR", "de-AT"); a default for unknown ones."""
    code = lang.strip().replace("-", "_").lower()
    return PLURAL_FORMS.get(code) or PLURAL_FORMS.get(code.split("_")[0]) or _DEFAULT_PLURAL


# --- reading -----------------------------------------------------------------

# A string literal as GNU gettext's po-lex.c reads it: the escapes \n \t \b \r \f \v \a \\ \",
# octal \ooo (one to three digits) and hex \xHH… (any number of digits), each giving one byte.
# Possessive quantifiers keep a failing match linear.
_LOOSE_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"')
_STRING = re.compile(r'"(?:[^"\\]++|\\(?>[ntbrfva\\"]|[0-7]{1,3}+|x[0-9A-Fa-f]++))*+"')
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr\[\d+\]|msgstr)\s*(.*)$")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v", "a": "\a",
                   "\\": "\\", '"': '"'}
_ESCAPE = re.compile(r'\\(?:([ntbrfva\\"])|([0-7]{1,3})|x([0-9A-Fa-f]+))')
# What polib's own unescape() understands; anything else is rewritten before polib sees it.
_POLIB_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r",
                                "\v": "\\v", "\b": "\\b", "\f": "\\f"})
_NEEDS_REWRITE = re.compile(r'\\[a0-7x]')
_ISOLATE_START, _ISOLATE_END = "\u2068", "\u2069"
_REFERENCE = re.compile("\u2068([^\u2069]*)\u2069(:[0-9]+)?|([^\\s\u2068]+)")


def read_catalog(path: Path) -> Catalog:
    """Read and parse a .po/.pot file; :class:`CatalogError` if it is unreadable or malformed."""
    return read_fingerprinted(path)[0]


def read_fingerprinted(path: Path) -> tuple[Catalog, Fingerprint]:
    """:func:`read_catalog` and the fingerprint of the very bytes parsed, to give
    :func:`write_catalog` (``expected=``) so it never replaces a file saved since."""
    path = Path(path)
    try:
        data = path.read_bytes()
        seen = fingerprint_bytes(data, path)
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    return parse_bytes(data, path), seen


def read_header(path: Path) -> Catalog | None:
    """The header of the catalogue at ``path`` (no entries), or None when there is no such file:
    only the first block is parsed when it is a plain header, else the whole file."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            start = handle.read(1 << 16)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    end = start.find(b"\n\n")
    if end > 0:
        head = _light_parse(start[:end + 1], str(path))
        if head is not None and (head.header or head.header_comment or head.header_flags) and not head.entries:
            return head
    return read_catalog(path)


def parse_bytes(data: bytes, path: Path | str) -> Catalog:
    """Parse the bytes of a .po/.pot file just read from ``path`` (decoded as its header says).

    A UTF-8 catalogue in the plain layout GNU gettext and we write is read by :func:`_light_parse`,
    line by line into our entries (a few times the file's size in memory); anything else — another
    charset, plural messages, comments between keywords, an error to report — by the full
    reader (:func:`parse_catalog`: polib, several times more memory), which gives the same result."""
    light = _light_parse(data, str(path))
    if light is not None:
        return light
    text, charset = _decode(data, str(path))
    return parse_catalog(text, path=str(path), charset=charset)


def _decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode with the charset of the Content-Type header (UTF-8 when absent)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    match = re.search(rb"Content-Type:[^\n]*?charset=([\w.:-]+)", data)
    charset = match.group(1).decode("ascii") if match else "UTF-8"
    charset = "UTF-8" if charset.upper() == "CHARSET" else charset  # the template placeholder
    if not is_text_charset(charset):
        line = data[: match.start()].count(b"\n") + 1 if match else None
        raise CatalogError(f"unknown charset {charset!r} in Content-Type", path=path, line=line) from None
    try:
        text = data.decode(charset)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogError(f"text is not valid {charset} (as Content-Type declares)", path=path, line=line) from None
    if codecs.lookup(charset).name != "utf-8" and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # valid UTF-8 with non-ASCII text is never real ISO-8859-x / cp125x: mojibake ahead
            line = data[: match.start()].count(b"\n") + 1 if match else None
            raise CatalogError(f"Content-Type declares charset={charset} but the file is UTF-8; "
                               "change the header to charset=UTF-8", path=path, line=line)
    return text, codecs.lookup(charset).name


_NOT_CHARSETS = {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "utf-7"}
_PROBE = 'msgid "a\\"+-~\\x41" #: a.txt:1\n'


def is_text_charset(charset: str) -> bool:
    """Is ``charset`` a text encoding a PO file can be written in (ASCII-compatible, one byte per
    ASCII character)? rot13, hex, base64, zlib, uu, punycode, idna, unicode_escape, UTF-7,
    UTF-16 … are not, whatever Python's codec registry says."""
    try:
        info = codecs.lookup(charset)
        return (getattr(info, "_is_text_encoding", True) and info.name not in _NOT_CHARSETS
                and _PROBE.encode(info.name) == _PROBE.encode("ascii")
                and _PROBE.encode("ascii").decode(info.name) == _PROBE)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return False


def unescape(body: str, charset: str = "utf-8") -> str:
    """The value of a string literal's ``body`` (between the quotes), as gettext reads it.

    Octal and hex escapes give one byte each (gettext keeps the low 8 bits), read in the file's
    charset together with their neighbours; :class:`UnicodeError` if they make no character."""
    if "\\" not in body:
        return body
    if not re.search(r"\\[0-7x]", body):
        return _ESCAPE.sub(lambda m: _SIMPLE_ESCAPES[m.group(1)], body)
    out = bytearray()
    last = 0
    for match in _ESCAPE.finditer(body):
        out += body[last:match.start()].encode(charset)
        simple, octal, hexa = match.groups()
        if simple:
            out += _SIMPLE_ESCAPES[simple].encode(charset)
        else:
            out.append(int(octal, 8) & 0xFF if octal else int(hexa[-2:], 16))
        last = match.end()
    out += body[last:].encode(charset)
    return out.decode(charset)


def _reference_line(line: str, open_ref: str | None) -> tuple[list[str], str | None]:
    """The references of one ``#:`` line, and the U+2068-isolated name it leaves open for the next
    ``#:`` line (``open_ref``: the one the line before left open)."""
    body = line[2:] if open_ref is None else open_ref + " " + line[2:].lstrip()
    start = body.rfind(_ISOLATE_START)
    if start >= 0 and _ISOLATE_END not in body[start:]:
        return parse_references(body[:start]), body[start:]
    return parse_references(body), None


def parse_references(body: str) -> list[str]:
    """The references of a ``#:`` line body: ``file:line`` tokens separated by white space; a
    name between U+2068 and U+2069 (how GNU gettext ≥ 0.20 writes names with spaces) is one."""
    refs = []
    for match in _REFERENCE.finditer(body):
        isolated, line, plain = match.groups()
        refs.append(plain if plain is not None else isolated + (line or ""))
    return refs


def _scan(text: str, path: str, charset: str = "utf-8"):
    """Check string syntax as gettext does and prepare the text for polib.

    Returns the (line, is_obsolete) of every msgid keyword; the obsolete ``#~| msgctxt``/``#~|
    msgid`` texts, the comment lines (translator, extracted) and the references, each keyed by the
    index of the msgid they precede; and the lines to give polib: split at ``\n`` only (U+2028,
    U+0085, U+001C … are text, though str.splitlines breaks there) and with the escapes polib
    does not know (``\a``, octal, hex) rewritten. polib 1.2 drops the obsolete previous fields
    and blank comment lines at the edges of a block, and splits names with spaces; this scan
    keeps them."""
    msgids: list[tuple[int, bool]] = []
    previous: dict[int, dict[str, str]] = {}
    comments: dict[int, tuple] = {}
    references: dict[int, tuple[str, ...]] = {}
    translator: list[str] = []
    extracted: list[str] = []
    pending: dict[str, list[str]] = {}  # an obsolete "#~| msgctxt/msgid" being read
    pending_keyword: str | None = None
    pending_refs: list[str] = []
    open_ref: str | None = None  # a U+2068-isolated name continued on the next "#:" line
    lines = text.split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("#:"):
            found, open_ref = _reference_line(line, open_ref)
            pending_refs.extend(found)
            continue
        obsolete_prev = line.startswith("#~|")
        active_prev = line.startswith("#|")
        if obsolete_prev or active_prev or line.startswith("#~"):
            line = line[3 if obsolete_prev else 2:].strip()
        elif line.startswith("#.") or line.startswith("#") and line[1:2] not in (":", ","):
            line = raw.lstrip().rstrip("\r")  # trailing spaces are part of a comment
            comment = line[2:] if line.startswith("#.") else line[1:]
            (extracted if line.startswith("#.") else translator).append(comment[1:] if comment[:1] == " " else comment)
            continue
        elif line.startswith("#") or not line:
            continue
        match = _KEYWORD.match(line)
        literal = match.group(2) if match else line
        if not (match or line.startswith('"')) and not obsolete_prev:
            continue  # polib reports unknown lines itself
        if not _STRING.fullmatch(literal):
            problem = "invalid control sequence" if _LOOSE_STRING.fullmatch(literal) else \
                "malformed string (quotes or escapes)"
            raise CatalogError(f"syntax error: {problem}", path=path, line=number)
        try:
            value = unescape(literal[1:-1], charset)
        except UnicodeError:
            raise CatalogError("syntax error: an octal or hex escape makes no character in "
                               f"{charset}", path=path, line=number) from None
        if _NEEDS_REWRITE.search(literal):
            quote = raw.index('"')
            lines[number - 1] = raw[:quote] + '"' + value.translate(_POLIB_ESCAPES) + '"'
        if obsolete_prev:
            if match:
                pending_keyword = match.group(1)
                pending[pending_keyword] = [value]
            elif pending_keyword is not None:
                pending[pending_keyword].append(value)
            continue
        if match and match.group(1) == "msgid" and not active_prev:
            if pending and raw.lstrip().startswith("#~"):
                previous[len(msgids)] = {keyword: "".join(parts) for keyword, parts in pending.items()}
            pending, pending_keyword = {}, None
            comments[len(msgids)] = (tuple(translator), tuple(extracted))
            translator, extracted = [], []
            if open_ref is not None:
                pending_refs.extend(parse_references(open_ref + _ISOLATE_END))
                open_ref = None
            references[len(msgids)] = tuple(pending_refs)
            pending_refs = []
            msgids.append((number, raw.lstrip().startswith("#~")))
    return msgids, previous, comments, references, lines


def _polib_parse(lines: list[str]) -> polib.POFile:
    """polib's parser on lines we split (polib.pofile() would split the text with splitlines)."""
    parser = polib._POFileParser("\n", encoding="utf-8")
    parser.fhandle = lines
    return parser.parse()


def _c_string(value: str) -> str:
    """gettext stores messages as C strings: a ``\\0`` escape ends the message."""
    return value.split("\x00", 1)[0] if "\x00" in value else value


def parse_catalog(text: str, *, path: str = "<string>", charset: str = "utf-8") -> Catalog:
    """Parse the text of a .po/.pot file."""
    msgid_lines, obsolete_previous, comment_lines, references, lines = _scan(text, path, charset)
    try:
        po = _polib_parse(lines)
    except (OSError, ValueError) as exc:
        message = str(exc)
        found = re.search(r"\(line (\d+)\)", message)
        detail = message.split("):", 1)[1].strip() if "):" in message else ""
        raise CatalogError(f"syntax error: {detail}" if detail else "syntax error",
                           path=path, line=int(found.group(1)) if found else None) from None

    header_index = _header_index(text, msgid_lines) if len(po) < len(msgid_lines) else None
    positions = [i for i in range(len(msgid_lines)) if i != header_index]
    if len(positions) != len(po):  # should not happen; keep going without line numbers
        positions = []
    entries: list[Entry] = []
    for n, item in enumerate(po):
        index = positions[n] if positions else None
        line = msgid_lines[index][0] if index is not None else 0
        previous, previous_ctxt = item.previous_msgid, item.previous_msgctxt
        if item.obsolete and index is not None:
            fields = obsolete_previous.get(index, {})
            previous, previous_ctxt = fields.get("msgid", previous), fields.get("msgctxt", previous_ctxt)
        if index is not None:
            translator, extracted = comment_lines[index]
        else:
            translator = tuple(item.tcomment.split("\n")) if item.tcomment else ()
            extracted = tuple(item.comment.split("\n")) if item.comment else ()
        refs = references.get(index) if index is not None else None
        if refs is None:
            refs = tuple(f"{f}:{n_}" if n_ else f for f, n_ in item.occurrences)
        plural = item.msgid_plural if item.msgid_plural or item.msgstr_plural else None
        entries.append(Entry(
            msgid=_c_string(item.msgid), msgstr=_c_string(item.msgstr),
            msgctxt=None if item.msgctxt is None else _c_string(item.msgctxt),
            references=refs,
            extracted=extracted, comments=translator,
            flags=tuple(dict.fromkeys(f for f in item.flags if f)),
            previous_msgid=None if previous is None else _c_string(previous),
            obsolete=bool(item.obsolete), line=line,
            previous_msgctxt=None if previous_ctxt is None else _c_string(previous_ctxt),
            msgid_plural=None if plural is None else _c_string(plural),
            msgstr_plural=tuple(_c_string(item.msgstr_plural[k]) for k in sorted(item.msgstr_plural))
            if plural is not None else (),
        ))
    return _catalog(entries, tuple((k, v) for k, v in po.metadata.items()),
                    "\n".join(comment_lines[header_index][0]) if header_index is not None else po.header,
                    tuple(dict.fromkeys(po.metadata_is_fuzzy or ())), path)


def _catalog(entries: list[Entry], header: tuple[tuple[str, str], ...], header_comment: str,
             header_flags: tuple[str, ...], path: str) -> Catalog:
    """The catalogue of parsed ``entries`` (active ones first); :class:`CatalogError` on a duplicate."""
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        if entry.obsolete:
            continue
        if entry.key in seen:
            first = seen[entry.key]
            raise CatalogError(f"duplicate message {entry.msgid[:40]!r} (first at line {first})",
                               path=path, line=entry.line)
        seen[entry.key] = entry.line
    return Catalog(
        entries=tuple(e for e in entries if not e.obsolete) + tuple(e for e in entries if e.obsolete),
        header=header, header_comment=header_comment, header_flags=header_flags,
        path=None if path == "<string>" else path,
    )


class _NotLight(Exception):
    """The file is outside what :func:`_light_parse` reads: the full reader decides."""


def _lines(data: bytes):
    """(number, line) of ``data`` split at ``\\n`` only, decoded as UTF-8 one line at a time."""
    for number, raw in enumerate(io.BytesIO(data), 1):
        yield number, (raw[:-1] if raw[-1:] == b"\n" else raw).decode("utf-8")


def _literal_value(literal: str) -> str:
    if not _STRING.fullmatch(literal):
        raise _NotLight
    return unescape(literal[1:-1])


def _metadata(msgstr: str) -> tuple[tuple[str, str], ...]:
    """The header fields of the header entry's msgstr, read as polib reads them."""
    fields: dict[str, str] = {}
    key = None
    for line in msgstr.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
        elif key is not None:
            fields[key] += "\n" + line.strip()
    return tuple(fields.items())


def _light_parse(data: bytes, path: str) -> Catalog | None:
    """The catalogue in ``data`` when it is UTF-8 in the plain layout (header first; per entry
    comments, ``#:``, ``#,``, ``#|`` lines, then ``msgctxt``/``msgid``/``msgstr`` with their
    continuation lines; obsolete ``#~`` entries with ``#~|`` previous fields), else None.

    Entries are built as the lines go by, without polib's objects or a list of all lines; the
    result is what :func:`parse_catalog` gives for the same file (tests/test_pofile_light.py)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    match = re.search(rb"Content-Type:[^\n]*?charset=([\w.:-]+)", data)
    if match and match.group(1).upper() != b"CHARSET":
        try:
            if codecs.lookup(match.group(1).decode("ascii")).name != "utf-8":
                return None
        except LookupError:
            return None
    try:
        return _light_entries(data, path)
    except (_NotLight, UnicodeDecodeError):
        return None


def _light_entries(data: bytes, path: str) -> Catalog:
    entries: list[Entry] = []
    header: Entry | None = None
    header_flags: tuple[str, ...] = ()
    # the comment block of the next entry
    translator: list[str] = []
    extracted: list[str] = []
    refs: list[str] = []
    flags: list[str] = []
    previous: dict[str, list[str]] = {}       # "#| msgctxt/msgid"
    obsolete_previous: dict[str, list[str]] = {}  # "#~| msgctxt/msgid"
    open_ref: str | None = None
    # the entry being read: keyword -> parts; None between entries
    current: dict[str, list[str]] | None = None
    field: list[str] | None = None   # the parts a continuation line extends
    field_obsolete = False
    prev_field: list[str] | None = None
    obsolete = False
    line_of_msgid = 0
    msgid_lines = 0
    last_was_comment = False
    comment_block: tuple = ()

    def finish() -> None:
        nonlocal header, header_flags
        assert current is not None
        msgctxt = "".join(current["msgctxt"]) if "msgctxt" in current else None
        msgid, msgstr = "".join(current["msgid"]), "".join(current["msgstr"])
        (c_translator, c_extracted, c_refs, c_flags, c_previous, c_obsolete_previous) = comment_block
        source = c_obsolete_previous if obsolete else c_previous
        prev_msgid = "".join(source["msgid"]) if "msgid" in source else None
        prev_ctxt = "".join(source["msgctxt"]) if "msgctxt" in source else None
        if not obsolete and msgid == "":
            if entries or header is not None or msgctxt is not None or msgid_lines != 1:
                raise _NotLight  # not the plain header entry: the full reader sorts it out
            header = Entry(msgid="", msgstr=msgstr, comments=c_translator)
            header_flags = tuple(dict.fromkeys(c_flags))
            return
        entries.append(Entry(
            msgid=_c_string(msgid), msgstr=_c_string(msgstr),
            msgctxt=None if msgctxt is None else _c_string(msgctxt),
            references=c_refs, extracted=c_extracted, comments=c_translator,
            flags=tuple(dict.fromkeys(f for f in c_flags if f)),
            previous_msgid=None if prev_msgid is None else _c_string(prev_msgid),
            obsolete=obsolete, line=line_of_msgid,
            previous_msgctxt=None if prev_ctxt is None else _c_string(prev_ctxt),
        ))

    for number, raw in _lines(data):
        line = raw.strip()
        if not line:
            continue
        if line[0] == '"':  # a continuation line (most lines): the same as below, sooner
            if field is None or field_obsolete:
                raise _NotLight
            field.append(_literal_value(line))
            if current is not None and field is current.get("msgid"):
                msgid_lines += 1
            last_was_comment = False
            prev_field = None
            continue
        tokens = line.split(None, 2)
        keyword_line = line[0] != "#" or (tokens[0] == "#~" and len(tokens) > 1)
        if not keyword_line:
            last_was_comment = True
            if current is not None:
                if "msgstr" not in current:
                    raise _NotLight  # a comment between an entry's keywords
                finish()
                current, field = None, None
            if tokens[0] == "#:":
                found, open_ref = _reference_line(line, open_ref)
                refs.extend(found)
            elif tokens[0] == "#,":
                if len(tokens) > 1:
                    flags.extend(c.strip() for c in line[3:].split(","))
            elif tokens[0] in ("#|", "#~|"):
                if len(tokens) < 2:
                    raise _NotLight
                target = previous if tokens[0] == "#|" else obsolete_previous
                rest = line[len(tokens[0]):].strip()
                if rest.startswith('"'):
                    if prev_field is None:
                        raise _NotLight
                    prev_field.append(_literal_value(rest))
                    continue
                if tokens[1] not in ("msgid", "msgctxt") or tokens[1] in target:
                    raise _NotLight
                prev_field = target[tokens[1]] = [_literal_value(rest[len(tokens[1]):].lstrip())]
                continue
            elif tokens[0] in ("#", "#.") or tokens[0].startswith("##"):
                text = raw.lstrip().rstrip("\r")
                comment = text[2:] if text.startswith("#.") else text[1:]
                (extracted if text.startswith("#.") else translator).append(
                    comment[1:] if comment[:1] == " " else comment)
            else:
                raise _NotLight
            prev_field = None
            continue
        last_was_comment = False
        prev_field = None
        line_obsolete = line[0] == "#"
        if line_obsolete:
            line = line[3:].strip()
            tokens = line.split(None, 2)
        if line[0] == '"':
            if field is None or line_obsolete != field_obsolete:
                raise _NotLight
            field.append(_literal_value(line))
            if current is not None and field is current.get("msgid"):
                msgid_lines += 1
            continue
        keyword = tokens[0]
        if keyword not in ("msgctxt", "msgid", "msgstr") or len(tokens) < 2:
            raise _NotLight  # plural messages and anything unusual: the full reader
        value = _literal_value(line[len(keyword):].lstrip())
        if current is not None and "msgstr" in current and keyword != "msgstr":
            finish()
            current = None
        if current is None:
            if keyword == "msgstr":
                raise _NotLight
            if line_obsolete and previous:
                raise _NotLight  # "#|" lines before an obsolete entry
            if open_ref is not None:
                refs.extend(parse_references(open_ref + _ISOLATE_END))
                open_ref = None
            comment_block = (tuple(translator), tuple(extracted), tuple(refs), tuple(flags), previous,
                             obsolete_previous)
            translator, extracted, refs, flags, previous, obsolete_previous = [], [], [], [], {}, {}
            current, obsolete = {}, line_obsolete
        elif line_obsolete != obsolete or keyword in current or (keyword == "msgctxt" and current):
            raise _NotLight
        if keyword == "msgstr" and "msgid" not in current:
            raise _NotLight
        if keyword == "msgid":
            if not value and not line_obsolete and line != 'msgid ""':
                raise _NotLight  # the full reader tells a header from an empty msgid by this line
            line_of_msgid, msgid_lines = number, 1
        field = current[keyword] = [value]
        field_obsolete = line_obsolete
    if current is not None:
        if "msgstr" not in current or last_was_comment:
            raise _NotLight
        finish()
    if header is None or last_was_comment or previous or obsolete_previous or open_ref is not None:
        raise _NotLight
    return _catalog(entries, _metadata(header.msgstr), "\n".join(header.comments), header_flags, path)


def _header_index(text: str, msgid_lines: list[tuple[int, bool]]) -> int | None:
    """Index (in ``msgid_lines``) of the header: the first active ``msgid ""`` without continuation."""
    lines = text.split("\n")
    for index, (number, obsolete) in enumerate(msgid_lines):
        if obsolete or lines[number - 1].strip() != 'msgid ""':
            continue
        following = next((s.strip() for s in lines[number:] if s.strip()), "")
        if not following.startswith('"'):
            return index
    return None


# --- writing -----------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a",
            "\b": "\\b", "\f": "\\f", "\v": "\\v"}
_NO_BREAK_BEFORE = set(" )]}.,:;!?/")  # spaces, closing brackets, UAX #14 EX/IS/SY
_OPENING = set("([{\u201e\u201a")  # nothing breaks after these, even across spaces
_QUOTES = set("'\"\u201c\u201d\u2018\u2019\u00ab\u00bb")
_AFTER_PUNCT = set(".,:;/-")  # break after these before a letter, not before a digit
_AFTER_DASH = set("!?\u2013\u2026\u2014")  # ... nor before a digit either
_NOT_AFTER_PUNCT = _NO_BREAK_BEFORE | (_QUOTES - {'"'}) | set("-\u2013\u2026")
_EM_DASH = "\u2014"


def _char_width(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _break_allowed(text: str, i: int) -> bool:
    """May a line break before ``text[i]``? The rules of GNU gettext 0.21 (libunistring's
    UAX #14) for the characters of European prose, measured against ``msgcat``."""
    cur, prev = text[i], text[i - 1]
    if cur in _NO_BREAK_BEFORE or cur == "\n":
        return False
    if prev == " ":
        j = i - 1
        while j > 0 and text[j] == " ":
            j -= 1
        if text[j] in _QUOTES and cur in _OPENING or text[j] == cur == _EM_DASH:
            return False  # UAX #14 rules LB15 and LB17
        return text[j] not in _OPENING
    if prev in _OPENING or prev in _QUOTES:
        return False
    if cur == _EM_DASH:
        return prev != _EM_DASH
    if prev in _AFTER_PUNCT or prev in _AFTER_DASH:
        if cur.isdigit():
            return prev in _AFTER_DASH
        return cur not in _NOT_AFTER_PUNCT
    if prev in ")]}":
        return cur in _OPENING
    return False


# Where _break_allowed can possibly say yes: after these characters, or before an em dash.
_CANDIDATE = re.compile("(?<=[ .,:;/\\-!?\u2013\u2026\u2014)\\]}])|(?=\u2014)")
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
_WIDE: dict[str, int] = {}  # non-ASCII character -> its width minus 1 (memo)


def _width(text: str) -> int:
    """Display width of ``text`` once escaped (an escape counts 2), without a per-character loop."""
    return _measure(text)[0]


def _measure(text: str) -> tuple[int, bool]:
    """:func:`_width`, and whether every character of ``text`` is one column wide and none is
    escaped (then a piece's width is its length, and it is written as it is)."""
    width = len(text)
    plain = True
    for char in _ESCAPES:
        if char in text:
            width += text.count(char)
            plain = False
    if not text.isascii():
        for char in set(text):
            if char >= "\x80":
                extra = _WIDE.get(char)
                if extra is None:
                    extra = _WIDE[char] = _char_width(char) - 1
                if extra:
                    width += extra * text.count(char)
                    plain = False
    return width, plain


def _break_lines(text: str, width: int, start: int) -> list[str]:
    """Greedy line breaking of one portion, as libunistring's ulc_width_linebreaks.

    Only the few positions where a break can be allowed are examined, and the
    widths of the pieces between them are measured in bulk: a 50 MB catalogue
    is formatted in seconds, not minutes.
    """
    total, plain = _measure(text)
    if start + total <= width:
        return [text if plain else text.translate(_ESCAPE_TABLE)]
    # When every character is one column wide and none is escaped (the usual case), a piece's
    # width is its length and it is written as it is.
    if plain:
        bounds = [0, *_simple_cuts(text, width, start), len(text)]
        return [text[a:b] for a, b in zip(bounds, bounds[1:])]
    bounds = [0, *_cuts(text, width, start, False), len(text)]
    return [text[a:b].translate(_ESCAPE_TABLE) for a, b in zip(bounds, bounds[1:])]


# The characters _CANDIDATE allows a break after (a break before an em dash is the other case).
_AFTER_CANDIDATE = frozenset(" .,:;/-!?\u2013\u2026\u2014)]}")


def _simple_cuts(text: str, width: int, start: int) -> list[int]:
    """:func:`_cuts` for a text whose every character is one column wide, line by line instead of
    break by break: a line starting at ``s`` ends at the last allowed break that fits (the first
    allowed one when none fits), so only the breaks next to the width limit are examined."""
    n = len(text)
    cuts: list[int] = []
    line, column = 0, start
    while column + n - line > width:
        limit = line + width - column
        cut = None
        i = min(limit, n - 1)
        while i > line:  # backwards from the limit: the last allowed break that fits
            if (text[i - 1] in _AFTER_CANDIDATE or text[i] == _EM_DASH) and _break_allowed(text, i):
                cut = i
                break
            i -= 1
        if cut is None:  # none fits: the first allowed one after the limit
            for i in range(max(limit, line) + 1, n):
                if (text[i - 1] in _AFTER_CANDIDATE or text[i] == _EM_DASH) and _break_allowed(text, i):
                    cut = i
                    break
        if cut is None:
            break
        cuts.append(cut)
        line, column = cut, 0
    return cuts


def _cuts(text: str, width: int, start: int, simple: bool) -> list[int]:
    """Where the greedy line breaking cuts ``text``: break by break, any character widths."""
    cuts: list[int] = []
    last_p, column, previous = None, start, 0
    for match in _CANDIDATE.finditer(text):
        i = match.start()
        if i <= 0 or i >= len(text) or i == previous or not _break_allowed(text, i):
            continue
        piece = i - previous if simple else _width(text[previous:i])
        if last_p is not None and column + piece > width:
            cuts.append(last_p)
            column = 0
        last_p, column, previous = i, column + piece, i
    if last_p is not None and column + _width(text[previous:]) > width:
        cuts.append(last_p)
    return cuts


def _string(prefix: str, keyword: str, value: str, wrap: bool = True) -> list[str]:
    """``keyword "value"`` lines as GNU gettext wraps them at width 79 (``wrap=False``, the
    ``no-wrap`` flag: broken only after ``\\n``).

    A NUL is left out: gettext reads a message as a C string, so no PO file can hold one."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    portions = re.findall(r"[^\n]*\n|[^\n]+", value) or [""]
    after_break = len(prefix) + 1
    width = WIDTH - 1 - after_break if wrap else sys.maxsize
    head = f"{prefix}{keyword} "
    if len(portions) == 1:
        pieces = _break_lines(portions[0], width, len(head) + 1 - after_break)
        if len(pieces) == 1:
            return [f'{head}"{pieces[0]}"']
    lines = [f'{head}""']
    for portion in portions:
        lines.extend(f'{prefix}"{piece}"' for piece in _break_lines(portion, width, 0))
    return lines


#: Characters some PO reader takes as a line break (gettext: ``\n``; polib and Python's
#: str.splitlines: all of them). A comment, flag, reference or header line holds none.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_ONE_LINE = str.maketrans(dict.fromkeys(LINE_BREAKS, " ") | {"\x00": None})


def one_line(text: str) -> str:
    """``text`` made safe for one comment line: every line break becomes a space, NUL goes.

    This is the one place that keeps text from outside (model metadata, server answers, file
    names, glossary terms, reviewers' comments) from starting a new line in a catalogue."""
    return text.translate(_ONE_LINE)


def _comment_lines(marker: str, items: tuple[str, ...]) -> list[str]:
    return [f"{marker} {one_line(item)}" if item else marker for item in items]


_PLAIN_REFERENCE = re.compile("[^\\s\u2068\u2069\x00]+")


def format_reference(ref: str) -> str:
    """``file:line`` as written on a ``#:`` line: a name with white space between U+2068 and
    U+2069, as GNU gettext ≥ 0.20 writes it, so that every reader sees one reference."""
    if ref[:1] != ":" and _PLAIN_REFERENCE.fullmatch(ref):
        return ref  # no white space, line break, NUL or isolate: written as it is
    ref = one_line(ref).replace(_ISOLATE_START, "").replace(_ISOLATE_END, "")
    match = re.fullmatch(r"(.*?)(:[0-9]+)?", ref, re.DOTALL)
    assert match is not None  # the pattern matches every string
    name, line = match.group(1), match.group(2) or ""
    if any(char.isspace() for char in name) or not name:
        return f"{_ISOLATE_START}{name}{_ISOLATE_END}{line}"
    return ref


def _reference_lines(references: tuple[str, ...]) -> list[str]:
    lines, current = [], ""
    for ref in map(format_reference, references):
        if current and len(current) + 1 + len(ref) > WIDTH:
            lines.append(current)
            current = ""
        current = (current or "#:") + " " + ref
    return lines + ([current] if current else [])


def _entry_lines(entry: Entry) -> list[str]:
    lines = _comment_lines("#", entry.comments) + _comment_lines("#.", entry.extracted) + _reference_lines(entry.references)
    if entry.flags:
        lines.append("#, " + ", ".join(one_line(f).replace(",", " ") for f in entry.flags))
    prefix = "#~ " if entry.obsolete else ""
    previous = "#~| " if entry.obsolete else "#| "
    wrap = "no-wrap" not in entry.flags
    if entry.previous_msgctxt is not None and entry.previous_msgid is not None:
        lines += _string(previous, "msgctxt", entry.previous_msgctxt, wrap)
    if entry.previous_msgid is not None:
        lines += _string(previous, "msgid", entry.previous_msgid, wrap)
    if entry.msgctxt is not None:
        lines += _string(prefix, "msgctxt", entry.msgctxt, wrap)
    lines += _string(prefix, "msgid", entry.msgid, wrap)
    if entry.plural:  # another tool's plural message, written back as read
        lines += _string(prefix, "msgid_plural", entry.msgid_plural or "", wrap)
        for n, form in enumerate(entry.msgstr_plural or ("",)):
            lines += _string(prefix, f"msgstr[{n}]", form, wrap)
    else:
        lines += _string(prefix, "msgstr", entry.msgstr, wrap)
    return lines


def _without_obsolete_duplicates(entries: tuple[Entry, ...]) -> Iterator[Entry]:
    """Drop an obsolete entry whose msgctxt/msgid an active or earlier obsolete entry already
    has: msgfmt, msgcat and msgmerge refuse such a file ("duplicate message definition")."""
    seen = {e.key for e in entries if not e.obsolete}
    for entry in entries:
        if entry.obsolete:
            if entry.key in seen:
                continue
            seen.add(entry.key)
        yield entry


def format_catalog(catalog: Catalog) -> str:
    """The exact text written for ``catalog`` (GNU layout, UTF-8, wrap width 79)."""
    return "".join(_pieces(catalog))


def _header_piece(catalog: Catalog) -> str:
    """The header block's text (without the blank line after it); "" when there is no header."""
    if not (catalog.header or catalog.header_comment or catalog.header_flags):
        return ""
    head = _comment_lines("#", tuple(catalog.header_comment.split("\n"))) if catalog.header_comment else []
    if catalog.header_flags:
        head.append("#, " + ", ".join(catalog.header_flags))
    head += _string("", "msgid", "")
    head += _string("", "msgstr", "".join(f"{one_line(name)}: {one_line(value)}\n"
                                          for name, value in catalog.header))
    return "\n".join(head)


def _body_pieces(catalog: Catalog, after_header: bool):
    """The text of every entry block as it is produced, each with the separator before it, and the
    final newline: :func:`format_catalog` is the header piece followed by these."""
    first = not after_header
    for entry in _without_obsolete_duplicates(catalog.entries):
        yield ("" if first else "\n\n") + "\n".join(_entry_lines(entry))
        first = False
    yield "\n"


def _pieces(catalog: Catalog):
    head = _header_piece(catalog)
    if head:
        yield head
    yield from _body_pieces(catalog, bool(head))


def build_header(*, language: str | None, project: str, template: bool, creation_date: str | None = None,
                 revision_date: str | None = None, existing: Catalog | None = None) -> tuple[tuple[str, str], ...]:
    """The header fields for a catalogue we write.

    We own the project, language, plural and encoding fields and the
    POT-Creation-Date; fields a reviewer's editor sets (translator, team,
    revision date, generator, other ``X-*``) are kept from ``existing``,
    unless they still hold gettext's initial placeholders. A missing date
    defaults to :func:`timestamp` (dates never count as a change, see
    :func:`write_catalog`).
    """
    creation_date = creation_date or timestamp()
    revision_date = revision_date or creation_date

    def kept(name: str, default: str) -> str:
        value = existing.header_value(name) if existing is not None else None
        return default if value is None or any(m in value for m in _INITIAL_DEFAULTS) else value

    lang = "" if template else (language or "")
    fields = [
        ("Project-Id-Version", project),
        ("Report-Msgid-Bugs-To", kept("Report-Msgid-Bugs-To", "")),
        ("POT-Creation-Date", creation_date),
        ("PO-Revision-Date", kept("PO-Revision-Date", revision_date)),
        ("Last-Translator", kept("Last-Translator", "")),
        ("Language-Team", kept("Language-Team", "")),
        ("Language", lang),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", plural_forms(lang)),
        ("X-Generator", kept("X-Generator", f"outreach {__version__}")),
    ]
    if existing is not None:
        known = {name.lower() for name, _ in fields}
        fields += [(n, v) for n, v in existing.header if n.upper().startswith("X-") and n.lower() not in known]
    return tuple(fields)


_ENTRY_FIELDS = tuple(f.name for f in fields(Entry) if f.name != "line")


def same_content(old: Catalog, new: Catalog) -> bool:
    """Do two catalogues mean the same, ignoring layout, line numbers and the date fields? ``new``
    as :func:`format_catalog` writes it (no obsolete duplicates). Entry by entry, no copies."""
    dates = {name.lower() for name in DATE_FIELDS}
    if (old.header_comment, old.header_flags) != (new.header_comment, new.header_flags):
        return False
    if [f for f in old.header if f[0].lower() not in dates] != [f for f in new.header if f[0].lower() not in dates]:
        return False
    written = _without_obsolete_duplicates(new.entries)
    for a in old.entries:
        b = next(written, None)
        if b is None or (a is not b and any(getattr(a, name) != getattr(b, name) for name in _ENTRY_FIELDS)):
            return False
    return next(written, None) is None


def timestamp(now: datetime | None = None) -> str:
    """A header date "YYYY-MM-DD HH:MM+0000": ``now``, else SOURCE_DATE_EPOCH, else the current UTC time."""
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch:
            try:
                now = datetime.fromtimestamp(int(epoch), timezone.utc)
            except (ValueError, OverflowError, OSError):
                raise ConfigError(f"SOURCE_DATE_EPOCH is not a Unix time: {epoch!r}") from None
        else:
            now = datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M+0000")


_ANY = object()


def write_catalog(path: Path, catalog: Catalog, *, now: str | None = None, expected=_ANY,
                  known: tuple[Catalog, Fingerprint] | None = None, changed: bool = False) -> bool:
    """Write ``catalog`` (header already built) to ``path`` unless the file already says the same.

    Returns False when nothing was written. Otherwise the date field that
    records the change (POT-Creation-Date for a .pot, PO-Revision-Date for a
    .po) is set to ``now`` (default: :func:`timestamp`) and the file is
    replaced atomically. An existing file that cannot be parsed raises
    :class:`CatalogError` rather than being overwritten. ``expected`` (a
    :class:`pipeline.fsutil.Fingerprint`, or None for "no file"): replace the
    file only if it is still what was read, else :class:`ConflictError`.
    ``known``: the file as parsed already and the fingerprint of what was parsed, so that it is
    not read again to compare contents while it is still that. ``changed``: the caller knows the
    content differs from the file's (entries were added, carried, revived or made obsolete), so
    the file is not read to compare contents at all.

    The text is formatted once, entry by entry, into the temporary file that becomes the new
    file, while being compared with the old file (with its own date): a 50 MB catalogue is
    never held as one string.
    """
    path = Path(path)
    field = "POT-Creation-Date" if path.suffix == ".pot" else "PO-Revision-Date"
    new = _with_field(catalog, field, now if now is not None else timestamp())
    with AtomicWriter(path) as out, _Comparison(path, field) as same:
        if _stream_encoding(new) is None:  # another charset, or one that cannot hold the text: as a whole
            data = encode_catalog(new)
            out.write(data)
            same.start(None if same.date is None else encode_catalog(same.dated(catalog, field)))
        else:
            head = _header_piece(new)
            out.write(head.encode("utf-8"))
            same.start(None if same.date is None else _header_piece(same.dated(catalog, field)).encode())
            buffer: list[str] = []
            size = 0
            for piece in _body_pieces(new, bool(head)):
                buffer.append(piece)
                size += len(piece)
                if size >= 1 << 19:
                    data = "".join(buffer).encode("utf-8")
                    same.feed(data)
                    out.write(data)
                    buffer, size = [], 0
            data = "".join(buffer).encode("utf-8")
            same.feed(data)
            out.write(data)
        if same.done():
            return False
        if path.exists() and not changed:
            old = known[0] if known is not None and fsutil.still(path, known[1]) else read_catalog(path)
            if same_content(old, catalog):
                return False
            del old
        out.commit() if expected is _ANY else out.commit(expected)
    return True


def _with_field(catalog: Catalog, field: str, value: str) -> Catalog:
    """``catalog`` with header ``field`` set to ``value`` (in its place, or last)."""
    header = [(n, v) for n, v in catalog.header if n.lower() != field.lower()]
    names = [n.lower() for n, _ in catalog.header]
    header.insert(names.index(field.lower()) if field.lower() in names else len(header), (field, value))
    return replace(catalog, header=tuple(header))


def _stream_encoding(catalog: Catalog) -> str | None:
    """"utf-8" when ``catalog`` is written in UTF-8 (what we write), else None."""
    found = _CHARSET.search(catalog.header_value("Content-Type") or "")
    try:
        return "utf-8" if codecs.lookup(found.group(1) if found else "UTF-8").name == "utf-8" else None
    except LookupError:
        return None


class _Comparison:
    """Compares the bytes being written, piece by piece, with the file on disk as it would be with
    its own dates in the header (:meth:`start` with that header, :meth:`dated`): :meth:`done`
    tells whether the file already says exactly this. Dates never count as a change, so a .po's
    POT-Creation-Date (a run's time, to the minute) is taken from the file as well."""

    def __init__(self, path: Path, field: str):
        self.date: str | None = None
        self.dates: dict[str, str] = {}
        self.handle = None
        self.equal = False
        try:
            self.handle = open(path, "rb")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise CatalogError(f"cannot read: {exc.strerror or exc}", path=path) from exc
        start = self.handle.read(1 << 16)
        self.handle.seek(0)
        for name in DATE_FIELDS:
            found = re.search(rf'^"{name}: ([^"\\]*)\\n"$'.encode(), start, re.MULTILINE)
            if found:
                self.dates[name] = found.group(1).decode("utf-8", "replace")
        self.date = self.dates.get(field)

    def dated(self, catalog: Catalog, field: str) -> Catalog:
        """``catalog`` with ``field`` and the other date fields it has as the file has them."""
        assert self.date is not None
        header = tuple((n, self.dates.get(n, v) if n in DATE_FIELDS else v) for n, v in catalog.header)
        return _with_field(replace(catalog, header=header), field, self.date)

    def __enter__(self) -> "_Comparison":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.handle is not None:
            self.handle.close()

    def start(self, head: bytes | None) -> None:
        self.equal = head is not None and self.handle is not None and self.handle.read(len(head)) == head

    def feed(self, data: bytes) -> None:
        if self.equal:
            assert self.handle is not None
            self.equal = self.handle.read(len(data)) == data

    def done(self) -> bool:
        return self.equal and self.handle is not None and self.handle.read(1) == b""


_CHARSET = re.compile(r"charset=([\w.:-]+)", re.IGNORECASE)


def encode_catalog(catalog: Catalog) -> bytes:
    """The bytes of ``catalog``: in the charset of its Content-Type header (UTF-8 when absent or the
    ``CHARSET`` placeholder); when that charset cannot hold the text, the header is changed to
    UTF-8 and the file written in UTF-8, so bytes and header never disagree."""
    content_type = catalog.header_value("Content-Type") or ""
    found = _CHARSET.search(content_type)
    charset = found.group(1) if found else "UTF-8"
    text = format_catalog(catalog)
    try:
        if codecs.lookup(charset).name != "utf-8":
            return text.encode(charset)
    except (LookupError, UnicodeEncodeError):
        if found is None:
            raise
        utf8 = content_type[: found.start(1)] + "UTF-8" + content_type[found.end(1):]
        header = tuple((n, utf8 if n.lower() == "content-type" else v) for n, v in catalog.header)
        text = format_catalog(replace(catalog, header=header))
    return text.encode("utf-8")
