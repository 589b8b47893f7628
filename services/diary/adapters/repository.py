"""asyncpg access to the diary schema."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from shared.db import Connection


async def get_entry(conn: Connection, patient_id: str, entry_id: UUID) -> asyncpg.Record | None:
    """The entry, deleted or not (a deleted id stays taken)."""
    return await conn.fetchrow(
        """SELECT entry_type, data, revision, deleted_at FROM entries
           WHERE patient_id = $1 AND entry_id = $2 FOR UPDATE""",
        patient_id,
        entry_id,
    )


async def insert_entry(
    conn: Connection,
    patient_id: str,
    entry_id: UUID,
    entry_type: str,
    *,
    occurred_at: datetime,
    local_date: date | None,
    data: dict[str, Any],
) -> bool:
    """False when the entry id exists already (nothing is written then)."""
    inserted = await conn.fetchval(
        """INSERT INTO entries (patient_id, entry_id, entry_type, occurred_at, local_date, data)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (patient_id, entry_id) DO NOTHING
           RETURNING true""",
        patient_id,
        entry_id,
        entry_type,
        occurred_at,
        local_date,
        data,
    )
    return bool(inserted)


async def update_entry(
    conn: Connection,
    patient_id: str,
    entry_id: UUID,
    *,
    occurred_at: datetime,
    local_date: date | None,
    data: dict[str, Any],
    revision: int,
) -> None:
    await conn.execute(
        """UPDATE entries SET occurred_at = $3, local_date = $4, data = $5, revision = $6,
               updated_at = now()
           WHERE patient_id = $1 AND entry_id = $2""",
        patient_id,
        entry_id,
        occurred_at,
        local_date,
        data,
        revision,
    )


async def mark_deleted(
    conn: Connection, patient_id: str, entry_id: UUID, *, revision: int, at: datetime
) -> None:
    await conn.execute(
        """UPDATE entries SET deleted_at = $3, revision = $4, updated_at = now()
           WHERE patient_id = $1 AND entry_id = $2""",
        patient_id,
        entry_id,
        at,
        revision,
    )


# The clinical core's inputs: typed columns the entry_facts trigger derives from each entry's
# JSON on write (migration 0006), so a read neither extracts nor decodes JSON documents.
_CHECKIN_FACTS = """
    SELECT local_date, mood, stress, sleep_hours, sleep_quality, menstruation, alcohol_units,
           skipped_meals, caffeine_mg
    FROM entries
    WHERE patient_id = $1 AND entry_type = 'checkin' AND deleted_at IS NULL
    ORDER BY local_date"""
_ATTACK_FACTS = """
    SELECT entry_id::text, occurred_at, ended_at, intensity, location, pulsating,
           aggravated_by_activity, nausea, vomiting, photophobia, phonophobia, aura,
           aura_symptoms, triggers, medication_names, medication_taken_at, medication_doses,
           relief_at_2h
    FROM entries
    WHERE patient_id = $1 AND entry_type = 'attack' AND deleted_at IS NULL
    ORDER BY occurred_at"""
_QUESTIONNAIRE_FACTS = """
    SELECT entry_id::text, completed_at, instrument, answers
    FROM entries
    WHERE patient_id = $1 AND entry_type = 'questionnaire' AND deleted_at IS NULL
    ORDER BY occurred_at"""


async def checkin_fact_rows(conn: Connection, patient_id: str) -> list[asyncpg.Record]:
    """Every check-in: (day, mood, stress, sleep_hours, sleep_quality, menstruation,
    alcohol_units, skipped_meals, caffeine_mg), CheckinFacts' field order."""
    return await conn.fetch(_CHECKIN_FACTS, patient_id)


async def attack_fact_rows(conn: Connection, patient_id: str) -> list[asyncpg.Record]:
    """Every attack: (id, started_at, ended_at, intensity, location, pulsating, aggravated,
    nausea, vomiting, photophobia, phonophobia, aura, aura_symptoms, triggers, and its intakes'
    names, times and doses as three parallel lists, relief_at_2h)."""
    return await conn.fetch(_ATTACK_FACTS, patient_id)


