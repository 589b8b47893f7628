import json
import logging

from shared.logging import JsonFormatter


def test_records_become_one_json_object_with_extras() -> None:
    record = logging.makeLogRecord(
        {
            "name": "carecoord.access",
            "levelno": 20,
            "levelname": "INFO",
            "msg": "request",
            "route": "/patients/{patient_id}/medications",
            "status": 200,
        }
    )
    line = JsonFormatter("care_team").format(record)
    entry = json.loads(line)
    assert entry["service"] == "care_team"
    assert entry["msg"] == "request"
    assert entry["route"] == "/patients/{patient_id}/medications"
    assert entry["level"] == "info"
    assert "\n" not in line
