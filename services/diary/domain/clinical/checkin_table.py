"""A patient's daily check-ins by local day, kept as plain rows.

Five years are ~1,800 check-ins. Most readers want one field of every day (the stress
association) or every field of a few days (a window's trends); building 1,800 frozen
CheckinFacts for each read cost more than bucketing the whole diary. So the rows are
range-checked in bulk when the table is built, exactly as CheckinFacts checks them (same
errors, same first offender), and a CheckinFacts is built when a day is read (not kept).
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from datetime import date
from typing import cast

from services.diary.domain.clinical.facts import CHECKIN_RANGES, CheckinFacts

# CheckinFacts' fields in their order: day, mood, stress, sleep_hours, sleep_quality,
# menstruation, alcohol_units, skipped_meals, caffeine_mg.
CheckinRow = tuple[
    date,
    int | None,
    int | None,
    float | None,
    int | None,
    bool | None,
    float | None,
    int | None,
    float | None,
]
_COLUMN = {field.name: index for index, field in enumerate(fields(CheckinFacts))}


def checkin_from_row(row: CheckinRow) -> CheckinFacts:
    """One check-in from its row (the columns are CheckinFacts' fields, in order)."""
    day, mood, stress, sleep_hours, sleep_quality, menstruation, alcohol, meals, caffeine = row
    return CheckinFacts(
        day=day,
        mood=mood,
        stress=stress,
        sleep_hours=sleep_hours,
        sleep_quality=sleep_quality,
        menstruation=menstruation,
        alcohol_units=alcohol,
        skipped_meals=meals,
        caffeine_mg=caffeine,
    )


def _in_range(column: tuple[float | None, ...], low: float, high: float) -> bool:
    # Fields are usually answered every day or never: filter only a mixed column.
    unanswered = column.count(None)
    if unanswered == len(column):
        return True
    values = cast(
        "tuple[float, ...]", column if not unanswered else [v for v in column if v is not None]
    )
    total = sum(values)  # NaN anywhere makes the sum NaN, which min/max would not show
    return low <= min(values) and max(values) <= high and total == total  # noqa: PLR0124


class CheckinTable(Mapping[date, CheckinFacts]):
    """Check-ins by day; two for one day are an error (the diary stores one)."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Iterable[CheckinRow]) -> None:
        listed = list(rows)
        by_day = {row[0]: row for row in listed}
        if len(by_day) != len(listed):
            seen: set[date] = set()
            for row in listed:
                if row[0] in seen:
                    raise ValueError(f"two check-ins for {row[0].isoformat()}")
                seen.add(row[0])
        if listed:
            columns = list(zip(*listed, strict=True))
            if not all(_in_range(columns[_COLUMN[n]], lo, hi) for n, lo, hi in CHECKIN_RANGES):
                for row in listed:  # CheckinFacts raises for the first row out of range
                    checkin_from_row(row)
        self._rows = by_day

    @classmethod
    def of(cls, checkins: Iterable[CheckinFacts]) -> "CheckinTable":
        return cls(
            (c.day, c.mood, c.stress, c.sleep_hours, c.sleep_quality, c.menstruation,
             c.alcohol_units, c.skipped_meals, c.caffeine_mg)
            for c in checkins
        )  # fmt: skip

    def __getitem__(self, day: date) -> CheckinFacts:
        return checkin_from_row(self._rows[day])

    def __contains__(self, day: object) -> bool:
        return day in self._rows

    def __iter__(self) -> Iterator[date]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"CheckinTable({len(self._rows)} days)"

    def stress_ratings(self) -> Iterator[tuple[date, int]]:
        """(day, stress) for each check-in with a stress rating, in the table's order."""
        for day, row in self._rows.items():
            stress = row[2]
            if stress is not None:
                yield day, stress
