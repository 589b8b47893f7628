"""Half-open time intervals and the few set operations the slot search needs. Pure: no I/O.

An `Interval` is `(start, end)` with aware datetimes, `start < end`, covering `[start, end)`.
Every function here takes and returns intervals in UTC: aware datetimes that share one
`tzinfo` compare by wall-clock time and ignore `fold`, so two instants of the repeated hour
of a fall-back night would compare wrongly in a local zone. Callers convert to UTC first
(`to_utc`), after which ordering and arithmetic are plain instants.

The operations are linear sweeps over sorted lists (merge, two-pointer intersection and
subtraction), so their cost grows with the number of intervals, never with their length.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

Interval = tuple[datetime, datetime]  # aware datetimes, start < end, half-open [start, end)


def require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a time-zone-aware datetime, got naive {value!r}")


def to_utc(start: datetime, end: datetime, name: str) -> Interval:
    """Validate `[start, end)` (aware, non-empty) and return it in UTC."""
    require_aware(start, f"{name} start")
    require_aware(end, f"{name} end")
    utc = (start.astimezone(UTC), end.astimezone(UTC))
    if utc[1] <= utc[0]:
        raise ValueError(f"{name}: end {end.isoformat()} must be after start {start.isoformat()}")
    return utc


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching intervals joined ([9, 12) + [12, 14) = [9, 14))."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(left: Sequence[Interval], right: Sequence[Interval]) -> list[Interval]:
    """Where both merged, sorted lists are covered (two pointers)."""
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(base: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """`base` without `holes`; both merged and sorted."""
    result: list[Interval] = []
    j = 0
    for start, end in base:
        cursor = start
        while j < len(holes) and holes[j][1] <= cursor:
            j += 1  # holes entirely before this piece never matter again
        k = j
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > cursor:
                result.append((cursor, holes[k][0]))
            cursor = max(cursor, holes[k][1])
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of `intervals` inside `[start, end)`, dropping what becomes empty."""
    clipped = ((max(a, start), min(b, end)) for a, b in intervals)
    return [(a, b) for a, b in clipped if a < b]
