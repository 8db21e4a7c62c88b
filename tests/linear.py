"""Linear-time assertions shared by the timing tests: CPU-time ratios as the input grows 10×."""

from __future__ import annotations

import gc
import time

BOUND = 40  # 10× the input: linear ~10× (up to ~30× on a loaded machine), quadratic ≥ 90×


def timed(function, argument) -> float:
    gc.disable()  # a full collection's cost depends on the whole test session's heap
    try:
        started = time.process_time()  # CPU time: a loaded machine's preemptions do not count
        function(argument)
        return time.process_time() - started
    finally:
        gc.enable()


def assert_linear(function, make, size):
    """Small and large runs alternate (best of five each); a busy neighbour may still spoil one
    measurement, so up to three are made: quadratic code fails them all."""
    small, large = make(size), make(size * 10)
    ratios = []
    for _attempt in range(3):
        times = [(timed(function, small), timed(function, large)) for _ in range(5)]
        ratios.append(min(t for _, t in times) / max(min(t for t, _ in times), 1e-3))
        if ratios[-1] < BOUND:
            return
    assert min(ratios) < BOUND, f"10× the input took {min(ratios):.0f}× the time"
