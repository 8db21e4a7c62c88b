"""Hypothesis profiles: quick for development (``make test-quick``), full in ``make test`` and CI.

``OUTREACH_HYPOTHESIS=ci`` (set by ``make test``) runs every property test with
the example counts written in the test; the default ``quick`` profile runs a
tenth of them (at least 10), so the quick suite stays quick on 2 cores.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("OUTREACH_HYPOTHESIS", "quick")
if PROFILE not in ("quick", "ci"):
    raise SystemExit(f"OUTREACH_HYPOTHESIS={PROFILE!r}: expected 'quick' or 'ci'")

settings.register_profile("ci", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("quick", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """How many examples a property test runs: ``full`` in CI, a tenth (at least 10) when quick."""
    return full if PROFILE == "ci" else max(10, full // 10)
