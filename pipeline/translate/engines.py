"""Translation engines: one batched call per run, routes and pivots shared.

An engine receives every :class:`TranslationRequest` of a run at once and
returns one :class:`Draft` (or ``None`` when it cannot translate that pair).
:class:`PairEngine` does the routing every engine needs: direct pairs,
pivoting through English when only ``pl→en`` and ``en→uk`` exist, and
de-duplication, so a concrete engine only translates lists of plain strings
for one language pair (``translate_pair``).

The engine here needs no model: ``none`` (leave ``msgstr`` empty). The
Argos/CTranslate2 engine lives in ``argos.py`` and is imported only when a run
really translates; :func:`pipeline.translate.create_engine` builds them all.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

Progress = Callable[[int, int], None]

#: A version or package code from outside (a model's metadata.json, a server's /spec): it is
#: written into every draft's note, so it must be one short printable word.
METADATA_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+~-]{0,63}")


def metadata_token(value: Any) -> str | None:
    """``value`` (a string or a number) if it is a plain version or code like ``1.9`` or
    ``translate-pl_en``, else None; never a line break, space or control character."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value)
    return text if METADATA_TOKEN.fullmatch(text) else None


def leg_progress(progress: Progress | None, leg: "Leg") -> Progress | None:
    """``progress`` for one model leg: its own callback when the caller tells legs apart
    (an object with ``for_leg(leg)``, e.g. to label bars "translating pl→en")."""
    for_leg = getattr(progress, "for_leg", None)
    return for_leg(leg) if for_leg is not None else progress


@dataclass(frozen=True)
class TranslationRequest:
    text: str
    source: str
    target: str


@dataclass(frozen=True)
class Draft:
    text: str
    note: str                 # "machine translation: <engine> <package> <version>[ + ...]"
    pivot: str | None = None  # the intermediate (English) text when the draft was pivoted


@dataclass(frozen=True)
class Leg:
    """A direct language pair an engine can translate, with what made it."""

    source: str
    target: str
    label: str  # e.g. "translate-pl_en 1.9"


class Engine(ABC):
    name = "engine"

    @abstractmethod
    def translate(self, requests: Sequence[TranslationRequest], progress: Progress | None = None) -> list[Draft | None]:
        """One draft (or ``None``) per request, in order."""

    def route(self, source: str, target: str) -> tuple[Leg, ...] | None:
        """The legs that translate ``source`` into ``target``, or ``None``."""
        return None

    def describe(self, route: Sequence[Leg]) -> str:
        """The comment on a draft made through ``route``: engine, models and versions."""
        return f"machine translation: {self.name} " + " + ".join(leg.label for leg in route)

    @property
    def has_models(self) -> bool:
        return False

    def close(self) -> None:  # noqa: B027  (optional hook: most engines hold nothing)
        """Release models and caches."""


class NoneEngine(Engine):
    """No machine translation: every msgstr stays empty for a human."""

    name = "none"

    def translate(self, requests, progress=None):
        return [None] * len(requests)


class PairEngine(Engine):
    """Routing, pivoting and de-duplication over direct pairs."""

    pivot_language = "en"

    @abstractmethod
    def legs(self) -> Iterable[Leg]:
        """The direct pairs available."""

    @abstractmethod
    def translate_pair(self, leg: Leg, texts: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Translate distinct plain texts for one direct pair, in one batch."""

    @property
    def has_models(self) -> bool:
        return any(True for _ in self.legs())

    def route(self, source, target):
        direct = {(leg.source, leg.target): leg for leg in self.legs()}
        if (source, target) in direct:
            return (direct[(source, target)],)
        pivot = self.pivot_language
        if source != pivot and target != pivot and (source, pivot) in direct and (pivot, target) in direct:
            return (direct[(source, pivot)], direct[(pivot, target)])
        return None

    def translate(self, requests, progress=None):
        routes = [self.route(r.source, r.target) for r in requests]
        # First legs of every route, grouped by pair: one batch per pair.
        first = self._run_legs([(route[0], r.text) for r, route in zip(requests, routes) if route], progress)
        second_jobs = [(route[1], first[(route[0], r.text)]) for r, route in zip(requests, routes) if route and len(route) > 1]
        second = self._run_legs(second_jobs, progress)
        drafts: list[Draft | None] = []
        for request, route in zip(requests, routes):
            if not route:
                drafts.append(None)
                continue
            text = first[(route[0], request.text)]
            pivot = None
            if len(route) > 1:
                pivot, text = text, second[(route[1], text)]
            note = self.describe(route)
            drafts.append(Draft(text=text, note=note, pivot=pivot))
        return drafts

    def _run_legs(self, jobs: list[tuple[Leg, str]], progress: Progress | None) -> dict[tuple[Leg, str], str]:
        by_leg: dict[Leg, list[str]] = {}
        for leg, text in jobs:
            texts = by_leg.setdefault(leg, [])
            if text not in texts:
                texts.append(text)
        done: dict[tuple[Leg, str], str] = {}
        for leg, texts in by_leg.items():
            for text, out in zip(texts, self.translate_pair(leg, texts, leg_progress(progress, leg))):
                done[(leg, text)] = out
        return done
