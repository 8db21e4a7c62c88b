"""Golden end-to-end cases (``make golden`` regenerates tests/golden/ on purpose)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from golden_cases import GOLDEN, cases, produce


@pytest.mark.parametrize("case", cases())
def test_golden_case(case, tmp_path):
    produced = produce(case, tmp_path)
    expected = {p.relative_to(GOLDEN / case).as_posix(): p.read_bytes()
                for p in sorted((GOLDEN / case).rglob("*")) if p.is_file()}
    assert sorted(produced) == sorted(expected), "set of output files differs; run 'make golden' if intended"
    for rel in expected:
        assert produced[rel].decode("utf-8") == expected[rel].decode("utf-8"), rel


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext not installed")
@pytest.mark.parametrize("case", cases())
def test_golden_catalogues_pass_msgfmt_check(case):
    for path in sorted((GOLDEN / case / "locales").rglob("*.po*")):
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, f"{path}: {result.stderr}"
