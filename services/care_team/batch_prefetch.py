"""Before a consumer batch's events are applied: lock every patient of the batch (in id
order, so two transactions never wait on each other in a circle) and read what their
evaluations need and only a locked patient's own changes alter: profile, team, diary
doses, the medication list (with the prescriptions the events name) and the open
conflicts. Five statements for the batch instead of about eight per event."""

from collections.abc import Sequence
from datetime import datetime

from services.care_team.adapters import (
    conflict_repository,
    preference_repository,
    prescription_repository,
)
from services.care_team.adapters.team_repository import to_profile
from services.care_team.batch_memo import BatchMemo
from services.care_team.domain.engine.model import Intake
from shared.db import Connection

_LOCK = """SELECT patient_id, birth_date, sex, pregnant, childbearing_potential,
                  effective_contraception, conditions
           FROM patients WHERE patient_id = any($1::text[]) ORDER BY patient_id FOR UPDATE"""


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
    rows = await conn.fetch(_LOCK, patients)
    if len(rows) < len(patients):  # patients seen for the first time: make their rows
        await conn.execute(
            """INSERT INTO patients (patient_id) SELECT unnest($1::text[]) ORDER BY 1
               ON CONFLICT DO NOTHING""",
            patients,
        )
        rows = await conn.fetch(_LOCK, patients)
    for row in rows:
        memo.profiles[row["patient_id"]] = to_profile(row)
        memo.teams[row["patient_id"]] = {}
        memo.doses[row["patient_id"]] = []
    memo.locked.update(patients)
    for row in await conn.fetch(
        """SELECT patient_id, clinician_id, role FROM care_team_members
           WHERE patient_id = any($1::text[]) AND removed_at IS NULL""",
        patients,
    ):
        memo.teams[row["patient_id"]][row["clinician_id"]] = row["role"]
    for row in await conn.fetch(
        """SELECT patient_id, name, dose, taken_at, taken_on FROM intakes
           WHERE patient_id = any($1::text[]) AND taken_at >= $2
           ORDER BY patient_id, taken_at, entry_id, position""",
        patients,
        doses_since,
    ):
        memo.doses[row["patient_id"]].append(
            Intake(name=row["name"], dose=row["dose"], taken_at=row["taken_at"],
                   taken_on=row["taken_on"])
        )  # fmt: skip
    # Everyone who may be notified: the teams' members (prescribers joining in the batch
    # are read when first notified).
    members = sorted({c for team in memo.teams.values() for c in team} - memo.preferences.keys())
    memo.preferences.update(await preference_repository.preferences_of_many(conn, members))
    named = sorted(set(prescription_ids))
    memo.named.update(dict.fromkeys(named))
    for patient_id in patients:
        memo.lists[patient_id] = {}
    for p in await prescription_repository.read_lists(
        conn, patients, named, stopped_since=stopped_since
    ):
        if p.prescription_id in memo.named:
            memo.named[p.prescription_id] = p
        if p.patient_id in memo.lists:
            memo.lists[p.patient_id][p.prescription_id] = p
    for patient_id, conflicts in (await conflict_repository.read_open(conn, patients)).items():
        memo.open_conflicts[patient_id] = {c.conflict_id: c for c in conflicts}
