"""What the availability API accepts (time zone, weekly hours, exceptions) and how weekly
hours are stored: pure, no I/O."""

from datetime import time
from typing import Any

import pytest
from pydantic import ValidationError

from services.scheduling.adapters.availability_repository import weekly_from_json, weekly_to_json
from services.scheduling.api.routes.availability import AvailabilityIn, ExceptionIn
from services.scheduling.domain.availability import WeeklyHours


def availability(**changes: Any) -> dict[str, Any]:
    return {"time_zone": "Europe/Berlin",
            "weekly": [{"weekday": 0, "start": "09:00", "end": "17:00"}], **changes}  # fmt: skip


def error_locs(
    body: dict[str, Any], model: type[AvailabilityIn] | type[ExceptionIn]
) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(body)
    return [e["loc"] for e in raised.value.errors()]


def test_good_hours_become_domain_weekly_hours() -> None:
    parsed = AvailabilityIn.model_validate(availability(buffer_minutes=10))
    assert [h.domain() for h in parsed.weekly] == [WeeklyHours(0, time(9), time(17))]
    assert parsed.model_dump(mode="json")["weekly"] == [
        {"weekday": 0, "start": "09:00", "end": "17:00"}
    ]


def test_touching_hours_on_one_day_are_fine() -> None:
    split = [{"weekday": 2, "start": "08:00", "end": "12:30"},
             {"weekday": 2, "start": "12:30", "end": "17:00"}]  # fmt: skip
    assert len(AvailabilityIn.model_validate(availability(weekly=split)).weekly) == 2


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"time_zone": "Europe/Atlantis"}, ("time_zone",)),
        ({"time_zone": "europe/berlin"}, ("time_zone",)),
        ({"time_zone": "../etc/passwd"}, ("time_zone",)),
        ({"time_zone": "localtime"}, ("time_zone",)),
        ({"weekly": [{"weekday": 7, "start": "09:00", "end": "17:00"}]}, ("weekly", 0, "weekday")),
        ({"weekly": [{"weekday": -1, "start": "09:00", "end": "17:00"}]}, ("weekly", 0, "weekday")),
        ({"weekly": [{"weekday": 0, "start": "17:00", "end": "09:00"}]}, ("weekly", 0, "end")),
        ({"weekly": [{"weekday": 0, "start": "09:00", "end": "09:00"}]}, ("weekly", 0, "end")),
        ({"weekly": [{"weekday": 0, "start": "09:00:30", "end": "17:00"}]}, ("weekly", 0, "start")),
        ({"weekly": [{"weekday": 0, "start": "09:00+01:00", "end": "17:00"}]},
         ("weekly", 0, "start")),
        ({"weekly": [{"weekday": 4, "start": "09:00", "end": "13:00"},
                     {"weekday": 4, "start": "12:00", "end": "17:00"}]}, ("weekly",)),
        ({"buffer_minutes": -1}, ("buffer_minutes",)),
        ({"buffer_minutes": 121}, ("buffer_minutes",)),
    ],
)  # fmt: skip
def test_bad_availability_names_the_field(changes: dict[str, Any], loc: tuple[Any, ...]) -> None:
    assert error_locs(availability(**changes), AvailabilityIn) == [loc]


def test_overlapping_hours_name_both_entries() -> None:
    overlapping = [{"weekday": 4, "start": "12:00", "end": "17:00"},
                   {"weekday": 4, "start": "09:00", "end": "13:00"}]  # fmt: skip
    with pytest.raises(ValidationError, match=r"weekly\[0\] overlaps weekly\[1\] on weekday 4"):
        AvailabilityIn.model_validate(availability(weekly=overlapping))


def leave(**changes: Any) -> dict[str, Any]:
    return {"kind": "leave", "starts_at": "2027-04-07T00:00:00+02:00",
            "ends_at": "2027-04-08T00:00:00+02:00", **changes}  # fmt: skip


def test_an_exception_becomes_a_domain_exception() -> None:
    parsed = ExceptionIn.model_validate(leave(note="conference"))
    assert parsed.domain().kind == "leave"
    assert parsed.domain().ends_at - parsed.domain().starts_at == parsed.ends_at - parsed.starts_at


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"kind": "holiday"}, ("kind",)),
        ({"ends_at": "2027-04-06T23:00:00+02:00"}, ("ends_at",)),
        ({"ends_at": "2027-04-07T00:00:00+02:00"}, ("ends_at",)),
        ({"ends_at": "2028-04-08T00:00:00+02:00"}, ("ends_at",)),  # longer than 366 days
        ({"starts_at": "2027-04-07T00:00:00"}, ("starts_at",)),  # naive
        ({"note": "x" * 501}, ("note",)),
    ],
)
def test_bad_exceptions_name_the_field(changes: dict[str, Any], loc: tuple[Any, ...]) -> None:
    assert error_locs(leave(**changes), ExceptionIn) == [loc]


def test_weekly_hours_are_stored_sorted_as_hh_mm_and_read_back() -> None:
    weekly = (WeeklyHours(3, time(13, 30), time(17)), WeeklyHours(0, time(9), time(12, 30)))
    stored = weekly_to_json(weekly)
    assert stored == [{"weekday": 0, "start": "09:00", "end": "12:30"},
                      {"weekday": 3, "start": "13:30", "end": "17:00"}]  # fmt: skip
    assert weekly_from_json(stored) == tuple(sorted(weekly, key=lambda h: h.weekday))
