"""PNG plots from the sections' Plot specs (matplotlib, Agg backend: no display needed).

One drawing function per PlotKind; a new kind is a function here plus its name in
bench.core.model.PlotKind.
"""

import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: the benchmark runs headless

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from bench.core.model import Plot, PlotKind
from bench.core.stats import percentile


def _latency_histogram(ax: Axes, plot: Plot) -> None:
    everything = [v for s in plot.series for v in s.y]
    low, high = min(everything), max(everything)
    bins = [low + (high - low) * i / 60 for i in range(61)]  # shared, so series compare
    for index, series in enumerate(plot.series):
        color = f"C{index}"  # the default colour cycle, so the lines match their bars
        ax.hist(series.y, bins=bins, alpha=0.6, label=series.label, color=color)
        for p, style in ((50, "-"), (99, "--")):
            ax.axvline(percentile(series.y, p), linestyle=style, linewidth=1, color=color)
    ax.set_ylabel(plot.y_label or "count")
    ax.text(0.99, 0.97, "solid: p50 · dashed: p99", transform=ax.transAxes, ha="right", va="top")


def _throughput_vs_offered(ax: Axes, plot: Plot) -> None:
    top = max((v for s in plot.series for v in (*s.x, *s.y)), default=1.0)
    ax.plot([0, top], [0, top], linestyle=":", color="grey", label="achieved = offered")
    for series in plot.series:
        ax.plot(series.x, series.y, marker="o", label=series.label)


def _time_vs_size(ax: Axes, plot: Plot) -> None:
    for series in plot.series:
        ax.plot(series.x, series.y, marker="o", label=series.label)
        if plot.linear_reference and series.x:
            x0, y0 = series.x[0], series.y[0]
            ax.plot(
                series.x,
                [y0 * x / x0 for x in series.x],
                linestyle=":",
                color="grey",
                label=f"linear from {series.x[0]:g}",
            )
    ax.set_xticks(sorted({x for s in plot.series for x in s.x}))


def _bars(ax: Axes, plot: Plot) -> None:
    # One series per bar: its label names the bar, y[0] is the value.
    bars = ax.barh([s.label for s in plot.series], [s.y[0] for s in plot.series])
    ax.bar_label(bars, fmt="{:,.0f}", padding=3)
    ax.invert_yaxis()
    ax.margins(x=0.15)


DRAW: dict[PlotKind, Callable[[Axes, Plot], None]] = {
    "latency_histogram": _latency_histogram,
    "throughput_vs_offered": _throughput_vs_offered,
    "time_vs_size": _time_vs_size,
    "bars": _bars,
}


def draw(plot: Plot, out_dir: Path, subtitle: str = "") -> Path:
    """Write `<out_dir>/<plot.name>.png` and return its path."""
    fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
    try:
        DRAW[plot.kind](ax, plot)
        ax.set_title(plot.title)
        if subtitle:
            fig.suptitle(textwrap.fill(subtitle, 130), fontsize=7, color="grey")
        ax.set_xlabel(plot.x_label)
        if plot.y_label:
            ax.set_ylabel(plot.y_label)
        ax.grid(alpha=0.3)
        if plot.kind != "bars" and any(s.label for s in plot.series):
            ax.legend(fontsize=8)
        path = out_dir / f"{plot.name}.png"
        fig.savefig(path, dpi=110)
        return path
    finally:
        plt.close(fig)
