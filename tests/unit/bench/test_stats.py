import pytest

from bench.core.stats import Distribution, per_second, percentile
from bench.sections.engine import growth_exponent


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4], 0) == 1
    assert percentile([1, 2, 3, 4], 100) == 4
    assert percentile([10.0], 99) == 10.0


def test_percentile_refuses_no_samples_and_bad_ranks() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_distribution_summarises_samples() -> None:
    d = Distribution.of([float(i) for i in range(1, 101)])
    assert (d.count, d.max) == (100, 100.0)
    assert d.p50 == pytest.approx(50.5)
    assert d.p99 == pytest.approx(99.01)


def test_per_second_is_zero_when_no_time_passed() -> None:
    assert per_second(100, 0.5) == 200
    assert per_second(100, 0.0) == 0.0


def test_growth_exponent_tells_linear_from_quadratic() -> None:
    sizes = [5.0, 10.0, 20.0, 40.0]
    assert growth_exponent(sizes, [3 * s for s in sizes]) == pytest.approx(1.0)
    assert growth_exponent(sizes, [s * s for s in sizes]) == pytest.approx(2.0)
