"""Prescription changes arriving together over HTTP share transactions (group commit,
services/care_team/api/change_commands.py); each request is still answered as if alone:
its own 201 with its own conflicts, 409, 404 or 403, each attempt audited, and a refused
request never costs its neighbours their change."""

import asyncio
from typing import Any

import httpx

from services.care_team.api.change_commands import ChangeCommands
from tests.support.care_team_api import set_up_team
from tests.support.ids import unique
from tests.support.services import RunningService
from tests.support.tokens import clinician_auth

HEADACHE, PSYCHIATRIST, NURSE, STRANGER = "dr-h", "dr-p", "nurse-n", "dr-stranger"


async def _start(
    http: httpx.AsyncClient, patient: str, clinician: str, rx: str, name: str
) -> httpx.Response:
    return await http.post(
        f"/patients/{patient}/prescriptions",
        json={"prescription_id": rx, "medication": {"name": name}, "dose": "50 mg"},
        headers=clinician_auth(clinician),
    )


async def test_concurrent_changes_are_each_answered_as_if_alone(
    care_team: RunningService,
) -> None:
    http = care_team.http
    patients = [unique("p-") for _ in range(6)]
    for patient in patients:
        await set_up_team(
            http,
            patient,
            {HEADACHE: "headache_specialist", PSYCHIATRIST: "psychiatrist", NURSE: "nurse"},
        )
    commands: ChangeCommands = care_team.app.state.change_commands
    commands_before = commands.commands
    requests: list[tuple[str, str, Any]] = []
    for patient in patients:
        requests += [
            ("maoi", patient, _start(http, patient, PSYCHIATRIST, f"{patient}-a", "phenelzine")),
            ("triptan", patient, _start(http, patient, HEADACHE, f"{patient}-b", "sumatriptan")),
            ("again", patient, _start(http, patient, HEADACHE, f"{patient}-a", "ibuprofen")),
            ("stranger", patient, _start(http, patient, STRANGER, unique("rx-"), "ibuprofen")),
            ("nurse", patient, _start(http, patient, NURSE, unique("rx-"), "ibuprofen")),
        ]
    answers = await asyncio.gather(*(request for _, _, request in requests))
    by_kind: dict[tuple[str, str], httpx.Response] = {
        (kind, patient): answer
        for (kind, patient, _), answer in zip(requests, answers, strict=True)
    }

    for patient in patients:
        first, second = by_kind[("maoi", patient)], by_kind[("again", patient)]
        # One id, two starts: exactly one made it, whichever came first.
        assert sorted([first.status_code, second.status_code]) == [201, 409]
        assert by_kind[("triptan", patient)].status_code == 201
        assert by_kind[("stranger", patient)].status_code == 404
        assert by_kind[("nurse", patient)].status_code == 403
        listed = await http.get(
            f"/patients/{patient}/medications", headers=clinician_auth(PSYCHIATRIST)
        )
        names = sorted(m["ingredient"] for m in listed.json()["medications"])
        winner = "phenelzine" if first.status_code == 201 else "ibuprofen"
        assert names == sorted([winner, "sumatriptan"])
        if winner == "phenelzine":  # the later of the two starts was told of the combination
            raised = [
                f["rule_id"]
                for answer in (first, by_kind[("triptan", patient)])
                for f in answer.json()["alerts"]
            ]
            assert raised == ["SER-03"]

    audited = await care_team.runtime.pool.fetch(
        """SELECT actor_subject, outcome, count(*) AS n FROM audit_log
           WHERE patient_id = ANY($1::text[]) AND action = 'write' AND resource = 'prescription'
           GROUP BY 1, 2""",
        patients,
    )
    assert {(r["actor_subject"], r["outcome"]): r["n"] for r in audited} == {
        (PSYCHIATRIST, "allowed"): 6,
        (HEADACHE, "allowed"): 12,
        (NURSE, "allowed"): 6,  # on the team, so allowed in; refused for not prescribing
        (STRANGER, "denied"): 6,
    }
    # Every request went through the group commit once: none lost, none run twice.
    assert commands.commands - commands_before == len(requests)
