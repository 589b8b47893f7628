import json

from bench.ehr_workload import EVENTS_PER_PATIENT, _event, ehr_events, patient_story
from shared.events.envelope import encode_event


def test_each_patients_ten_events_come_in_story_order_under_their_key() -> None:
    events = ehr_events("r", 250)
    assert len(events) == 250 and len({json.loads(v)["id"] for _, v in events}) == 250
    by_patient: dict[bytes, list[str]] = {}
    for key, value in events:
        event = json.loads(value)
        assert event["data"]["patient_id"].encode() == key
        by_patient.setdefault(key, []).append(event["id"])
    assert len(by_patient) == 25
    assert all(ids == sorted(ids) and len(ids) == EVENTS_PER_PATIENT for ids in by_patient.values())


def test_the_fast_copies_are_the_bytes_pydantic_makes() -> None:
    events = ehr_events("r", 1000)  # 100 patients: copies of the first 20 stories
    for index in (0, 21, 57, 99):
        for position, step in enumerate(patient_story(index)):
            expected = encode_event(_event("r", index, position, step))
            assert events[position * 100 + index][1] == expected
