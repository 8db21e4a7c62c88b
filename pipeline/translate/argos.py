"""The Argos engine: installed Argos Translate packages run with CTranslate2 + SentencePiece.

We never call ``argostranslate.translate`` (it imports torch and downloads a
sentence splitter); a package is just ``model/`` (CTranslate2), a
``sentencepiece.model`` and ``metadata.json``. ``ctranslate2`` and
``sentencepiece`` are imported only when a model is loaded, so importing this
module (``outreach status``/``check``) never loads the MT stack.

:meth:`ArgosEngine.translate_pair` takes every distinct text of a run for one
pair: cached texts need no inference; the rest are, in chunks (so an
interrupted run resumes from the cache), joined into one line, protected,
split into sentences, tokenized, sorted by length and translated in batches
(of at most ``batch_examples`` sentences and ``batch_tokens`` source tokens) whose
decoding length is bounded by the longest input of the batch
(``max_length_ratio`` × tokens + 10). All batches of a pass are submitted at
once (``asynchronous=True``), so ``inter_threads`` workers run them side by
side; :func:`thread_layout` chooses the workers and their threads from the
cores (bench/ceiling.py measured the choice). The shared steps — cache,
protection, sentence splitting, fallback — are in :mod:`pipeline.translate.drafting`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from pipeline.translate.drafting import DraftingStats, SentenceEngine
from pipeline.translate.engines import Leg, metadata_token
from pipeline.errors import ModelError, TranslationError
from pipeline.translate.models import InstalledModel, list_models, models_dir, version_key
from pipeline.translate.mtcache import TranslationCache

_SPECIAL = {"<blank>", "<s>", "</s>", "<pad>", "<unk>"}
INSTALL_HINT = "install models with 'outreach models install pl-en en-uk' (or a .argosmodel file)"


@dataclass
class EngineStats(DraftingStats):
    """The drafting counters, and what only a local model has."""

    batches: int = 0        # translate_batch calls
    empty: int = 0          # sentences the model answered with nothing (source kept)


@dataclass(frozen=True)
class Package:
    """An installed model as the engine sees it."""

    model: InstalledModel
    code: str                 # e.g. "translate-pl_en": the label and the cache key
    version: str
    target_prefix: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} {self.version}".strip()


def read_package(model: InstalledModel) -> Package:
    """The engine's view of ``model`` (name and target prefix from ``metadata.json``)."""
    try:
        meta = json.loads((model.path / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise ModelError(f"unreadable metadata.json ({exc})", path=model.path) from exc
    meta = meta if isinstance(meta, dict) else {}
    code = metadata_token(meta.get("code")) or f"translate-{model.from_code}_{model.to_code}"
    prefix = meta.get("target_prefix") or ""
    return Package(model, code, model.version, prefix if isinstance(prefix, str) else "")


class ArgosEngine(SentenceEngine):
    name = "argos"

    def __init__(self, models: Sequence[InstalledModel] = (), settings: Any = None, *,
                 cache: TranslationCache | None = None, extra_terms: Sequence[str] = (),
                 chunk_size: int = 64, max_batch_tokens: int = 2048, batch_examples: int = 32,
                 max_length_ratio: float = 1.5):
        best: dict[tuple[str, str], Package] = {}
        for model in models:
            package = read_package(model)
            pair = (model.from_code, model.to_code)
            if pair not in best or version_key(package.version) > version_key(best[pair].version):
                best[pair] = package
        self._packages = best
        self._legs = tuple(Leg(s, t, p.label) for (s, t), p in sorted(best.items()))
        self.settings = settings
        self.pivot_language = getattr(settings, "pivot_language", "en") or "en"
        self.cache = cache
        self.extra_terms = tuple(extra_terms)
        self.chunk_size = max(1, chunk_size)
        self.max_batch_tokens = max(16, max_batch_tokens)
        self.batch_examples = max(0, batch_examples)
        self.max_length_ratio = max(1.0, float(max_length_ratio))
        self.stats = EngineStats()
        self._loaded: dict[Path, tuple[Any, Any]] = {}
        self._tokenizers: dict[Path, Any] = {}

    def legs(self) -> tuple[Leg, ...]:
        return self._legs

    def package(self, leg: Leg) -> Package:
        package = self._packages.get((leg.source, leg.target))
        if package is None or package.label != leg.label:
            have = ", ".join(f"{s}-{t}" for s, t in sorted(self._packages)) or "none"
            raise ModelError(f"no {leg.source}-{leg.target} model ({leg.label}) installed (installed: {have})")
        return package

    def _load(self, package: Package, batches: int | None = None) -> tuple[Any, Any]:
        """The package's translator and tokenizer; ``batches``, the first call's batch count, picks
        the thread layout (:func:`thread_layout`) when the translator is created."""
        path = package.model.path
        if path in self._loaded:
            return self._loaded[path]
        sp = self._tokenizer(package)
        try:
            import ctranslate2
        except ImportError as exc:
            raise ModelError(f"the argos engine needs ctranslate2 and sentencepiece: {exc}") from exc
        if not (path / "model" / "model.bin").is_file():
            raise ModelError("no model/model.bin in the package (incomplete install?)", path=path)
        device = getattr(self.settings, "device", "cpu") or "cpu"
        try:
            if device == "auto":
                device = "cuda" if ctranslate2.get_cuda_device_count() else "cpu"
            inter, intra = thread_layout(self.settings, batches)
            translator = ctranslate2.Translator(str(path / "model"), device=device, inter_threads=inter,
                                                intra_threads=intra)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"cannot load the CTranslate2 model ({_first_line(exc)})", path=path / "model") from exc
        self._loaded[path] = (translator, sp)
        return translator, sp

    def _tokenizer(self, package: Package) -> Any:
        path = package.model.path
        if path in self._tokenizers:
            return self._tokenizers[path]
        try:
            import sentencepiece
        except ImportError as exc:
            raise ModelError(f"the argos engine needs ctranslate2 and sentencepiece: {exc}") from exc
        sp_path = path / "sentencepiece.model"
        if not sp_path.is_file():
            if (path / "bpe.model").is_file():
                raise ModelError("BPE-tokenized (old) Argos packages are not supported; install a current "
                                 "package with a sentencepiece.model", path=path)
            raise ModelError("no sentencepiece.model in the package", path=path)
        try:
            sp = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
        except (RuntimeError, OSError, ValueError) as exc:
            raise ModelError(f"cannot load the SentencePiece model ({_first_line(exc)})", path=sp_path) from exc
        self._tokenizers[path] = sp
        return sp

    def close(self) -> None:
        self._loaded.clear()
        self._tokenizers.clear()
        if self.cache is not None:
            self.cache.close()

    def _model(self, leg: Leg) -> Package:
        return self.package(leg)

    def _identity(self, package: Package) -> tuple[str, str]:
        return package.code, package.version

    def _translate_sentences(self, package: Package, sentences: list[str]) -> list[str]:
        """One length-sorted batched pass over ``sentences``: every batch submitted at once."""
        if not sentences:
            return []
        sp = self._tokenizer(package)
        tokens = [t or ["▁"] for t in sp.encode(sentences, out_type=str)]
        outputs: list[str] = [""] * len(tokens)
        groups = batches([len(t) for t in tokens], self.max_batch_tokens, self.batch_examples)
        translator, _sp = self._load(package, len(groups))
        pending = [(group, self._submit(package, translator, [tokens[i] for i in group])) for group in groups]
        for group, results in pending:
            self._collect(package, sp, results, group, outputs)
        self.stats.sentences += len(sentences)
        self.stats.empty += outputs.count("")
        # Never lose a sentence: where the model gave nothing the reviewer sees the source.
        return [out or source for out, source in zip(outputs, sentences)]

    def _submit(self, package: Package, translator: Any, batch: list[list[str]]) -> list[Any]:
        """Start one batch on the next free worker; the results are futures."""
        prefix = [[package.target_prefix] for _ in batch] if package.target_prefix else None
        try:
            results = translator.translate_batch(
                batch,
                target_prefix=prefix,
                beam_size=max(1, getattr(self.settings, "beam_size", 2) or 2),
                max_decoding_length=decoding_limit(max(len(t) for t in batch), self.max_length_ratio),
                replace_unknowns=True,
                asynchronous=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise TranslationError(f"the {package.label} model failed: {_first_line(exc)}") from exc
        self.stats.batches += 1
        return results

    def _collect(self, package: Package, sp: Any, futures: list[Any], group: list[int], outputs: list[str]) -> None:
        try:
            results = [future.result() for future in futures]
        except (RuntimeError, ValueError) as exc:
            raise TranslationError(f"the {package.label} model failed: {_first_line(exc)}") from exc
        for i, result in zip(group, results):
            hypothesis = list(result.hypotheses[0]) if result.hypotheses else []
            if package.target_prefix and hypothesis[:1] == [package.target_prefix]:
                hypothesis = hypothesis[1:]
            hypothesis = [t for t in hypothesis if t not in _SPECIAL]
            text = sp.decode_pieces(hypothesis).replace("▁", " ").strip()
            if package.target_prefix and text.startswith(package.target_prefix):
                text = text[len(package.target_prefix):].strip()
            outputs[i] = text


def thread_layout(settings: Any, batches: int | None = None) -> tuple[int, int]:
    """``(inter_threads, intra_threads)``: the settings, or what bench/ceiling.py found fastest.

    Default: one single-threaded worker per core, so that many batches run side by side
    (on a quiet 2-core machine at beam 4, bench/ceiling.py measured 2 workers × 1 thread
    1.4–1.8× faster than 1 × 2 on the same batches: one batch's matrices are too small
    to keep two threads busy). When the work is fewer batches than cores (``batches``,
    known when the model is loaded), the cores go to fewer workers with more threads,
    so a day's three new sentences still use every core.
    """
    cores = os.cpu_count() or 1
    inter = getattr(settings, "inter_threads", 0) or 0
    intra = getattr(settings, "threads", 0) or 0
    if not inter:
        inter = cores if not batches or batches >= cores else max(1, batches)
        if intra:
            inter = max(1, min(inter, cores // intra))
    if not intra:
        intra = max(1, cores // inter)
    return inter, intra


def batches(lengths: Sequence[int], max_tokens: int, max_examples: int = 0) -> list[list[int]]:
    """Indices of ``lengths`` sorted by length and cut into batches of at most ``max_examples``
    sentences (when > 0) and at most ``max_tokens`` source tokens (a longer sentence gets a batch alone)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = [[]]
    size = 0
    for i in order:
        full = size + lengths[i] > max_tokens or (max_examples > 0 and len(groups[-1]) >= max_examples)
        if groups[-1] and full:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += lengths[i]
    return groups if groups[0] else []


def decoding_limit(longest: int, ratio: float) -> int:
    """Decoding steps allowed for a batch whose longest source has ``longest`` tokens."""
    return min(512, int(ratio * longest) + 10)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_engine(settings: Any, *, required: bool, cache: TranslationCache | None = None,
                extra_terms: Sequence[str] = ()) -> ArgosEngine:
    """The Argos engine over the installed models.

    ``required`` (``--engine argos``): :class:`ModelError` when no model is
    installed. Otherwise ("auto") an engine without legs: ``has_models`` is
    False and every request gets ``None``.
    """
    configured = getattr(settings, "models_dir", None)
    try:
        directory = models_dir(settings.resolve(configured) if configured is not None else None)
    except ModelError:
        if required:
            raise
        return ArgosEngine((), settings)  # light install, no models folder: catalogues without drafts
    models = list_models(directory)
    if not models:
        if required:
            raise ModelError(f"no translation model installed in {directory}; {INSTALL_HINT}")
        return ArgosEngine((), settings)
    return ArgosEngine(models, settings, cache=cache, extra_terms=extra_terms,
                       max_batch_tokens=getattr(settings, "batch_tokens", 2048),
                       batch_examples=getattr(settings, "batch_examples", 32),
                       max_length_ratio=getattr(settings, "max_length_ratio", 1.5))
