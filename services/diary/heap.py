"""The diary process's collector settings, applied once start-up is done.

Shared by the service's entry point and the store bench, so the bench measures the process
as it runs.
"""

import gc

# A read of five years builds ~10,000 container objects (rows, facts, day records) that live
# until the response is sent. At CPython's default threshold (700) that is ~16 young
# collections per read, each re-traversing the read's survivors so far: 2-5 ms of a ~20 ms
# read. They are freed by reference counting, not by the collector; cycles are rare, so
# collecting young objects every 50,000 allocations costs little memory.
YOUNG_THRESHOLD = 50_000


def settle_heap() -> None:
    """Call when start-up is done. What is alive then (modules, models, routes) lives as long
    as the process: frozen, the collector's full passes no longer re-scan it (tens of ms)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
