"""Stored diary entries -> the clinical core's facts, and alert state <-> JSON."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

import asyncpg

from services.diary.domain.clinical.alerts import AlertKind, AlertState, Episode
from services.diary.domain.clinical.checkin_table import CheckinRow, CheckinTable, checkin_from_row
from services.diary.domain.clinical.facts import (
    AttackFacts,
    CheckinFacts,
    Instrument,
    IntakeFacts,
    QuestionnaireFacts,
    Relief,
)
from services.diary.domain.clinical.questionnaires import parse_answers


def attack_facts(row: asyncpg.Record) -> AttackFacts:
    """From a `repository.attack_fact_rows` row."""
    (
        attack_id, started_at, ended_at, intensity, location, pulsating, aggravated, nausea,
        vomiting, photophobia, phonophobia, aura, aura_symptoms, triggers, names, times, doses,
        relief,
    ) = row  # fmt: skip
    return AttackFacts(
        attack_id=attack_id,
        started_at=started_at,
        ended_at=ended_at,
        intensity=intensity,
        unilateral=None if location is None else location == "unilateral",
        pulsating=pulsating,
        aggravated_by_activity=aggravated,
        nausea=nausea,
        vomiting=vomiting,
        photophobia=photophobia,
        phonophobia=phonophobia,
        aura=aura,
        aura_symptoms=tuple(aura_symptoms),
        triggers=tuple(triggers),
        medications=tuple(map(IntakeFacts.named, names, times, doses)),
        relief_at_2h=Relief(relief) if relief else None,
    )


def checkin_facts(row: asyncpg.Record) -> CheckinFacts:
    """From a `repository.checkin_fact_rows` row (its columns are CheckinFacts' fields)."""
    return checkin_from_row(cast("CheckinRow", tuple(row)))


def checkin_table(rows: Iterable[asyncpg.Record]) -> CheckinTable:
    """From `repository.checkin_fact_rows` rows (their columns are CheckinFacts' fields)."""
    return CheckinTable(cast("Iterable[CheckinRow]", map(tuple, rows)))


def questionnaire_facts(row: asyncpg.Record) -> QuestionnaireFacts:
    """From a `repository.questionnaire_fact_rows` row."""
    questionnaire_id, completed_at, instrument, answers = row
    return QuestionnaireFacts(
        questionnaire_id=questionnaire_id,
        completed_at=datetime.fromisoformat(completed_at),
        answers=parse_answers(Instrument(instrument), answers),
    )


def _episode_json(e: Episode) -> dict[str, Any]:
    return {
        "started_on": e.started_on.isoformat(),
        "raised": sorted(e.raised),
        "context": e.context,
    }


def _episode(d: dict[str, Any]) -> Episode:
    return Episode(
        started_on=date.fromisoformat(d["started_on"]),
        raised=frozenset(AlertKind(k) for k in d["raised"]),
        context=d.get("context", ""),
    )


def state_json(state: AlertState) -> dict[str, Any]:
    return {
        "overuse": {scope: _episode_json(e) for scope, e in state.overuse.items()},
        "rising": _episode_json(state.rising) if state.rising else None,
        "phq9_item9_alerted": sorted(state.phq9_item9_alerted),
        "phq9_worsening_judged": sorted(state.phq9_worsening_judged),
    }


def state_from_json(d: dict[str, Any] | None) -> AlertState | None:
    if d is None:
        return None
    return AlertState(
        overuse={scope: _episode(e) for scope, e in d["overuse"].items()},
        rising=_episode(d["rising"]) if d.get("rising") else None,
        phq9_item9_alerted=frozenset(d["phq9_item9_alerted"]),
        phq9_worsening_judged=frozenset(d["phq9_worsening_judged"]),
    )