async def questionnaire_fact_rows(conn: Connection, patient_id: str) -> list[asyncpg.Record]:
    """Every questionnaire: (id, completed_at as sent, instrument, answers)."""
    return await conn.fetch(_QUESTIONNAIRE_FACTS, patient_id)


async def record_completed_visit(
    conn: Connection,
    patient_id: str,
    visit_id: UUID,
    *,
    starts_at: datetime,
    completed_at: datetime,
    clinician_ids: list[str],
) -> None:
    await conn.execute(
        """INSERT INTO completed_visits (patient_id, visit_id, starts_at, completed_at,
                                         clinician_ids)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (patient_id, visit_id) DO NOTHING""",
        patient_id,
        visit_id,
        starts_at,
        completed_at,
        clinician_ids,
    )


async def zone_and_last_visit(
    conn: Connection, patient_id: str, until: datetime
) -> tuple[str, datetime | None]:
    """(timezone, last_visit_start) in one round trip: every read and every write's alert
    decision needs both."""
    row = await conn.fetchrow(
        """SELECT (SELECT timezone FROM patient_settings WHERE patient_id = $1),
                  (SELECT max(starts_at) FROM completed_visits
                   WHERE patient_id = $1 AND starts_at <= $2)""",
        patient_id,
        until,
    )
    assert row is not None  # a SELECT without FROM yields one row
    return row[0] or "UTC", row[1]


async def care_team(conn: Connection, patient_id: str) -> set[str]:
    rows = await conn.fetch(
        "SELECT clinician_id FROM care_team_members WHERE patient_id = $1", patient_id
    )
    return {row["clinician_id"] for row in rows}


async def set_member(
    conn: Connection, patient_id: str, clinician_id: str, role: str, *, present: bool
) -> None:
    if present:
        await conn.execute(
            """INSERT INTO care_team_members (patient_id, clinician_id, role) VALUES ($1, $2, $3)
               ON CONFLICT (patient_id, clinician_id) DO UPDATE SET role = excluded.role""",
            patient_id,
            clinician_id,
            role,
        )
    else:
        await conn.execute(
            "DELETE FROM care_team_members WHERE patient_id = $1 AND clinician_id = $2",
            patient_id,
            clinician_id,
        )


async def timezone(conn: Connection, patient_id: str) -> str:
    tz: str | None = await conn.fetchval(
        "SELECT timezone FROM patient_settings WHERE patient_id = $1", patient_id
    )
    return tz or "UTC"


async def set_timezone(conn: Connection, patient_id: str, tz: str) -> None:
    await conn.execute(
        """INSERT INTO patient_settings (patient_id, timezone) VALUES ($1, $2)
           ON CONFLICT (patient_id) DO UPDATE SET timezone = excluded.timezone""",
        patient_id,
        tz,
    )


async def lock_alert_state(conn: Connection, patient_id: str) -> dict[str, Any] | None:
    """The patient's alert state, locked (created empty first, so the lock always exists)."""
    await conn.execute(
        """INSERT INTO alert_state (patient_id, state) VALUES ($1, 'null'::jsonb)
           ON CONFLICT (patient_id) DO NOTHING""",
        patient_id,
    )
    state: dict[str, Any] | None = await conn.fetchval(
        "SELECT state FROM alert_state WHERE patient_id = $1 FOR UPDATE", patient_id
    )
    return state


async def save_alert_state(conn: Connection, patient_id: str, state: dict[str, Any]) -> None:
    await conn.execute(
        "UPDATE alert_state SET state = $2, updated_at = now() WHERE patient_id = $1",
        patient_id,
        state,
    )


async def insert_alert(conn: Connection, alert: Any) -> None:
    await conn.execute(
        """INSERT INTO alerts
               (alert_id, patient_id, kind, priority, episode_key, evidence, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        alert.alert_id,
        alert.patient_id,
        alert.kind,
        alert.priority.value,
        alert.episode_key,
        alert.evidence,
        alert.raised_at,
    )


async def alerts_for(conn: Connection, patient_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT alert_id, kind, priority, episode_key, evidence, raised_at FROM alerts
           WHERE patient_id = $1 ORDER BY raised_at, alert_id""",
        patient_id,
    )
