"""Invariant: a Kafka batch of prescription events leaves exactly the state, events and
notifications that applying each event in its own transaction leaves, although the batch
holds its patients' lists and open conflicts in memory and writes them at its end."""

import json
from collections.abc import Sequence
from typing import Any

from services.care_team.context import CareTeamContext
from services.care_team.prescriptions import (
    AnyPrescriptionEvent,
    apply_prescription_events,
    decode_prescription_event,
)
from tests.support.ids import unique
from tests.support.services import RunningService

NEUROLOGIST, PSYCHIATRIST, GP = "dr-lindqvist", "dr-okafor", "dr-haddad"


def _event(kind: str, patient: str, rx: str, prescriber: tuple[str, str], **data: Any) -> bytes:
    body: dict[str, Any] = {
        "prescription_id": rx,
        "patient_id": patient,
        "prescriber": {"id": prescriber[0], "role": prescriber[1]},
        "effective_at": "2026-11-01T09:00:00+02:00",  # not UTC: stored and compared as UTC
        **data,
    }
    return json.dumps(
        {
            "specversion": "1.0",
            "id": unique("ehr-"),
            "source": "/ehr/epic",
            "type": f"org.carecoord.prescription.{kind}.v1",
            "subject": f"patient/{patient}",
            "time": "2026-11-01T07:00:00Z",
            "data": body,
        }
    ).encode()


def _story(patient: str) -> list[AnyPrescriptionEvent]:
    """Flag, raise again on a dose increase, resolve, and flag the same key again; a stop
    for a prescription never seen; a change to a stopped one."""
    neuro, psych, gp = (
        (NEUROLOGIST, "headache_specialist"),
        (PSYCHIATRIST, "psychiatrist"),
        (GP, "primary_care"),
    )
    rx = {name: f"{patient}-{name}" for name in ("suma", "suma2", "phen", "ghost", "ami")}
    values = [
        _event("started", patient, rx["suma"], neuro, medication={"name": "sumatriptan"},
               dose="50 mg", frequency="as needed"),
        _event("started", patient, rx["phen"], psych, medication={"name": "phenelzine"},
               dose="15 mg", frequency="three times daily"),
        _event("changed", patient, rx["phen"], psych, medication={"name": "phenelzine"},
               dose="30 mg", frequency="three times daily"),
        _event("stopped", patient, rx["suma"], neuro, reason="contraindicated"),
        _event("started", patient, rx["suma2"], gp, medication={"name": "sumatriptan"},
               dose="100 mg", frequency="as needed"),
        _event("stopped", patient, rx["ghost"], gp),
        _event("started", patient, rx["ami"], neuro, medication={"name": "amitriptyline"},
               dose="25 mg", frequency="at night"),
        _event("stopped", patient, rx["ami"], neuro),
        _event("changed", patient, rx["ami"], neuro, medication={"name": "amitriptyline"},
               dose="50 mg", frequency="at night"),
    ]  # fmt: skip
    return [decode_prescription_event(v) for v in values]


async def _outcome(
    service: RunningService, patient: str, published_rows: list[Any]
) -> dict[str, Any]:
    """Everything the events left for the patient, with the patient's id and generated ids
    taken out so two patients compare."""

    def plain(value: Any) -> Any:
        return json.loads(json.dumps(value, default=str).replace(patient, "P"))

    async with service.runtime.pool.acquire() as conn:
        prescriptions = await conn.fetch(
            """SELECT prescription_id, prescriber_id, prescriber_role, medication_name, dose,
                      frequency, status, started_at, stopped_at, updated_at, ingredient,
                      recognised
               FROM prescriptions WHERE patient_id = $1 ORDER BY prescription_id""",
            patient,
        )
        conflicts = await conn.fetch(
            """SELECT rule_id, kind, severity, medications, prescription_ids, prescribers,
                      summary, daily_doses, status, resolution_reason,
                      last_flagged_at > flagged_at AS reflagged
               FROM conflicts WHERE patient_id = $1 ORDER BY flagged_at, rule_id, status""",
            patient,
        )
        notifications = await conn.fetch(
            """SELECT recipient_id, kind, priority, title, body FROM notifications
               WHERE patient_id = $1 ORDER BY recipient_id, seq""",
            patient,
        )
        team = await conn.fetch(
            """SELECT clinician_id, role, source FROM care_team_members
               WHERE patient_id = $1 ORDER BY clinician_id""",
            patient,
        )
    published = []
    for row in published_rows:
        if row["key"] != patient:
            continue
        data = json.loads(row["payload"])["data"]
        published.append(
            (row["event_type"], {k: v for k, v in data.items() if k in _STABLE_EVENT_FIELDS})
        )
    return {
        "prescriptions": plain([dict(r) for r in prescriptions]),
        "conflicts": plain([dict(r) for r in conflicts]),
        "published": plain(published),
        "notifications": plain([dict(r) for r in notifications]),
        "team": plain([dict(r) for r in team]),
    }


_STABLE_EVENT_FIELDS = {
    "rule_id", "severity", "medications", "prescription_ids", "prescribers", "reflagged",
    "reflag_reason", "reason", "clinician_id", "role", "kind", "recipient_id", "priority",
}  # fmt: skip


async def _apply(
    service: RunningService, ctx: CareTeamContext, batches: Sequence[Sequence[AnyPrescriptionEvent]]
) -> list[Any]:
    """The outbox rows the batches wrote, read before each commit (the relay takes them)."""
    published = []
    for batch in batches:
        async with service.runtime.pool.acquire() as conn, conn.transaction():
            before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
            await apply_prescription_events(conn, ctx, batch)
            published += await conn.fetch(
                "SELECT key, event_type, payload FROM outbox WHERE id > $1 ORDER BY id", before
            )
    return published


async def test_a_batch_leaves_what_one_event_per_transaction_leaves(
    care_team: RunningService,
) -> None:
    ctx: CareTeamContext = care_team.app.state.care_team
    alone, batched, other = unique("p-"), unique("p-"), unique("p-")
    one_by_one = await _apply(care_team, ctx, [[e] for e in _story(alone)])
    # Batches for two patients, their events interleaved as partitions deliver them: the
    # first flags a conflict the second raises again, resolves and flags anew (its key open
    # twice if the second batch wrote its new conflicts before the resolution).
    mixed = [e for pair in zip(_story(batched), _story(other), strict=True) for e in pair]
    in_a_batch = await _apply(care_team, ctx, [mixed[:4], mixed[4:]])

    expected = await _outcome(care_team, alone, one_by_one)
    assert await _outcome(care_team, batched, in_a_batch) == expected
    assert await _outcome(care_team, other, in_a_batch) == expected
    # The story did what it says, so the comparison covers those paths.
    conflicts = expected["conflicts"]
    triptan_maoi = [c for c in conflicts if "phenelzine" in c["medications"]
                    and "sumatriptan" in c["medications"]]  # fmt: skip
    assert [c["status"] for c in triptan_maoi][:2] == ["resolved", "open"], conflicts
    assert triptan_maoi[0]["reflagged"], "the dose increase raises the conflict again"
    types = [t for t, _ in expected["published"]]
    assert "org.carecoord.medication_conflict.resolved.v1" in types, types
    assert any(p["medication_name"] is None for p in expected["prescriptions"])
