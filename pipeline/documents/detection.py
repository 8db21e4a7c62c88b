"""Language detection: which language is a document, and which of its segments are not?

Uses langdetect, but never its global factory: each :class:`Detector` builds a
private ``DetectorFactory`` holding only the candidate language profiles, with a
fixed seed, so the same text always gets the same answer (in any process).

langdetect's own loops (a method call and a Unicode-block lookup per character
to build n-grams, a method call per sampled n-gram) were ~70 % of a run without
models; :func:`_fast_detector` subclasses its ``Detector`` with the same
algorithm written as tight loops — same n-grams, same random draws, same
floating-point operations in the same order, hence the same probabilities
(tests/test_detection.py compares both on every test text). Each short cleaned
text is judged once per detector (:meth:`Detector.probabilities` caches by
text), and a text of ``LONG_TEXT_CHARS`` or more gets one random trial instead
of langdetect's seven. Given a :class:`~pipeline.documents.detected.DetectionStore`,
a detector also remembers what it found across runs: a re-run after an edit detects
only the new and changed paragraphs.

Two extra kinds of evidence make short judgements reliable:

* the text is cleaned first -- URLs, e-mail addresses, Markdown link targets,
  inline code, digits and punctuation only mislead the n-gram model;
* the script decides the plausible candidates -- Cyrillic text can never be
  Polish, English or German, and Latin text can never be Ukrainian or Russian.
  Implausible candidates get a prior of zero, so langdetect's probabilities are
  spread over the plausible ones only.

Segments too short to judge, and segments whose differing guess is uncertain,
inherit the document's language (``inherited=True``).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Sequence

from pipeline.documents import detected
from pipeline.documents.languages import DocumentLanguage, SegmentLanguage
from pipeline.errors import ConfigError
from pipeline.text import protect

DEFAULT_CANDIDATES = ("pl", "en", "uk", "ru", "de")

# A segment needs this much text (after cleaning) to get its own judgement.
MIN_WORDS = 4
MIN_LETTERS = 20


def long_enough_to_judge(cleaned: str) -> bool:
    """Whether a text (after :func:`clean_text`) is long enough for its language to be judged on its own."""
    return len(cleaned.split()) >= MIN_WORDS and len(cleaned) - cleaned.count(" ") >= MIN_LETTERS
# A segment reported in a language other than the document's needs this much.
MIN_FOREIGN_PROBABILITY = 0.80
# langdetect sees at most this many characters of a segment (it samples n-grams
# anyway): a single 1 MB paragraph costs no more than a long one.
MAX_DETECT_CHARS = 2000
# langdetect averages 7 random trials to smooth the sampling of a short text; from ~20 words on
# every trial converges to the same answer (bench/detection.py: the same language, rounded
# probability and inheritance for all 5,527 segments of the 2 MB input with 1 trial as with 7),
# so from this many characters (after cleaning) one trial is taken.
LONG_TEXT_CHARS = 120
LONG_TEXT_TRIALS = 1
_JUDGED_MAX = 20_000   # short cleaned texts remembered per Detector

# A text is in one script when this share of its letters is.
SCRIPT_SHARE = 0.8
# Scripts of the languages langdetect ships; languages in neither set (Greek,
# Arabic, CJK, ...) are never excluded by the script rule.
CYRILLIC_LANGS = frozenset({"bg", "mk", "ru", "uk"})
LATIN_LANGS = frozenset(
    "af ca cs cy da de en es et fi fr hr hu id it lt lv nl no pl pt ro sk sl so sq sv sw tl tr vi".split()
)

_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_LINK_TARGET = re.compile(r"\]\([^)\]]*\)")  # "]" ends it too: linear on "](a ](a …"
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_INLINE_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")  # HTML tags, office inline codes (<b>, <x1/>)
_NON_LETTER = re.compile(r"[\W\d_]+")  # anything that is not a letter


def clean_text(text: str) -> str:
    """Keep only the words: drop URLs, e-mails, link targets, inline code, tags, digits, punctuation."""
    lowered = text.lower()
    for pattern, needs in ((_LINK_TARGET, ("](",)), (_INLINE_CODE, ("`",)), (_INLINE_TAG, ("<",)),
                           (_URL, ("://", "www.")), (protect.EMAIL, ("@",))):
        if any(n in lowered for n in needs):  # otherwise the pattern cannot match: skip it
            text = pattern.sub(" ", text)
    return " ".join(_NON_LETTER.sub(" ", text).split())


_SCRIPT_OF: dict[str, str] = {}   # character → "cyrillic", "latin" or "" (memo of _script's Unicode lookups)


def _script(text: str) -> str | None:
    """``"cyrillic"`` or ``"latin"`` when at least 80% of the letters are in it, else ``None``.

    A mixed text (a Polish document quoting a Ukrainian paragraph) has no script.
    """
    cyrillic = latin = 0
    for ch, count in Counter(text).items():  # per distinct character: a 1 MB paragraph stays fast
        script = _SCRIPT_OF.get(ch)
        if script is None:
            name = unicodedata.name(ch, "") if ch.isalpha() else ""
            script = _SCRIPT_OF[ch] = "cyrillic" if name.startswith("CYRILLIC") else "latin" if name.startswith("LATIN") else ""
        if script == "cyrillic":
            cyrillic += count
        elif script == "latin":
            latin += count
    total = cyrillic + latin
    if total and cyrillic >= SCRIPT_SHARE * total:
        return "cyrillic"
    if total and latin >= SCRIPT_SHARE * total:
        return "latin"
    return None


def available_languages() -> tuple[str, ...]:
    """The language codes langdetect has a profile for, sorted."""
    return tuple(sorted(p.name for p in _profiles_dir().iterdir() if not p.name.startswith(".")))


def _profiles_dir() -> Path:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return Path(PROFILES_DIRECTORY)


class Detector:
    """Detects languages among a fixed set of candidates, deterministically.

    Profiles are loaded once, on first use. Raises :class:`ConfigError` for an
    unknown candidate code or an empty candidate list.
    """

    def __init__(self, candidates: Sequence[str] = DEFAULT_CANDIDATES, *, seed: int = 0, store=None):
        known = available_languages()
        codes = tuple(dict.fromkeys(_profile_code(c, known) for c in candidates))
        if not codes:
            raise ConfigError("no candidate languages for detection")
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ConfigError(
                f"unknown detection language(s) {', '.join(unknown)}; available: {', '.join(known)}"
            )
        self.candidates = codes
        self.seed = seed
        self._factory = None  # built lazily by _get_factory()
        self._judged: dict[str, list[tuple[str, float]]] = {}  # cleaned text → probabilities
        self._fast = None  # one fast langdetect detector, reset for each text
        self.store = store       # a DetectionStore (pipeline.documents.detected), or None
        self._recalled: dict[str, list[tuple[str, float]]] = {}   # this document's texts found in the store
        self._learned: dict[str, list[tuple[str, float]]] = {}    # … and the ones detected now

    def configuration(self) -> str:
        """What the answers depend on besides the text: another configuration, another store."""
        from importlib import metadata

        code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
        return f"candidates={','.join(self.candidates)};seed={self.seed};code={code};langdetect={metadata.version('langdetect')}"

    def _get_factory(self):
        """The private langdetect factory holding only the candidate profiles."""
        if self._factory is None:
            self._factory = _factory(self.candidates, self.seed)
        return self._factory

    def _plausible(self, script: str | None) -> tuple[str, ...]:
        """The candidates that can be written in ``script``."""
        excluded = {"cyrillic": LATIN_LANGS, "latin": CYRILLIC_LANGS}.get(script or "", frozenset())
        return tuple(c for c in self.candidates if c not in excluded)

    def probabilities(self, text: str) -> list[tuple[str, float]]:
        """``(lang, probability)`` pairs, best first, over the candidates plausible for the script.

        Returns ``[]`` when the text has no letters (after cleaning) or no
        candidate is written in its script. Probabilities sum to at most 1.0;
        langdetect leaves out languages below 0.1.
        """
        cleaned = clean_text(text)
        if not cleaned:
            return []
        return self._probabilities_of_cleaned(cleaned)

    def _probabilities_of_cleaned(self, cleaned: str) -> list[tuple[str, float]]:
        known = self._judged.get(cleaned)
        if known is None:
            known = self._recalled.get(cleaned)
        if known is None:
            known = self._probabilities(cleaned, fast=True)
            if self.store is not None:
                self._learned[cleaned] = known
            # What recurs is short (headings, "Wstęp wolny."); a bound keeps a 50 MB source's memory flat.
            if len(cleaned) < LONG_TEXT_CHARS and len(self._judged) < _JUDGED_MAX:
                self._judged[cleaned] = known
        return list(known)

    def _probabilities(self, cleaned: str, *, fast: bool) -> list[tuple[str, float]]:
        """:meth:`probabilities` of a cleaned text, with the fast detector or (``fast=False``) langdetect's own."""
        from langdetect.lang_detect_exception import LangDetectException

        plausible = self._plausible(_script(cleaned))
        if len(plausible) <= 1:
            return [(plausible[0], 1.0)] if plausible else []
        factory = self._get_factory()
        if fast:
            detector = self._fast
            if detector is None:
                detector = self._fast = _fast_detector()(factory)
            detector.text, detector.langprob, detector.n_trial = "", None, 7   # langdetect's fresh state
        else:
            detector = factory.create()
        if len(cleaned) >= LONG_TEXT_CHARS:
            detector.n_trial = LONG_TEXT_TRIALS
        detector.set_prior_map({code: 1.0 for code in plausible})
        detector.append(cleaned[:MAX_DETECT_CHARS])
        try:
            found = detector.get_probabilities()
        except LangDetectException:  # no usable n-grams (e.g. only capitalised words)
            return []
        # Round down so that float noise never makes the total exceed 1.0.
        result = [(item.lang, math.floor(item.prob * 1e6) / 1e6) for item in found]
        return sorted(result, key=lambda pair: (-pair[1], pair[0]))

    def detect_document(
        self, texts: Sequence[str], lines: Sequence[int], *, default: str | None = None
    ) -> DocumentLanguage:
        """Detect the language of a document and of each of its segments.

        ``texts[i]`` is segment ``i``, starting on source line ``lines[i]``. A
        document without usable letters gets ``default`` (or the first
        candidate) with probability 0.0.
        """
        if len(texts) != len(lines):
            raise ValueError("texts and lines must have the same length")
        cleaned = [clean_text(text) for text in texts]
        if self.store is not None:
            self._recall(cleaned)
        guesses = [self._guess(text) for text in cleaned]
        if self.store is not None:
            self.store.put_many({detected.text_key(text): found for text, found in self._learned.items()})
            self._recalled, self._learned = {}, {}
        doc_lang, doc_prob = self._vote(texts, guesses, default)
        segments = tuple(
            self._judge(index, line, guess, doc_lang, doc_prob)
            for index, (guess, line) in enumerate(zip(guesses, lines))
        )
        return DocumentLanguage(lang=doc_lang, probability=doc_prob, segments=segments)

    def _recall(self, cleaned: Sequence[str]) -> None:
        """What the store remembers of a document's texts (those not judged in this run already)."""
        wanted = {detected.text_key(text): text for text in cleaned if text and text not in self._judged}
        self._recalled = {wanted[key]: found for key, found in self.store.get_many(wanted).items()}

    def _guess(self, cleaned: str) -> tuple[int, str, float] | None:
        """(letters, best language, probability) of one cleaned segment, or None when it has no letters."""
        letters = len(cleaned) - cleaned.count(" ")  # clean_text keeps only letters and single spaces
        found = self._probabilities_of_cleaned(cleaned) if letters else []
        if not found:
            return None
        return (letters if long_enough_to_judge(cleaned) else -letters, found[0][0], found[0][1])

    def _vote(self, texts: Sequence[str], guesses, default: str | None) -> tuple[str, float]:
        """The document's language: segments vote with their letter counts.

        A vote per segment (rather than one detection over the joined text)
        keeps a Polish document with a Ukrainian and a Russian paragraph Polish.
        Short segments vote only when there is nothing else.
        """
        usable = [g for g in guesses if g and g[0] > 0] or [(abs(g[0]), g[1], g[2]) for g in guesses if g]
        if not usable:
            return (default or self.candidates[0]), 0.0
        weights: dict[str, float] = {}
        for letters, lang, prob in usable:
            weights[lang] = weights.get(lang, 0.0) + letters * prob
        lang = max(sorted(weights), key=lambda code: weights[code])
        # Confidence: how sure the segments that carry the majority are of it.
        total = sum(letters for letters, code, _ in usable if code == lang)
        return lang, round(min(1.0, weights[lang] / total), 2)

    def _judge(self, index: int, line: int, guess, doc_lang: str, doc_prob: float) -> SegmentLanguage:
        """One segment's language, or the document's when the segment cannot be judged."""
        if guess is None or guess[0] <= 0:
            return SegmentLanguage(index, line, doc_lang, doc_prob, inherited=True)
        _letters, lang, prob = guess
        if lang != doc_lang and prob < MIN_FOREIGN_PROBABILITY:
            return SegmentLanguage(index, line, doc_lang, doc_prob, inherited=True)
        return SegmentLanguage(index, line, lang, round(prob, 2), inherited=False)


