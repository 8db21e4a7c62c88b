"""Build tiny but REAL Argos Translate packages (``.argosmodel``) at test time.

No torch, no download: the CTranslate2 Transformer is declared with
``ctranslate2.specs``, every weight is a seeded random numpy array, and the
tokenizer is a SentencePiece model trained on a few dozen Polish / English /
Ukrainian lines. The model translates into gibberish, but it loads and runs
exactly like a real Argos model (``ctranslate2.Translator(<pkg>/model)``).

Layout of the archive (one top-level folder, like the packages on the index)::

    translate-pl_en-1_0.argosmodel
      translate-pl_en/metadata.json
      translate-pl_en/sentencepiece.model
      translate-pl_en/model/model.bin
      translate-pl_en/model/config.json
      translate-pl_en/model/shared_vocabulary.json

Builds are cached for the whole session (keyed by every argument); callers get
their own copy of the archive in ``dest_dir``.
"""

from __future__ import annotations

import atexit
import functools
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

LANGUAGE_NAMES = {
    "pl": "Polish",
    "en": "English",
    "uk": "Ukrainian",
    "de": "German",
    "ru": "Russian",
    "fr": "French",
    "es": "Spanish",
}

# Enough text for SentencePiece to learn a few hundred pieces.
CORPUS = """\
Zapraszamy na spotkanie w bibliotece w sobotę o godzinie dziesiątej.
Biblioteka będzie nieczynna w poniedziałek z powodu inwentaryzacji.
Warsztaty dla dzieci odbędą się w czytelni na pierwszym piętrze.
Prosimy o zwrot książek przed końcem miesiąca.
Zbiórka darów dla uchodźców trwa do piątku.
Wolontariusze spotykają się we wtorek po południu.
Kurs języka polskiego dla dorosłych zaczyna się w październiku.
Dziękujemy wszystkim za pomoc i wsparcie naszej fundacji.
Nowe godziny otwarcia obowiązują od przyszłego tygodnia.
Zapisy przyjmujemy telefonicznie lub osobiście w sekretariacie.
Spotkanie autorskie z pisarką odbędzie się w czwartek wieczorem.
Wstęp wolny, liczba miejsc ograniczona.
We invite you to a meeting at the library on Saturday at ten o'clock.
The library will be closed on Monday because of the stocktaking.
Workshops for children will take place in the reading room upstairs.
Please return your books before the end of the month.
The collection of donations for refugees lasts until Friday.
Volunteers meet on Tuesday afternoon.
The Polish course for adults starts in October.
Thank you all for your help and for supporting our foundation.
The new opening hours apply from next week.
Registration by phone or in person at the office.
An author meeting with the writer will take place on Thursday evening.
Admission is free, the number of seats is limited.
Запрошуємо на зустріч у бібліотеці в суботу о десятій годині.
Бібліотека буде зачинена в понеділок через інвентаризацію.
Майстер-класи для дітей відбудуться в читальній залі на першому поверсі.
Просимо повернути книжки до кінця місяця.
Збір пожертв для біженців триває до п'ятниці.
Волонтери зустрічаються у вівторок після обіду.
Курс польської мови для дорослих починається в жовтні.
Дякуємо всім за допомогу та підтримку нашого фонду.
Нові години роботи діють з наступного тижня.
Запис телефоном або особисто в секретаріаті.
Зустріч з письменницею відбудеться в четвер увечері.
Вхід вільний, кількість місць обмежена.
a b c d e f g h i j k l m n o p q r s t u v w x y z ą ć ę ł ń ó ś ź ż
A B C D E F G H I J K L M N O P R S T U W Y Z 0 1 2 3 4 5 6 7 8 9 . , : ; ! ? - ( ) "
"""

SPECIAL_TOKENS = ("<unk>", "<blank>", "<s>", "</s>")

_CACHE_ROOT: Path | None = None


def _cache_root() -> Path:
    global _CACHE_ROOT
    if _CACHE_ROOT is None:
        _CACHE_ROOT = Path(tempfile.mkdtemp(prefix="argos-fixture-"))
        atexit.register(shutil.rmtree, _CACHE_ROOT, True)
    return _CACHE_ROOT


def archive_name(from_code: str, to_code: str, version: str) -> str:
    return f"translate-{from_code}_{to_code}-{version.replace('.', '_')}.argosmodel"


def build_argos_package(
    dest_dir: Path,
    from_code: str = "pl",
    to_code: str = "en",
    *,
    version: str = "1.0",
    seed: int = 0,
    name: str | None = None,
    num_layers: int = 1,
    d_model: int = 16,
    num_heads: int = 2,
    ffn_dim: int = 32,
    vocab_size: int = 250,
    model_vocab: int = 0,
) -> Path:
    """A real ``.argosmodel`` for ``from_code → to_code`` copied into ``dest_dir``.

    ``num_layers`` is used for both encoder and decoder. The defaults build in
    well under a second; ``build_base_model`` gives a Transformer-base sized one.
    ``model_vocab`` pads the model's vocabulary with unused tokens up to that
    size (real Argos models have ~32,000), so the output layer costs what a
    real one does; the SentencePiece model stays small.
    """
    cached = _build_cached(from_code, to_code, version, seed, name, num_layers, d_model, num_heads, ffn_dim, vocab_size,
                           model_vocab)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / cached.name
    shutil.copyfile(cached, target)
    return target


