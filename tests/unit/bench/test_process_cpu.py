import os

from bench.process_cpu import cpu_seconds, machine_busy_seconds, usable_cores


def test_work_done_here_shows_in_the_process_and_the_machine_figures() -> None:
    own_before, busy_before = cpu_seconds(os.getpid()), machine_busy_seconds()
    assert own_before is not None and busy_before is not None
    total = 0
    while (cpu_seconds(os.getpid()) or 0) - own_before < 0.05:  # burn 50 ms of our own CPU
        total += sum(range(1000))
    own_after, busy_after = cpu_seconds(os.getpid()), machine_busy_seconds()
    assert own_after is not None and busy_after is not None
    assert own_after - own_before >= 0.05
    # The machine was busy at least while we were (both counted in clock ticks, separately).
    assert busy_after - busy_before >= 0.03
    assert 1 <= usable_cores() <= (os.cpu_count() or 1)
