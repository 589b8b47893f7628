import json

import pytest
from pydantic import BaseModel, ValidationError

from shared.dead_letters import RetryPolicy, describe_failure


class _Sample(BaseModel):
    patient_id: str
    dose: int


def test_validation_reason_names_fields_but_never_their_values() -> None:
    with pytest.raises(ValidationError) as info:
        _Sample.model_validate({"dose": "secret-patient-value"})
    reason = describe_failure(info.value)
    assert reason.startswith("schema validation failed")
    assert "patient_id: Field required" in reason
    assert "dose:" in reason
    assert "secret-patient-value" not in reason


def test_malformed_json_reason_says_where() -> None:
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads('{"a": ')
    assert describe_failure(info.value).startswith("malformed JSON")


def test_non_utf8_reason() -> None:
    with pytest.raises(UnicodeDecodeError) as info:
        b"\xff".decode()
    assert describe_failure(info.value).startswith("not UTF-8")


def test_retry_delays_grow_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=5, backoff_s=0.5, backoff_max_s=3.0)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
