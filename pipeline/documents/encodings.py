"""Text encodings of source files: decode without guessing silently.

A file is read as UTF-8 (with or without a BOM), UTF-16 (with a BOM, or
without one when the NUL-byte pattern is clear) or, failing that, as one of
the two legacy Polish encodings (Windows-1250 or ISO-8859-2) chosen by how
Polish the result looks. Anything else is a :class:`~pipeline.errors.SourceError`
naming the file, never mojibake. (Its own module so that formats which decode
themselves, such as web pages, can fall back on it.)
"""

from __future__ import annotations

import re

from pipeline.errors import SourceError


_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Characters that are ordinary in Polish text even though they are not ASCII.
_NEUTRAL = set("„”“‘’‚–—…«»°§©®€•·×\u00a0éüöäáíúôÉÜÖÄÁ")
# Characters a wrong legacy decoding typically produces (ą, ś, ź seen through
# the other code page): ± ¶ ¼ ¹ š ˇ ¦ ¬ Ľ ľ and friends.
_SUSPECT = set("±¶¼¹½¾²³¦¬ˇ˘˛˝¤¸¨´šŠťŤžŽľĽŕŔĺĹřŘůŮ")
_BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_UNDECIDED = (
    "cannot determine the text encoding (not UTF-8, Windows-1250 or ISO-8859-2); "
    "save it as UTF-8"
)


def normalise_newlines(text: str) -> str:
    """Convert CRLF and lone CR line ends to ``"\\n"``; so too the Unicode line and paragraph
    separators Word and web pages paste (U+2028, U+2029, NEL), which .po tools would split lines on."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = text.replace("\u2028", "\n").replace("\x85", "\n").replace("\u2029", "\n\n")
    return text


def decode_bytes(data: bytes, *, name: str, keep_newlines: bool = False) -> tuple[str, str]:
    """Decode a source file's bytes; return ``(text, encoding)``.

    The text has its BOM removed and its newlines normalised to ``"\\n"``
    (unless ``keep_newlines``: a web page is rebuilt byte for byte).
    Raises :class:`SourceError` (with ``path=name``) for binary data or an
    encoding that cannot be determined with confidence.
    """
    text, encoding = _decode(data, name)
    if _BINARY.search(text):
        raise SourceError("binary file, not a text", path=name)
    return (text if keep_newlines else normalise_newlines(text)), encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", name), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", name), "utf-16"
    utf16 = _bomless_utf16(data)
    if utf16:
        return _strict(data, utf16, name), utf16
    if _BINARY.search(data.decode("latin-1")):
        raise SourceError("binary file, not a text", path=name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data, name)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(f"invalid {encoding} text at byte {exc.start}", path=name) from None


def _bomless_utf16(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" when the NUL pattern says so, else None."""
    pairs = len(data) // 2
    if pairs == 0 or b"\x00" not in data:
        return None
    even_nul = data[0::2].count(0)
    odd_nul = data[1::2].count(0)
    if odd_nul * 2 > pairs and even_nul * 10 < odd_nul:
        return "utf-16-le"
    if even_nul * 2 > pairs and odd_nul * 10 < even_nul:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes, name: str) -> tuple[str, str]:
    best: tuple[int, str, str] | None = None
    for encoding in ("cp1250", "iso-8859-2"):  # cp1250 first: it wins ties
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue  # undefined byte in this code page
        score = _polish_score(text)
        if score is not None and (best is None or score > best[0]):
            best = (score, text, encoding)
    if best is None or best[0] <= 0:
        raise SourceError(_UNDECIDED, path=name)
    return best[1], best[2]


def _polish_score(text: str) -> int | None:
    """How Polish a decoding looks; None if it contains C1 control characters."""
    score = 0
    for char in text:
        if char < "\x80":
            continue
        if char <= "\x9f":
            return None
        if char in _POLISH:
            score += 1
        elif char in _SUSPECT:
            score -= 2
        elif char not in _NEUTRAL and not char.isalpha():
            score -= 1
    return score
