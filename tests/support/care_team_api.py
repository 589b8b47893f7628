"""Helpers for driving the care-team API in tests."""

from typing import Any

import httpx

from tests.support.tokens import clinician_auth, service_auth


async def set_up_team(http: httpx.AsyncClient, patient: str, members: dict[str, str]) -> None:
    """An integration (service principal) puts the clinicians on the patient's team."""
    for clinician, role in members.items():
        response = await http.post(
            f"/patients/{patient}/care-team/members",
            json={"clinician_id": clinician, "role": role},
            headers=service_auth(),
        )
        assert response.status_code in (200, 201), response.text


async def prescribe(
    http: httpx.AsyncClient, patient: str, clinician: str, name: str, **details: Any
) -> dict[str, Any]:
    response = await http.post(
        f"/patients/{patient}/prescriptions",
        json={"medication": {"name": name}, **details},
        headers=clinician_auth(clinician),
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def conflicts(
    http: httpx.AsyncClient, patient: str, clinician: str, status: str = "all"
) -> list[dict[str, Any]]:
    response = await http.get(
        f"/patients/{patient}/conflicts",
        params={"status": status},
        headers=clinician_auth(clinician),
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def by_rule(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["rule_id"]: c for c in found}
