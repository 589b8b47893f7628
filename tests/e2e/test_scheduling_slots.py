"""Availability and free-slot search over HTTP, on real PostgreSQL and Kafka: weekly hours on
the clinician's wall clock across a daylight-saving change, overlaps of clinicians in
different zones, visits with their buffer, leave and extra hours, the patient's own visits,
validation and who may change a schedule."""

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.scheduling.app import create_app
from services.scheduling.availability import earliest_common_slot
from services.scheduling.settings import SchedulingSettings
from tests.support.clock import TestClock
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth, patient_auth, service_auth

WEEKDAYS = range(5)
EVERY_DAY = range(7)


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
async def scheduling_at(infra: Endpoints, clock: TestClock) -> AsyncIterator[RunningService]:
    async with running_service(
        create_app, SchedulingSettings, infra, app_kwargs={"clock": clock}, loop_interval_s=3600
    ) as service:
        yield service


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def weekly(days: range, start: str = "09:00", end: str = "17:00") -> list[dict[str, Any]]:
    return [{"weekday": d, "start": start, "end": end} for d in days]


async def set_hours(
    http: httpx.AsyncClient,
    clinician: str,
    zone: str,
    days: range = WEEKDAYS,
    *,
    buffer_minutes: int = 0,
) -> dict[str, Any]:
    body = {"time_zone": zone, "weekly": weekly(days), "buffer_minutes": buffer_minutes}
    response = await http.put(f"/clinicians/{clinician}/availability", json=body,
                              headers=clinician_auth(clinician))  # fmt: skip
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def search(
    http: httpx.AsyncClient,
    clinicians: list[str],
    start: datetime,
    end: datetime,
    *,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> httpx.Response:
    query = {"clinician_id": clinicians, "from": start.isoformat(), "to": end.isoformat(),
             "limit": 500, **params}  # fmt: skip
    return await http.get("/slots", params=query, headers=headers or service_auth())


async def slot_starts(
    http: httpx.AsyncClient, clinicians: list[str], start: datetime, end: datetime, **params: Any
) -> list[str]:
    """The slot starts as 'MM-DD HH:MM' (UTC)."""
    response = await search(http, clinicians, start, end, **params)
    assert response.status_code == 200, response.text
    return [_short(s["starts_at"]) for s in response.json()["slots"]]


def _short(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%m-%d %H:%M")


def by_day(starts: list[str]) -> dict[str, list[str]]:
    days: dict[str, list[str]] = defaultdict(list)
    for start in starts:
        day, _, at = start.partition(" ")
        days[day].append(at)
    return dict(days)


def in_window(starts: list[str], day: str) -> list[str]:
    return by_day(starts).get(day, [])


def visit(patient: str, clinician: str, starts_at: datetime) -> dict[str, Any]:
    return {"patient_id": patient, "clinician_ids": [clinician], "type": "follow_up",
            "starts_at": starts_at.isoformat(), "duration_minutes": 30}  # fmt: skip


async def test_weekly_hours_follow_the_clinicians_wall_clock_across_the_change_to_summer_time(
    scheduling_at: RunningService,
) -> None:
    http, clinician = scheduling_at.http, unique("dr-")
    stored = await set_hours(http, clinician, "Europe/Berlin", EVERY_DAY, buffer_minutes=5)
    assert stored["weekly"][0] == {"weekday": 0, "start": "09:00", "end": "17:00"}
    assert (stored["time_zone"], stored["buffer_minutes"], stored["exceptions"]) == (
        "Europe/Berlin", 5, []
    )  # fmt: skip
    read = await http.get(f"/clinicians/{clinician}/availability",
                          headers=patient_auth(unique("p-")))  # fmt: skip
    assert read.status_code == 200 and read.json() == stored

    # Berlin moves to CEST (UTC+2) at 01:00 UTC on Sunday 2027-03-28.
    response = await search(http, [clinician], utc(3, 26), utc(3, 30), length_minutes=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["slots"][0] == {"starts_at": "2027-03-26T08:00:00Z",
                                "ends_at": "2027-03-26T08:30:00Z"}  # fmt: skip
    assert (body["buffer_minutes"], body["next_from"]) == (5, None)
    days = by_day([_short(s["starts_at"]) for s in body["slots"]])
    assert list(days) == ["03-26", "03-27", "03-28", "03-29"]
    assert {d: (at[0], at[-1], len(at)) for d, at in days.items()} == {
        "03-26": ("08:00", "15:30", 31),  # 09:00-17:00 CET
        "03-27": ("08:00", "15:30", 31),
        "03-28": ("07:00", "14:30", 31),  # 09:00-17:00 CEST: an hour earlier in UTC
        "03-29": ("07:00", "14:30", 31),
    }


async def test_two_clinicians_in_different_zones_get_only_their_overlap(
    scheduling_at: RunningService,
) -> None:
    http, berlin, new_york = scheduling_at.http, unique("dr-"), unique("dr-")
    await set_hours(http, berlin, "Europe/Berlin")
    await set_hours(http, new_york, "America/New_York")
    starts = await slot_starts(http, [berlin, new_york], utc(3, 26), utc(3, 30),
                               length_minutes=60)  # fmt: skip
    days = by_day(starts)
    # New York is on EDT (UTC-4) all along: 13:00-21:00 UTC. Berlin: 08:00-16:00 UTC on
    # Friday (CET), 07:00-15:00 UTC on Monday (CEST). Nobody works the weekend.
    assert list(days) == ["03-26", "03-29"]
    assert (days["03-26"][0], days["03-26"][-1]) == ("13:00", "15:00")
    assert (days["03-29"][0], days["03-29"][-1]) == ("13:00", "14:00")
    alone = await slot_starts(http, [new_york], utc(3, 29), utc(3, 30), length_minutes=60)
    assert (alone[0], alone[-1]) == ("03-29 13:00", "03-29 20:00")

    # A visit of either clinician takes its time from the joint slots, with a patient or not.
    booked = await http.post("/visits", json=visit(unique("p-"), new_york, utc(3, 29, 13)),
                             headers=service_auth())  # fmt: skip
    assert booked.status_code == 201, booked.text
    for extra in ({}, {"patient_id": unique("p-")}):
        monday = await slot_starts(http, [berlin, new_york], utc(3, 29), utc(3, 30),
                                   length_minutes=60, **extra)  # fmt: skip
        assert monday == ["03-29 13:30", "03-29 13:45", "03-29 14:00"]


async def test_a_booked_visit_and_the_buffer_remove_the_slots_around_it(
    scheduling_at: RunningService,
) -> None:
    http, clinician, patient = scheduling_at.http, unique("dr-"), unique("p-")
    await set_hours(http, clinician, "Europe/Berlin", buffer_minutes=10)
    # Tuesday 2027-04-06, 10:00-10:30 CEST.
    booked = await http.post("/visits", json=visit(patient, clinician, utc(4, 6, 8)),
                             headers=clinician_auth(clinician))  # fmt: skip
    assert booked.status_code == 201, booked.text
    window = (utc(4, 6, 7), utc(4, 6, 11))
    starts = await slot_starts(http, [clinician], *window, length_minutes=30)
    # Free: 07:00-07:50 and 08:40-11:00 UTC (the visit with 10 minutes either side).
    assert in_window(starts, "04-06")[:4] == ["07:00", "07:15", "08:45", "09:00"]

    cancelled = await http.post(f"/visits/{booked.json()['visit_id']}/cancel",
                                json={"reason": "moved"}, headers=service_auth())  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text
    again = await slot_starts(http, [clinician], *window, length_minutes=30)
    assert in_window(again, "04-06")[:4] == ["07:00", "07:15", "07:30", "07:45"]


async def test_leave_removes_a_day_and_extra_hours_add_one(scheduling_at: RunningService) -> None:
    http, clinician = scheduling_at.http, unique("dr-")
    doctor = clinician_auth(clinician)
    await set_hours(http, clinician, "Europe/Berlin")
    url = f"/clinicians/{clinician}/availability/exceptions"
    leave = {"kind": "leave", "starts_at": "2027-04-07T00:00:00+02:00",
             "ends_at": "2027-04-08T00:00:00+02:00", "note": "conference"}  # fmt: skip
    added = await http.post(url, json=leave, headers=doctor)
    assert added.status_code == 201, added.text
    exception_id = added.json()["exception_id"]
    extra = {"kind": "extra", "starts_at": "2027-04-10T10:00:00+02:00",
             "ends_at": "2027-04-10T12:00:00+02:00"}  # fmt: skip
    assert (await http.post(url, json=extra, headers=doctor)).status_code == 201

    window = (utc(4, 6), utc(4, 12))
    days = by_day(await slot_starts(http, [clinician], *window, length_minutes=60))
    # Tuesday, (no Wednesday: leave), Thursday, Friday, and Saturday's extra 08:00-10:00 UTC.
    assert list(days) == ["04-06", "04-08", "04-09", "04-10"]
    assert days["04-10"] == ["08:00", "08:15", "08:30", "08:45", "09:00"]

    listed = (await http.get(f"/clinicians/{clinician}/availability", headers=doctor)).json()
    assert [(e["kind"], e["note"]) for e in listed["exceptions"]] == [
        ("leave", "conference"), ("extra", None)
    ]  # fmt: skip
    assert listed["exceptions"][0]["starts_at"] == "2027-04-06T22:00:00Z"

    # A retry with the same id is a no-op; the same id for something else is refused.
    retry = await http.post(url, json={**leave, "exception_id": exception_id}, headers=doctor)
    assert retry.status_code == 200, retry.text
    reused = await http.post(url, json={**leave, "exception_id": exception_id, "note": "x"},
                             headers=doctor)  # fmt: skip
    assert reused.status_code == 409

    removed = await http.delete(f"{url}/{exception_id}", headers=doctor)
    assert removed.status_code == 204, removed.text
    days = by_day(await slot_starts(http, [clinician], *window, length_minutes=60))
    assert list(days) == ["04-06", "04-07", "04-08", "04-09", "04-10"]
    assert (await http.delete(f"{url}/{exception_id}", headers=doctor)).status_code == 404


async def test_the_patients_own_visits_block_their_slots(scheduling_at: RunningService) -> None:
    http, clinician, patient = scheduling_at.http, unique("dr-"), unique("p-")
    other_clinician = unique("dr-")
    await set_hours(http, clinician, "Europe/Berlin")
    # The patient sees another clinician 11:00-11:30 CEST on Tuesday 2027-04-06.
    other = await http.post("/visits", json=visit(patient, other_clinician, utc(4, 6, 9)),
                            headers=service_auth())  # fmt: skip
    assert other.status_code == 201, other.text
    window = (utc(4, 6, 8), utc(4, 6, 10))

    clinician_only = await slot_starts(http, [clinician], *window)
    assert clinician_only == [f"04-06 {t}" for t in ("08:00", "08:15", "08:30", "08:45",
                                                    "09:00", "09:15", "09:30")]  # fmt: skip
    with_patient = await slot_starts(http, [clinician], *window, patient_id=patient)
    assert with_patient == ["04-06 08:00", "04-06 08:15", "04-06 08:30", "04-06 09:30"]
    own = await search(http, [clinician], *window, patient_id=patient,
                       headers=patient_auth(patient))  # fmt: skip
    assert own.status_code == 200, own.text
    stranger = await search(http, [clinician], *window, patient_id=patient,
                            headers=clinician_auth(unique("dr-")))  # fmt: skip
    assert (stranger.status_code, stranger.json()["detail"]) == (404, "no such patient")
    audited = await scheduling_at.runtime.pool.fetch(
        """SELECT outcome FROM audit_log WHERE patient_id = $1 AND resource = 'busy_times'
           ORDER BY outcome""",
        patient,
    )
    assert [r["outcome"] for r in audited] == ["allowed", "allowed", "denied"]

    async with scheduling_at.runtime.pool.acquire() as conn:
        earliest = await earliest_common_slot(
            conn, [clinician], patient, timedelta(minutes=30), utc(4, 6, 8, 50), utc(4, 7)
        )
        assert earliest == (utc(4, 6, 9, 30), utc(4, 6, 10))
        unknown = await earliest_common_slot(
            conn, [clinician, other_clinician], patient, timedelta(minutes=30), *window
        )
        assert unknown is None  # other_clinician never set their hours


async def test_slots_are_never_in_the_past_and_a_long_list_continues(
    scheduling_at: RunningService, clock: TestClock
) -> None:
    http, clinician = scheduling_at.http, unique("dr-")
    await set_hours(http, clinician, "Europe/Berlin")
    clock.set(utc(4, 6, 10, 5))
    first = await search(http, [clinician], utc(4, 6), utc(4, 8), limit=3)
    body = first.json()
    assert [_short(s["starts_at"]) for s in body["slots"]] == [
        "04-06 10:15", "04-06 10:30", "04-06 10:45"
    ]  # fmt: skip
    assert body["next_from"] == "2027-04-06T11:00:00Z"
    rest = await search(http, [clinician], datetime.fromisoformat(body["next_from"]), utc(4, 8),
                        limit=1)  # fmt: skip
    assert rest.json()["slots"][0]["starts_at"] == "2027-04-06T11:00:00Z"
    past = await search(http, [clinician], utc(4, 5), utc(4, 6))
    assert (past.status_code, past.json()["slots"]) == (200, [])


def _error_fields(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["detail"]]


async def test_bad_input_gets_422_naming_the_field_and_unknown_clinicians_404(
    scheduling_at: RunningService,
) -> None:
    http, clinician, stranger = scheduling_at.http, unique("dr-"), unique("dr-")
    await set_hours(http, clinician, "Europe/Berlin")
    window = (utc(4, 6), utc(4, 8))

    four = [clinician, *(unique("dr-") for _ in range(3))]
    assert _error_fields(await search(http, four, *window)) == [["query", "clinician_id"]]
    assert _error_fields(await search(http, [clinician], utc(4, 8), utc(4, 6))) == [["query", "to"]]
    too_long = await search(http, [clinician], utc(4, 1), utc(4, 1) + timedelta(days=63))
    assert _error_fields(too_long) == [["query", "to"]]
    for length in (4, 241):
        short = await search(http, [clinician], *window, length_minutes=length)
        assert _error_fields(short) == [["query", "length_minutes"]]
    naive = await http.get("/slots", params={"clinician_id": clinician,
                                             "from": "2027-04-06T09:00:00"},
                           headers=service_auth())  # fmt: skip
    assert _error_fields(naive) == [["query", "from"]]
    missing = await http.get("/slots", params={"from": window[0].isoformat()},
                             headers=service_auth())  # fmt: skip
    assert _error_fields(missing) == [["query", "clinician_id"]]
    unknown = await search(http, [clinician, stranger], *window)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == f"clinician {stranger} has no availability set"

    put = f"/clinicians/{clinician}/availability"
    doctor = clinician_auth(clinician)

    async def put_fields(body: dict[str, Any]) -> list[list[Any]]:
        return _error_fields(await http.put(put, json=body, headers=doctor))

    good = {"time_zone": "Europe/Berlin", "weekly": weekly(WEEKDAYS), "buffer_minutes": 10}
    assert await put_fields({**good, "time_zone": "Europe/Atlantis"}) == [["body", "time_zone"]]
    assert await put_fields({**good, "time_zone": "localtime"}) == [["body", "time_zone"]]
    assert await put_fields({**good, "weekly": weekly(range(7, 8))}) == [
        ["body", "weekly", 0, "weekday"]
    ]
    backwards = weekly(range(1), "17:00", "09:00")
    assert await put_fields({**good, "weekly": backwards}) == [["body", "weekly", 0, "end"]]
    overlapping = weekly(range(1)) + weekly(range(1), "16:00", "18:00")
    assert await put_fields({**good, "weekly": overlapping}) == [["body", "weekly"]]
    assert await put_fields({**good, "buffer_minutes": 121}) == [["body", "buffer_minutes"]]
    # Nothing of that was stored.
    kept = (await http.get(put, headers=doctor)).json()
    assert (kept["time_zone"], kept["buffer_minutes"], len(kept["weekly"])) == (
        "Europe/Berlin", 0, 5
    )  # fmt: skip

    exceptions = f"{put}/exceptions"
    leave = {"kind": "leave", "starts_at": "2027-04-07T09:00:00+02:00",
             "ends_at": "2027-04-07T12:00:00+02:00"}  # fmt: skip
    holiday = await http.post(exceptions, json={**leave, "kind": "holiday"}, headers=doctor)
    assert _error_fields(holiday) == [["body", "kind"]]
    backwards_leave = {**leave, "ends_at": "2027-04-07T08:00:00+02:00"}
    assert _error_fields(await http.post(exceptions, json=backwards_leave, headers=doctor)) == [
        ["body", "ends_at"]
    ]
    never_set = await http.get(f"/clinicians/{stranger}/availability", headers=doctor)
    assert (never_set.status_code, never_set.json()["detail"]) == (
        404, f"clinician {stranger} has no availability set"
    )  # fmt: skip
    no_hours = await http.post(f"/clinicians/{stranger}/availability/exceptions", json=leave,
                               headers=clinician_auth(stranger))  # fmt: skip
    assert no_hours.status_code == 404


async def test_only_the_clinician_or_an_integration_changes_availability(
    scheduling_at: RunningService,
) -> None:
    http, clinician, colleague = scheduling_at.http, unique("dr-"), unique("dr-")
    url = f"/clinicians/{clinician}/availability"
    body = {"time_zone": "Europe/Berlin", "weekly": weekly(WEEKDAYS)}
    for someone_else in (clinician_auth(colleague), patient_auth(unique("p-"))):
        refused = await http.put(url, json=body, headers=someone_else)
        assert refused.status_code == 403, refused.text
    assert (await http.put(url, json=body)).status_code == 401
    assert (await http.get(url, headers=service_auth())).status_code == 404  # nothing stored
    by_integration = await http.put(url, json=body, headers=service_auth())
    assert by_integration.status_code == 200, by_integration.text

    leave = {"kind": "leave", "starts_at": "2027-04-07T09:00:00+02:00",
             "ends_at": "2027-04-07T12:00:00+02:00"}  # fmt: skip
    assert (await http.post(f"{url}/exceptions", json=leave,
                            headers=clinician_auth(colleague))).status_code == 403  # fmt: skip
    added = await http.post(f"{url}/exceptions", json=leave, headers=clinician_auth(clinician))
    assert added.status_code == 201, added.text
    gone = f"{url}/exceptions/{added.json()['exception_id']}"
    assert (await http.delete(gone, headers=clinician_auth(colleague))).status_code == 403
    # Someone else's exception id under my name is not mine to delete.
    mine = f"/clinicians/{colleague}/availability/exceptions/{added.json()['exception_id']}"
    assert (await http.delete(mine, headers=clinician_auth(colleague))).status_code == 404
    read = await http.get(url, headers=clinician_auth(colleague))
    assert read.status_code == 200 and len(read.json()["exceptions"]) == 1
    assert (
        await http.get("/slots", params={"clinician_id": clinician, "from": "2027-04-06T00:00:00Z"})
    ).status_code == 401
