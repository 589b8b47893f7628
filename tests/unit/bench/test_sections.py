from pathlib import Path

import pytest

from bench.core.model import Plot, SectionResult, Series
from bench.core.plots import draw
from bench.core.section import BenchContext, Section, select


async def _nothing(ctx: BenchContext) -> SectionResult:
    return SectionResult()


def _section(name: str, group: str, part: int, after: tuple[str, ...] = ()) -> Section:
    return Section(name, group, part, name, _nothing, after=after)


REGISTRY = {
    s.name: s
    for s in (
        _section("engine", "micro", 5),
        _section("kafka-limit", "limits", 1),
        _section("postgres-limit", "limits", 1),
        _section("faststream", "faststream", 2, after=("kafka-limit",)),
    )
}


def test_everything_runs_in_the_order_of_the_issue_parts() -> None:
    assert [s.name for s in select([], REGISTRY)] == [
        "kafka-limit", "postgres-limit", "faststream", "engine",
    ]  # fmt: skip


def test_a_group_or_a_name_selects_and_brings_its_references() -> None:
    assert [s.name for s in select(["limits"], REGISTRY)] == ["kafka-limit", "postgres-limit"]
    assert [s.name for s in select(["faststream"], REGISTRY)] == ["kafka-limit", "faststream"]


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"known:.*limits"):
        select(["limit"], REGISTRY)


@pytest.mark.parametrize(
    "plot",
    [
        Plot("h", "latency_histogram", "latency", (Series("a", y=(1.0, 2.0, 2.5, 9.0)),)),
        Plot("t", "throughput_vs_offered", "rate", (Series("a", (100, 500), (99, 480)),)),
        Plot("s", "time_vs_size", "engine", (Series("a", (5, 10), (1, 3)),), linear_reference=True),
        Plot("b", "bars", "loop", (Series("raw", y=(10.0,)), Series("fs", y=(4.0,)))),
    ],
)
def test_every_plot_kind_draws_a_png(plot: Plot, tmp_path: Path) -> None:
    path = draw(plot, tmp_path, subtitle="2 cores · python 3.11")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
