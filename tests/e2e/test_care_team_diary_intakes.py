"""care_team follows the diary: the drugs taken and when, through corrections and deletions."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from shared.events.registry import Topic
from tests.support.ids import unique
from tests.support.kafka_probe import publish_raw
from tests.support.services import RunningService
from tests.support.waiting import eventually

TAKEN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def diary_event(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": unique("d-"),
        "source": "/carecoord/diary",
        "type": f"org.carecoord.diary.{type_}.v1",
        "subject": f"patient/{data['patient_id']}",
        "data": data,
    }


def attack(
    patient: str, entry_id: str, revision: int, *drugs: tuple[str, datetime]
) -> dict[str, Any]:
    return diary_event(
        "attack.recorded",
        {
            "entry_id": entry_id,
            "patient_id": patient,
            "revision": revision,
            "started_at": TAKEN.isoformat(),
            "intensity": 2,
            "recorded_at": TAKEN.isoformat(),
            "medications": [{"name": n, "dose": None, "taken_at": t.isoformat()} for n, t in drugs],
        },
    )


async def intakes(service: RunningService, patient: str) -> list[tuple[str, str, bool]]:
    rows = await service.runtime.pool.fetch(
        """SELECT name, ingredient, recognised FROM intakes
           WHERE patient_id = $1 ORDER BY taken_at, name""",
        patient,
    )
    return [(r["name"], r["ingredient"], r["recognised"]) for r in rows]


async def test_intakes_follow_corrections_late_revisions_and_deletions(
    care_team: RunningService,
) -> None:
    patient, entry = unique("p-"), str(uuid4())
    topic = care_team.settings.topic(Topic.DIARY)
    bootstrap = care_team.settings.kafka_bootstrap_servers

    async def send(*events: dict[str, Any]) -> None:
        await publish_raw(
            bootstrap, topic, [(patient.encode(), json.dumps(e).encode()) for e in events]
        )

    first = attack(patient, entry, 1, ("Imitrex", TAKEN))
    second = attack(
        patient, entry, 2, ("sumatriptan", TAKEN), ("Advil", TAKEN + timedelta(hours=3))
    )
    await send(first, second, first)  # revision 1 arrives again, late: ignored
    await eventually(
        lambda: intakes(care_team, patient),
        lambda rows: len(rows) == 2,
        what="revision 2's two intakes",
    )
    marker = attack(patient, str(uuid4()), 1, ("st john's wort", TAKEN + timedelta(days=1)))
    await send(marker)
    rows = await eventually(lambda: intakes(care_team, patient), lambda rows: len(rows) == 3)
    assert rows == [
        ("sumatriptan", "sumatriptan", True),
        ("advil", "ibuprofen", True),
        ("st john's wort", "st john's wort", True),
    ]
    deleted = diary_event(
        "entry.deleted",
        {
            "entry_id": entry,
            "patient_id": patient,
            "entry_type": "attack",
            "revision": 3,
            "deleted_at": TAKEN.isoformat(),
        },
    )
    await send(deleted, second)  # the correction re-delivered after the deletion: ignored
    rows = await eventually(lambda: intakes(care_team, patient), lambda rows: len(rows) == 1)
    assert rows == [("st john's wort", "st john's wort", True)]
