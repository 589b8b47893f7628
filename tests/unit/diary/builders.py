"""Diary facts for the clinical-core tests, in the KB's terms (local days, ICHD-3 features)."""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.diary.domain.clinical.days import DiaryDays, classify_days
from services.diary.domain.clinical.facts import (
    AttackFacts,
    CheckinFacts,
    IntakeFacts,
    Phq9Answers,
    QuestionnaireFacts,
    Relief,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
THROUGH = date(2026, 6, 30)  # the assessment day in most tests


def at(day: date, hour: int = 10, minute: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def end_of(day: date, zone: ZoneInfo = BERLIN) -> datetime:
    """An as_of late on `day`, so `day` is the last local day of the diary."""
    return at(day, 23, 0, zone)


def attack(
    attack_id: str,
    start: datetime,
    *,
    hours: float | None = 3,
    intensity: int = 2,
    drugs: Sequence[str] = (),
    relief: Relief | None = None,
    **features: bool,
) -> AttackFacts:
    """An attack lasting `hours` of real time; drugs are taken 30 min in. None: ongoing."""
    # Aware arithmetic within one zone is wall-clock arithmetic; add elapsed time in UTC.
    ended = None if hours is None else (start.astimezone(UTC) + timedelta(hours=hours))
    taken = start + timedelta(minutes=30)
    return AttackFacts(
        attack_id=attack_id,
        started_at=start,
        ended_at=ended,
        intensity=intensity,
        medications=tuple(IntakeFacts.named(name, taken) for name in drugs),
        relief_at_2h=relief,
        **features,  # type: ignore[arg-type]
    )


def checkins(first: date, last: date, **fields: int) -> list[CheckinFacts]:
    out = []
    day = first
    while day <= last:
        out.append(CheckinFacts(day=day, **fields))  # type: ignore[arg-type]
        day += timedelta(days=1)
    return out


def diary(
    attacks: Iterable[AttackFacts],
    daily: Iterable[CheckinFacts] = (),
    *,
    through: date = THROUGH,
    zone: ZoneInfo = BERLIN,
) -> DiaryDays:
    return classify_days(attacks, daily, zone, as_of=end_of(through, zone))


def monthly(
    through: date, months: int, plan: Sequence[tuple[int, Sequence[str]]]
) -> list[AttackFacts]:
    """The same plan in each rolling 30-day month ending on `through`.

    plan: (day index 0-29 within the month, drugs taken that day). Each entry is a 3-hour
    attack at 10:00; an empty drug list is an untreated headache day.
    """
    out = []
    for m in range(months):
        first = through - timedelta(days=30 * m + 29)
        for index, drugs in plan:
            day = first + timedelta(days=index)
            out.append(attack(f"m{m}-d{index}", at(day), drugs=drugs))
    return out


def phq9(qid: str, day: date, items: Sequence[int], zone: ZoneInfo = BERLIN) -> QuestionnaireFacts:
    return QuestionnaireFacts(
        questionnaire_id=qid, completed_at=at(day, 20, 0, zone), answers=Phq9Answers(tuple(items))
    )


def phq9_total(qid: str, day: date, total: int, item9: int = 0) -> QuestionnaireFacts:
    """A PHQ-9 with the given total, item 9 as given and the rest spread over items 1-8."""
    rest = total - item9
    assert 0 <= rest <= 24, "items 1-8 can hold 0-24 points"
    items = [min(3, max(0, rest - 3 * i)) for i in range(8)]
    return phq9(qid, day, [*items, item9])