def build_base_model(
    dest_dir: Path,
    from_code: str = "pl",
    to_code: str = "en",
    *,
    num_layers: int = 6,
    d_model: int = 512,
    num_heads: int = 8,
    ffn_dim: int = 2048,
    vocab_size: int = 250,
    **kwargs,
) -> Path:
    """Same as ``build_argos_package`` with Transformer-base dimensions (6+6, 512, 8, 2048)."""
    return build_argos_package(
        dest_dir,
        from_code,
        to_code,
        num_layers=num_layers,
        d_model=d_model,
        num_heads=num_heads,
        ffn_dim=ffn_dim,
        vocab_size=vocab_size,
        **kwargs,
    )


def build_package_dir(dest_dir: Path, from_code: str = "pl", to_code: str = "en", **kwargs) -> Path:
    """The unpacked package folder (``dest_dir/translate-<from>_<to>``), as installed by Argos."""
    archive = build_argos_package(Path(tempfile.mkdtemp(dir=_cache_root())), from_code, to_code, **kwargs)
    with zipfile.ZipFile(archive) as zf:
        top = zf.namelist()[0].split("/")[0]
        zf.extractall(dest_dir)
    return Path(dest_dir) / top


@functools.lru_cache(maxsize=None)
def _build_cached(
    from_code: str,
    to_code: str,
    version: str,
    seed: int,
    name: str | None,
    num_layers: int,
    d_model: int,
    num_heads: int,
    ffn_dim: int,
    vocab_size: int,
    model_vocab: int = 0,
) -> Path:
    work = Path(tempfile.mkdtemp(dir=_cache_root()))
    top = f"translate-{from_code}_{to_code}"
    pkg = work / top
    (pkg / "model").mkdir(parents=True)

    sp_bytes = _sentencepiece_model(vocab_size)
    (pkg / "sentencepiece.model").write_bytes(sp_bytes)
    pieces = _pieces(sp_bytes)
    vocab = list(SPECIAL_TOKENS) + [p for p in pieces if p not in SPECIAL_TOKENS]
    vocab += [f"<extra_{i}>" for i in range(len(vocab), model_vocab)]

    _save_ct2_model(pkg / "model", vocab, seed, num_layers, d_model, num_heads, ffn_dim)

    metadata = {
        "package_version": version,
        "argos_version": "1.0",
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
        "code": f"translate-{from_code}_{to_code}",
        "name": name or f"{LANGUAGE_NAMES.get(from_code, from_code)} - {LANGUAGE_NAMES.get(to_code, to_code)} (test)",
    }
    (pkg / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    (pkg / "README.md").write_text("Tiny random test model. Translates into gibberish.\n", encoding="utf-8")

    archive = work / archive_name(from_code, to_code, version)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(pkg, f"{top}/")
        for path in sorted(pkg.rglob("*")):
            zf.write(path, path.relative_to(work).as_posix() + ("/" if path.is_dir() else ""))
    shutil.rmtree(pkg)
    return archive


@functools.lru_cache(maxsize=None)
def _sentencepiece_model(vocab_size: int) -> bytes:
    import sentencepiece as spm

    out = io.BytesIO()
    lines = [line for line in CORPUS.splitlines() if line.strip()]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=out,
        vocab_size=vocab_size,
        model_type="unigram",
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
    )
    return out.getvalue()


def _pieces(sp_bytes: bytes) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _save_ct2_model(
    out_dir: Path, vocab: list[str], seed: int, num_layers: int, d_model: int, num_heads: int, ffn_dim: int
) -> None:
    import ctranslate2.specs as specs

    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    rng = np.random.default_rng(seed)
    spec = specs.TransformerSpec.from_config((num_layers, num_layers), num_heads)
    v = len(vocab)
    d = d_model

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * (1.0 / np.sqrt(shape[-1]))).astype(np.float32)

    def fill(_spec, name: str, value) -> None:
        if value is not None and not (isinstance(value, str) and value == "__optional"):
            return
        parts = name.split("/")
        attr = parts[-1]
        scope = "/".join(parts[:-1])
        array: np.ndarray | None = None
        if attr == "gamma":
            array = np.ones(d, np.float32)
        elif attr == "beta":
            array = np.zeros(d, np.float32)
        elif "embeddings" in scope and attr == "weight":
            array = rand(v, d)
        elif scope.endswith("projection"):
            if attr == "weight":
                array = rand(v, d)
            elif attr == "bias":
                array = np.zeros(v, np.float32)
        elif attr in ("weight", "bias"):
            out_dim, in_dim = _linear_shape(scope, d, ffn_dim)
            array = rand(out_dim, in_dim) if attr == "weight" else np.zeros(out_dim, np.float32)
        if array is not None:
            setattr(_spec, attr, array)

    spec._visit(fill)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=None)
    spec.save(str(out_dir))


def _linear_shape(scope: str, d: int, ffn: int) -> tuple[int, int]:
    block, linear = scope.split("/")[-2:]
    if block == "ffn":
        return (ffn, d) if linear == "linear_0" else (d, ffn)
    if block == "self_attention":
        return (3 * d, d) if linear == "linear_0" else (d, d)
    if block == "attention":  # encoder-decoder attention: query, fused key/value, output
        return {"linear_0": (d, d), "linear_1": (2 * d, d), "linear_2": (d, d)}[linear]
    raise ValueError(f"unexpected linear layer {scope}")
