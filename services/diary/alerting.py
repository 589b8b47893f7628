"""Use case: after the diary changes, compute what clinicians act on and raise the alerts
that are due, once per episode, in the same transaction as the change."""

from datetime import datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

from services.diary.adapters import repository
from services.diary.adapters.facts import (
    attack_facts,
    checkin_table,
    questionnaire_facts,
    state_from_json,
    state_json,
)
from services.diary.domain.clinical.alerts import Alert, decide_alerts
from services.diary.domain.clinical.days import DiaryDays, classify_days
from services.diary.domain.clinical.summary import ClinicianSummary, clinician_summary
from shared import outbox
from shared.db import Connection
from shared.events.diary import AlertData, AlertPriority, AlertRaised
from shared.events.envelope import new_patient_event

SOURCE = "/carecoord/diary"


async def summarise(
    conn: Connection, patient_id: str, *, now: datetime
) -> tuple[DiaryDays, ClinicianSummary]:
    tz, visited = await repository.zone_and_last_visit(conn, patient_id, now)
    zone = ZoneInfo(tz)
    attacks = [attack_facts(row) for row in await repository.attack_fact_rows(conn, patient_id)]
    checkins = checkin_table(await repository.checkin_fact_rows(conn, patient_id))
    questionnaires = [
        questionnaire_facts(row)
        for row in await repository.questionnaire_fact_rows(conn, patient_id)
    ]
    days = classify_days(attacks, checkins, zone, as_of=now)
    last_visit = None if visited is None else visited.astimezone(zone).date()
    return days, clinician_summary(days, questionnaires, last_visit=last_visit)


async def raise_due_alerts(
    conn: Connection, patient_id: str, *, topic: str, now: datetime
) -> list[Alert]:
    """Call inside the transaction that changed the diary; the state row lock serialises
    concurrent changes of one patient, so no alert is raised twice."""
    stored = await repository.lock_alert_state(conn, patient_id)
    _, summary = await summarise(conn, patient_id, now=now)
    decision = decide_alerts(summary, state_from_json(stored))
    for alert in decision.alerts:
        data = AlertData(
            alert_id=uuid4(),
            patient_id=patient_id,
            kind=alert.kind.value,
            priority=AlertPriority(alert.priority.value),
            episode_key=alert.episode_key,
            evidence=dict(alert.evidence),
            raised_at=now,
        )
        await repository.insert_alert(conn, data)
        event = new_patient_event(AlertRaised, source=SOURCE, patient_id=patient_id, data=data)
        await outbox.enqueue(conn, event, topic=topic, key=patient_id)
    await repository.save_alert_state(conn, patient_id, state_json(decision.state))
    return list(decision.alerts)
