"""Stored diary entries -> the clinical core's facts, and alert state <-> JSON."""

from datetime import date, datetime
from typing import Any

from services.diary.domain.clinical.alerts import AlertKind, AlertState, Episode
from services.diary.domain.clinical.facts import (
    AttackFacts,
    CheckinFacts,
    Instrument,
    IntakeFacts,
    QuestionnaireFacts,
    Relief,
)
from services.diary.domain.clinical.questionnaires import parse_answers


def attack_facts(data: dict[str, Any]) -> AttackFacts:
    features = data.get("features") or {}
    relief = data.get("relief_at_2h")
    return AttackFacts(
        attack_id=str(data["entry_id"]),
        started_at=datetime.fromisoformat(data["started_at"]),
        ended_at=datetime.fromisoformat(data["ended_at"]) if data.get("ended_at") else None,
        intensity=int(data["intensity"]),
        unilateral=None
        if features.get("location") is None
        else features["location"] == "unilateral",
        pulsating=features.get("pulsating"),
        aggravated_by_activity=features.get("aggravated_by_activity"),
        nausea=features.get("nausea"),
        vomiting=features.get("vomiting"),
        photophobia=features.get("photophobia"),
        phonophobia=features.get("phonophobia"),
        aura=features.get("aura"),
        aura_symptoms=tuple(features.get("aura_symptoms") or ()),
        triggers=tuple(data.get("triggers") or ()),
        medications=tuple(
            IntakeFacts.named(m["name"], datetime.fromisoformat(m["taken_at"]), m.get("dose"))
            for m in data.get("medications") or ()
        ),
        relief_at_2h=Relief(relief) if relief else None,
    )


def checkin_facts(data: dict[str, Any]) -> CheckinFacts:
    return CheckinFacts(
        day=date.fromisoformat(data["date"]),
        **{
            k: data.get(k)
            for k in (
                "mood",
                "stress",
                "sleep_hours",
                "sleep_quality",
                "menstruation",
                "alcohol_units",
                "skipped_meals",
                "caffeine_mg",
            )
        },
    )


def questionnaire_facts(data: dict[str, Any]) -> QuestionnaireFacts:
    return QuestionnaireFacts(
        questionnaire_id=str(data["entry_id"]),
        completed_at=datetime.fromisoformat(data["completed_at"]),
        answers=parse_answers(Instrument(data["instrument"]), data["answers"]),
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
