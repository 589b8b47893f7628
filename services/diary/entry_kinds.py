"""The diary's entry kinds: what each one is stored and published as."""

from datetime import UTC, date, datetime, time

from pydantic import BaseModel

from services.diary.domain.entries import EntryKind
from services.diary.domain.questionnaire_entry import scored
from shared.events.diary import (
    AttackData,
    AttackRecorded,
    CheckinData,
    CheckinRecorded,
    EntryType,
    QuestionnaireCompleted,
    QuestionnaireData,
)


def _attack_time(data: BaseModel) -> datetime:
    assert isinstance(data, AttackData)
    return data.started_at


def _checkin_time(data: BaseModel) -> datetime:
    # A check-in is about a day; noon UTC keeps it inside that day for date windows.
    assert isinstance(data, CheckinData)
    return datetime.combine(data.date, time(12), tzinfo=UTC)


def _checkin_day(data: BaseModel) -> date | None:
    assert isinstance(data, CheckinData)
    return data.date


def _questionnaire_time(data: BaseModel) -> datetime:
    assert isinstance(data, QuestionnaireData)
    return data.completed_at


def _no_day(_: BaseModel) -> date | None:
    return None


ATTACK = EntryKind(EntryType.ATTACK, AttackRecorded, AttackData, _attack_time, _no_day)
CHECKIN = EntryKind(EntryType.CHECKIN, CheckinRecorded, CheckinData, _checkin_time, _checkin_day)
QUESTIONNAIRE = EntryKind(
    EntryType.QUESTIONNAIRE,
    QuestionnaireCompleted,
    QuestionnaireData,
    _questionnaire_time,
    _no_day,
    derive=scored,
)
KINDS = {kind.entry_type: kind for kind in (ATTACK, CHECKIN, QUESTIONNAIRE)}
