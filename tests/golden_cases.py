"""Golden end-to-end cases: tests/data/<case>/ → tests/golden/<case>/.

Each case is a workspace (``source_texts/`` and optional settings). The
pipeline runs on a copy with the deterministic fake engine, then ``build``;
the resulting ``locales/`` and ``build/`` trees are the golden output.

    python tests/golden_cases.py --regenerate    # (make golden) rewrite tests/golden/ on purpose
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GOLDEN = HERE / "golden"
EPOCH = "1767225600"  # 2026-01-01 00:00 UTC: fixed dates in headers


def cases() -> list[str]:
    return sorted(p.name for p in DATA.iterdir() if p.is_dir())


def produce(case: str, workdir: Path) -> dict[str, bytes]:
    """Run the case in ``workdir`` and return {relative path: bytes} of its outputs."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    ws = workdir / case
    shutil.copytree(DATA / case, ws)
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        runner = CliRunner()
        for args in (["run", "--engine", "fake", "-q"], ["build", "-q"]):
            result = runner.invoke(cli, [args[0], "-C", str(ws), *args[1:]])
            if result.exit_code != 0:
                raise RuntimeError(f"{case}: outreach {' '.join(args)} failed: {result.output}")
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    out = {}
    for folder in ("locales", "build"):
        for path in sorted((ws / folder).rglob("*")):
            if path.is_file():
                out[path.relative_to(ws).as_posix()] = path.read_bytes()
    return out


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases():
            target = GOLDEN / case
            if target.exists():
                shutil.rmtree(target)
            for rel, data in produce(case, Path(tmp)).items():
                path = target / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            print(f"regenerated tests/golden/{case}")


if __name__ == "__main__":
    sys.path[:0] = [str(HERE.parent), str(HERE)]
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit("usage: python tests/golden_cases.py --regenerate")
    from fake_engine import FakeEngine

    from pipeline import translate

    translate.register_engine("fake", lambda settings: FakeEngine())  # as conftest.py does
    regenerate()
