"""What a benchmark section reports: figures (one table row each) and plot series."""

from dataclasses import dataclass, field
from typing import Literal

Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class Target:
    """The goal a figure is held to, e.g. Target(50, "lower") for "≤ 50 µs"."""

    bound: float
    better: Better
    source: str = ""  # where the number comes from (issue, reference doc)

    def met_by(self, value: float) -> bool:
        return value >= self.bound if self.better == "higher" else value <= self.bound

    def describe(self) -> str:
        return f"{'≥' if self.better == 'higher' else '≤'} {format_number(self.bound)}"


@dataclass(frozen=True)
class Figure:
    """One measured number. `key` is stable across runs (the JSON's join key);
    `relative_to` names another figure's key: the runner adds value/that value as
    the ratio when both were measured in the same run."""

    key: str
    label: str
    value: float
    unit: str
    target: Target | None = None
    relative_to: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Series:
    """One line, bar set or sample set of a plot. For a histogram only `y` (the samples)."""

    label: str
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()


PlotKind = Literal["latency_histogram", "throughput_vs_offered", "time_vs_size", "bars"]


@dataclass(frozen=True)
class Plot:
    """A PNG the runner draws into the results folder as `<name>.png` (see bench.core.plots)."""

    name: str
    kind: PlotKind
    title: str
    series: tuple[Series, ...]
    x_label: str = ""
    y_label: str = ""
    # time_vs_size: draw a line through the first point growing linearly with x.
    linear_reference: bool = False


@dataclass
class SectionResult:
    figures: list[Figure] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # printed under the table, kept in JSON

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure


def format_number(value: float) -> str:
    """Three significant digits, thousands separated: 142 000 -> "142,000", 0.0421 -> "0.0421"."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"
