"""Before a batch's events are applied (a Kafka batch, or one HTTP command: a batch of
one): lock every patient of the batch (in id order, so two transactions never wait on each
other in a circle) and read, in the same one statement, what their evaluations need and
only a locked patient's own changes alter: profile, team (with each member's notification
preferences), diary doses, the medication list (with every prescription the events name)
and the open conflicts. One round trip for the batch instead of about eight per event."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.care_team.adapters.conflict_repository import to_open
from services.care_team.adapters.preference_repository import to_preferences
from services.care_team.adapters.prescription_repository import COLUMNS, to_prescription
from services.care_team.adapters.team_repository import to_profile
from services.care_team.batch_memo import BatchMemo
from services.care_team.domain.conflicts import OpenConflict
from services.care_team.domain.delivery import Preferences
from services.care_team.domain.engine.model import Intake
from shared.db import Connection

_PREFERENCES = (
    "clinician_id", "channels", "time_zone", "digest_hour", "quiet_start", "quiet_end",
    "normal_in_digest",
)  # fmt: skip
_CONFLICT = (
    "conflict_id", "conflict_key", "rule_id", "severity", "medications", "prescription_ids",
    "prescribers", "daily_doses", "lapses_at", "window_violated_at", "intake_days",
)  # fmt: skip
_PRESCRIPTION = ", ".join(f"r.{c}" for c in COLUMNS)
# Rows inside arrays come back as tuples; jsonb as text there (our codec reads text only).
_LOCK_AND_READ = f"""
    WITH named_elsewhere AS (
        SELECT ARRAY(SELECT ROW({_PRESCRIPTION}) FROM prescriptions r
                     WHERE r.prescription_id = any($4::text[])
                       AND r.patient_id <> all($1::text[])) AS rows
    )
    SELECT p.patient_id, p.birth_date, p.sex, p.pregnant, p.childbearing_potential,
           p.effective_contraception, p.conditions,
           ARRAY(SELECT ROW(m.clinician_id, m.role, {", ".join(f"np.{c}" for c in _PREFERENCES)})
                 FROM care_team_members m
                 LEFT JOIN notification_preferences np ON np.clinician_id = m.clinician_id
                 WHERE m.patient_id = p.patient_id AND m.removed_at IS NULL) AS team,
           ARRAY(SELECT ROW(i.name, i.dose, i.taken_at, i.taken_on) FROM intakes i
                 WHERE i.patient_id = p.patient_id AND i.taken_at >= $2
                 ORDER BY i.taken_at, i.entry_id, i.position) AS doses,
           ARRAY(SELECT ROW({_PRESCRIPTION}) FROM prescriptions r
                 WHERE r.patient_id = p.patient_id
                   AND (r.status = 'active' OR r.stopped_at >= $3
                        OR r.prescription_id = any($4::text[]))) AS medications,
           ARRAY(SELECT ROW(c.conflict_id, c.conflict_key, c.rule_id, c.severity,
                            c.medications, c.prescription_ids, c.prescribers,
                            c.daily_doses::text, c.lapses_at, c.window_violated_at,
                            c.intake_days::text)
                 FROM conflicts c
                 WHERE c.patient_id = p.patient_id AND c.status = 'open') AS open_conflicts,
           named_elsewhere.rows AS named_elsewhere
    FROM patients p, named_elsewhere
    WHERE p.patient_id = any($1::text[])
    ORDER BY p.patient_id
    FOR UPDATE OF p"""


async def lock_and_read(
    conn: Connection,
    memo: BatchMemo,
    patient_ids: Sequence[str],
    prescription_ids: Sequence[str],
    *,
    doses_since: datetime,
    stopped_since: datetime,
) -> None:
    patients = sorted(set(patient_ids))
    named = sorted(set(prescription_ids))
    args = (patients, doses_since, stopped_since, named)
    rows = await conn.fetch(_LOCK_AND_READ, *args)
    if len(rows) < len(patients):  # patients seen for the first time: make their rows
        await conn.execute(
            """INSERT INTO patients (patient_id) SELECT unnest($1::text[]) ORDER BY 1
               ON CONFLICT DO NOTHING""",
            patients,
        )
        rows = await conn.fetch(_LOCK_AND_READ, *args)
    memo.locked.update(patients)
    memo.named.update(dict.fromkeys(named))
    for row in rows:
        patient_id = row["patient_id"]
        memo.profiles[patient_id] = to_profile(row)
        memo.teams[patient_id] = {}
        for clinician_id, role, *preferences in row["team"]:
            memo.teams[patient_id][clinician_id] = role
            if clinician_id not in memo.preferences:
                memo.preferences[clinician_id] = _preferences(preferences)
        memo.doses[patient_id] = [
            Intake(name=name, dose=dose, taken_at=taken_at, taken_on=taken_on)
            for name, dose, taken_at, taken_on in row["doses"]
        ]
        memo.lists[patient_id] = {}
        for values in row["medications"]:
            p = to_prescription(dict(zip(COLUMNS, values, strict=True)))
            memo.lists[patient_id][p.prescription_id] = p
            if p.prescription_id in memo.named:
                memo.named[p.prescription_id] = p
        memo.open_conflicts[patient_id] = {
            c.conflict_id: c for c in (_conflict(values) for values in row["open_conflicts"])
        }
    for values in rows[0]["named_elsewhere"] if rows else ():
        p = to_prescription(dict(zip(COLUMNS, values, strict=True)))
        memo.named[p.prescription_id] = p  # another patient's: applying an event to it fails


def _preferences(values: Sequence[Any]) -> Preferences:
    if values[0] is None:  # no row: the defaults
        return Preferences()
    return to_preferences(dict(zip(_PREFERENCES, values, strict=True)))


def _conflict(values: Sequence[Any]) -> OpenConflict:
    row: dict[str, Any] = dict(zip(_CONFLICT, values, strict=True))
    for column in ("daily_doses", "intake_days"):
        row[column] = json.loads(row[column])
    return to_open(row)
