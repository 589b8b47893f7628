"""Use cases: care-team membership and the patient profile."""

from datetime import date

from services.care_team import batch_memo
from services.care_team.adapters import prescription_repository as prescriptions
from services.care_team.adapters import team_repository as repository
from services.care_team.context import SOURCE, CareTeamContext
from services.care_team.domain.conflicts import ConflictDiff
from services.care_team.evaluation import reevaluate
from shared import outbox
from shared.db import Connection
from shared.events.care_team import MemberAdded, MemberData, MemberRemoved, TeamRole
from shared.events.envelope import new_patient_event


async def add_member(
    conn: Connection,
    ctx: CareTeamContext,
    patient_id: str,
    clinician_id: str,
    role: TeamRole,
    *,
    changed_by: str,
    source: str = "api",
    patient_locked: bool = False,
) -> bool:
    memo = batch_memo.current()
    if memo is not None and patient_id in memo.locked:
        # The batch holds the locked patient's whole current team: a clinician not on it
        # joins (written with the batch's other rows at its end).
        if clinician_id in memo.teams[patient_id]:
            return False
        memo.members_added.append((patient_id, clinician_id, role.value, source))
    else:
        if not patient_locked:  # a locked patient's row exists
            await prescriptions.ensure_patient(conn, patient_id)
        if not await repository.add_member(conn, patient_id, clinician_id, role.value, source):
            return False
    batch_memo.team_changed(patient_id, clinician_id, role.value)
    data = MemberData(
        patient_id=patient_id,
        clinician_id=clinician_id,
        role=role,
        changed_by=changed_by,
        source="prescription" if source == "prescription" else "api",
        effective_at=ctx.clock(),
    )
    event = new_patient_event(MemberAdded, source=SOURCE, patient_id=patient_id, data=data)
    await outbox.enqueue(conn, event, topic=ctx.care_team_topic, key=patient_id)
    return True


async def remove_member(
    conn: Connection, ctx: CareTeamContext, patient_id: str, clinician_id: str, *, changed_by: str
) -> bool:
    role = await repository.remove_member(conn, patient_id, clinician_id)
    if role is None:
        return False
    batch_memo.team_changed(patient_id, clinician_id, None)
    data = MemberData(
        patient_id=patient_id,
        clinician_id=clinician_id,
        role=TeamRole(role),
        changed_by=changed_by,
        effective_at=ctx.clock(),
    )
    event = new_patient_event(MemberRemoved, source=SOURCE, patient_id=patient_id, data=data)
    await outbox.enqueue(conn, event, topic=ctx.care_team_topic, key=patient_id)
    return True


async def update_profile(
    conn: Connection,
    ctx: CareTeamContext,
    patient_id: str,
    *,
    birth_date: date | None,
    sex: str | None,
    pregnant: bool | None,
    childbearing_potential: bool | None,
    effective_contraception: bool | None,
    conditions: list[str],
    changed_by: str,
) -> ConflictDiff:
    """A profile change (pregnancy recorded, a new condition) can raise or end conflicts."""
    await prescriptions.lock_patient(conn, patient_id)
    await repository.save_profile(
        conn,
        patient_id,
        birth_date=birth_date,
        sex=sex,
        pregnant=pregnant,
        childbearing_potential=childbearing_potential,
        effective_contraception=effective_contraception,
        conditions=sorted(set(conditions)),
        updated_at=ctx.clock(),
    )
    return await reevaluate(conn, ctx, patient_id, changed_by=changed_by)
