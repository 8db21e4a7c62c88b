"""What language detection found: the language of a document and of each of its segments.

Plain records, apart from the detector (:mod:`pipeline.documents.detection`), so a
no-change re-run can rebuild the saved report (:mod:`pipeline.runstate`) without
importing the detector.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SegmentLanguage:
    """The language of one segment of a document."""

    index: int  # index of the segment in the document
    line: int  # the segment's source line
    lang: str  # ISO 639-1 code
    probability: float  # 0..1, rounded to 2 decimals
    inherited: bool  # too short / too uncertain: took the document's language


@dataclass(frozen=True)
class DocumentLanguage:
    """The language of a whole document, and of each of its segments."""

    lang: str
    probability: float
    segments: tuple[SegmentLanguage, ...]

    @property
    def foreign(self) -> tuple[SegmentLanguage, ...]:
        """The segments written in a language other than the document's."""
        return tuple(s for s in self.segments if s.lang != self.lang)
