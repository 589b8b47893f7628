from bench.core.model import Figure, Target, format_number
from bench.core.table import build_rows, render_table


def test_targets_say_whether_they_are_met() -> None:
    assert Target(50, "lower").met_by(49.9)
    assert not Target(50, "lower").met_by(50.1)
    assert Target(30_000, "higher").met_by(30_000)
    assert Target(30_000, "higher").describe() == "≥ 30,000"


def test_numbers_keep_three_significant_digits() -> None:
    assert [format_number(v) for v in (142_000, 512.4, 51.24, 5.124, 0.05124, 0)] == [
        "142,000", "512", "51.2", "5.12", "0.0512", "0",
    ]  # fmt: skip


def test_ratios_refer_to_figures_of_the_same_run() -> None:
    raw = Figure("kafka.pipe", "raw pipe", 10_000, "msg/s", Target(30_000, "higher"))
    framework = Figure("fs.loop", "FastStream loop", 2_500, "msg/s", relative_to="kafka.pipe")
    orphan = Figure("fs.other", "needs a missing figure", 1, "msg/s", relative_to="absent")
    rows = build_rows([("kafka", [raw]), ("faststream", [framework, orphan])])
    assert [(r.ratio, r.met) for r in rows] == [(None, False), (0.25, None), (None, None)]
    assert rows[1].ratio_text == "0.25x kafka.pipe"
    assert rows[2].ratio_text == "(reference not measured)"


def test_table_lines_up_columns_under_the_headings() -> None:
    rows = build_rows(
        [("engine", [Figure("e.20", "20 medications", 88.2, "µs", Target(50, "lower"))])]
    )
    heading, rule, line = render_table(rows).splitlines()
    assert heading.split() == ["section", "figure", "value", "unit", "target", "met", "ratio"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert line.split("  ")[0] == "engine"
    assert "88.2" in line and "≤ 50.0" in line and "NOT met" in line
