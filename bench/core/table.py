"""The final table: one row per figure, with its target and its ratio to a reference figure."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bench.core.model import Figure, format_number


@dataclass(frozen=True)
class Row:
    section: str
    figure: Figure
    ratio: float | None  # figure.value / the value of figure.relative_to, same run
    met: bool | None  # None: no target

    @property
    def ratio_text(self) -> str:
        if self.ratio is None:
            return "" if self.figure.relative_to is None else "(reference not measured)"
        return f"{self.ratio:.3g}x {self.figure.relative_to}"

    @property
    def target_text(self) -> str:
        return self.figure.target.describe() if self.figure.target else ""

    @property
    def met_text(self) -> str:
        return {None: "", True: "met", False: "NOT met"}[self.met]


def build_rows(figures_by_section: Iterable[tuple[str, Sequence[Figure]]]) -> list[Row]:
    """Rows in section order; ratios resolved against every figure of the run."""
    listed = [(section, f) for section, figures in figures_by_section for f in figures]
    by_key = {f.key: f for _, f in listed}
    rows = []
    for section, figure in listed:
        reference = by_key.get(figure.relative_to) if figure.relative_to else None
        ratio = figure.value / reference.value if reference and reference.value else None
        met = figure.target.met_by(figure.value) if figure.target else None
        rows.append(Row(section, figure, ratio, met))
    return rows


HEADINGS = ("section", "figure", "value", "unit", "target", "met", "ratio")


def render_table(rows: Sequence[Row]) -> str:
    cells = [
        (
            r.section,
            r.figure.label,
            format_number(r.figure.value),
            r.figure.unit,
            r.target_text,
            r.met_text,
            r.ratio_text,
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [HEADINGS, *cells]) for i in range(len(HEADINGS))]
    numeric = {2}  # right-align the values so magnitudes line up

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if i in numeric else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(HEADINGS), rule, *(line(c) for c in cells)])