@functools.lru_cache(maxsize=8)
def _profile_code(code: str, known: Sequence[str]) -> str:
    """The langdetect profile for a configured code: ``zh-cn`` as is, a regional code such as
    ``pt_BR`` or ``en_GB`` as its base language (langdetect has no regional profiles)."""
    code = code.strip().lower().replace("_", "-")
    if code in known:
        return code
    base = code.split("-")[0]
    return base if base in known else code


def _factory(candidates: tuple[str, ...], seed: int):
    """A langdetect factory with only ``candidates``, loaded once per process and set of languages.

    Detectors created from it are independent; the factory itself is only read.
    """
    from langdetect.detector_factory import DetectorFactory

    factory = DetectorFactory()
    directory = _profiles_dir()
    factory.load_json_profile([(directory / code).read_text(encoding="utf-8") for code in candidates])
    factory.set_seed(seed)
    return factory


@functools.lru_cache(maxsize=1)
def _fast_detector():
    """langdetect's ``Detector`` with its per-character and per-sample loops written tightly.

    Same algorithm, same results: ``_extract_ngrams`` normalizes with one
    ``str.translate`` (a table of ``NGram.normalize`` per character) and takes
    each word's n-grams (``NGram.add_char`` + ``NGram.get`` inlined) from a memo,
    since langdetect's n-gram buffer restarts after every space;
    ``_detect_block`` draws the same random numbers and does the same float
    operations as ``_update_lang_prob`` / ``_normalize_prob``; ``append`` and
    ``cleaning_text`` are the same filters as regular expressions / counts.
    """
    from operator import mul

    from langdetect.detector import Detector as Base
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException
    from langdetect.utils.ngram import NGram
    from langdetect.utils.unicode_block import unicode_block

    table: dict[int, str] = {}        # character → NGram.normalize(character), for str.translate
    table_chars: set[str] = set()
    spaces = re.compile(" {2,}")
    dmarks = re.compile(f"[{NGram.DMARK_CLASS}]")

    def _word_ngrams(word: str, known) -> list[str]:
        """``NGram.add_char`` + the n = 1..3 loop of langdetect's ``_extract_ngrams`` over one word."""
        result = []
        grams, capital = " ", False
        for c in word:
            prev = grams[-1]
            if len(grams) >= 3:
                grams = grams[1:]
            grams += c
            if c.isupper():
                if prev.isupper():
                    capital = True
            else:
                capital = False
            if capital:
                continue
            if c != " " and c in known:
                result.append(c)
            if len(grams) >= 2:
                if grams[-2:] in known:
                    result.append(grams[-2:])
                if len(grams) >= 3 and grams in known:
                    result.append(grams)
        return result

    class FastDetector(Base):
        def __init__(self, factory):
            super().__init__(factory)
            self._by_word = factory.__dict__.setdefault("_outreach_word_ngrams", {})

        def append(self, text):
            if "://" in text:   # neither pattern can match otherwise
                text = self.URL_RE.sub(" ", text)
            if "@" in text:
                text = self.MAIL_RE.sub(" ", text)
            if dmarks.search(text):
                text = NGram.normalize_vi(text)
            # langdetect keeps a space only when the character before it was not one.
            self.text += spaces.sub(" ", text[: self.max_text_length])

        def cleaning_text(self):
            if not self.text or max(self.text) < "\u0300":
                return  # nothing counts as non-Latin: langdetect would keep the text as it is
            latin = non_latin = 0
            for ch, count in Counter(self.text).items():
                if "A" <= ch <= "z":
                    latin += count
                elif ch >= "\u0300" and unicode_block(ch) != "Latin Extended Additional":
                    non_latin += count
            if latin * 2 < non_latin:
                self.text = "".join(ch for ch in self.text if ch < "A" or "z" < ch)

        def _extract_ngrams(self):
            # langdetect's n-gram buffer starts afresh after every space, so a word's n-grams do not
            # depend on what precedes it: compute them once per (word, followed by a space).
            known = self.word_lang_prob_map
            # (word, followed by a space) → its n-grams; per factory, as they depend on its profiles.
            by_word = self._by_word
            fresh = set(self.text).difference(table_chars)
            for ch in fresh:
                table[ord(ch)] = NGram.normalize(ch)
                table_chars.add(ch)
            parts = self.text.translate(table).split(" ")
            result = []
            last = len(parts) - 1
            for i, word in enumerate(parts):
                if word:
                    key = (word, i < last)
                    grams = by_word.get(key)
                    if grams is None:
                        grams = by_word[key] = _word_ngrams(word + " " if i < last else word, known)
                    result += grams
            return result

        def _detect_block(self):
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            known = self.word_lang_prob_map
            n_trial = self.n_trial
            langprob = [0.0] * len(self.langlist)
            self.random.seed(self.seed)
            gauss, getrandbits = self.random.gauss, self.random.getrandbits
            limit, threshold = self.ITERATION_LIMIT, self.CONV_THRESHOLD
            size = len(ngrams)
            bits = size.bit_length()
            for _ in range(n_trial):
                prob = self._init_probability()
                weight = (self.alpha + gauss(0.0, 1.0) * self.ALPHA_WIDTH) / self.BASE_FREQ
                i = 0
                while True:
                    pick = getrandbits(bits)   # random.choice(ngrams), draw for draw
                    while pick >= size:
                        pick = getrandbits(bits)
                    # p * (weight + q) and p / total, as in langdetect, without a Python frame per element
                    prob = list(map(mul, prob, map(weight.__add__, known[ngrams[pick]])))
                    if i % 5 == 0:
                        total = sum(prob)
                        prob = list(map(total.__rtruediv__, prob))
                        if max(prob) > threshold or i >= limit:
                            break
                    i += 1
                for j, p in enumerate(prob):
                    langprob[j] += p / n_trial
            self.langprob = langprob

    return FastDetector
