"""The deterministic engine the tests translate with (never part of the product).

``conftest.py`` registers it as ``--engine fake``, so CLI tests can run the
whole pipeline without a model.
"""

from __future__ import annotations

from typing import Sequence

from pipeline.translate.engines import Leg, PairEngine


class FakeEngine(PairEngine):
    """Deterministic stand-in for a model: ``[uk] text`` with words reversed.

    Only the pairs it is given exist (default ``pl→en`` and ``en→uk``, so
    Ukrainian is reached through the English pivot like with real Argos
    models). ``calls`` records every batch, for tests that count inference.
    """

    name = "fake"

    def __init__(self, pairs: Sequence[tuple[str, str]] = (("pl", "en"), ("en", "uk"), ("uk", "en"), ("en", "pl"))):
        self._legs = tuple(Leg(s, t, f"fake-{s}_{t} 1.0") for s, t in pairs)
        self.calls: list[tuple[str, str, int]] = []

    def legs(self):
        return self._legs

    def translate_pair(self, leg, texts, progress=None):
        self.calls.append((leg.source, leg.target, len(texts)))
        if progress:
            progress(len(texts), len(texts))
        return [f"[{leg.target}] " + " ".join(reversed(text.split())) for text in texts]
