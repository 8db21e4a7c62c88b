"""Test isolation: never touch the real HOME or the network.

Argos Translate reads HOME, XDG_* and ARGOS_* variables (and creates folders
there) AT IMPORT TIME, so they are redirected to a throw-away folder here, at
module level, before any test module can import ``argostranslate``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

_TEST_HOME = Path(tempfile.mkdtemp(prefix="outreach-test-home-"))
atexit.register(shutil.rmtree, _TEST_HOME, True)

os.environ["HOME"] = str(_TEST_HOME)
os.environ["XDG_DATA_HOME"] = str(_TEST_HOME / ".local" / "share")
os.environ["XDG_CACHE_HOME"] = str(_TEST_HOME / ".cache")
os.environ["XDG_CONFIG_HOME"] = str(_TEST_HOME / ".config")
os.environ["ARGOS_PACKAGES_DIR"] = str(_TEST_HOME / "argos-packages")
# A closed local port: anything that still tries the real index fails fast offline.
os.environ["ARGOS_PACKAGE_INDEX"] = "http://127.0.0.1:9/"
os.environ.pop("SNAP", None)
os.environ.pop("ARGOS_TRANSLATE_PACKAGE_DIR", None)
os.environ.pop("ARGOS_DEV_MODE", None)

# tests/ on sys.path so test modules can `import argos_fixture`.
_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

TEST_HOME = _TEST_HOME

import profiles  # noqa: E402,F401  (loads the hypothesis profile: quick, or ci in make test)

# The deterministic test engine, as `--engine fake` (never offered by the product).
from fake_engine import FakeEngine  # noqa: E402

from pipeline import translate  # noqa: E402

translate.register_engine("fake", lambda settings: FakeEngine())
