"""Use case: record an attack and announce it, in one transaction."""

from services.diary.adapters import repository
from services.diary.domain.attacks import AttackEntry, EntryConflict
from shared import outbox
from shared.db import Connection
from shared.events.diary import AttackData, AttackRecorded
from shared.events.envelope import new_patient_event, utc_now

SOURCE = "/carecoord/diary"


async def record_attack(
    conn: Connection, patient_id: str, entry: AttackEntry, *, topic: str
) -> tuple[AttackData, bool]:
    """Returns the stored attack and whether it was new. A retry with the same
    entry id and content returns the stored one; different content is a conflict."""
    attack = AttackData(patient_id=patient_id, recorded_at=utc_now(), **entry.model_dump())
    async with conn.transaction():
        if await repository.insert_attack(conn, attack):
            event = new_patient_event(
                AttackRecorded, source=SOURCE, patient_id=patient_id, data=attack
            )
            await outbox.enqueue(conn, event, topic=topic, key=patient_id)
            return attack, True
        stored = await repository.get_attack(conn, patient_id, entry.entry_id)
    assert stored is not None
    if AttackEntry.model_validate(stored.model_dump()) != entry:
        raise EntryConflict()
    return stored, False
