"""Medication lists and profiles for the engine tests, in the KB's scenario terms."""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from services.care_team.domain.engine import (
    ConflictEngine,
    Finding,
    MedicationEntry,
    PatientProfile,
    Severity,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PSY = "psychiatrist"
NEU = "headache_specialist"
OTH = "primary_care"
SELF = "self_reported"

T1 = Severity.CONTRAINDICATED
T2 = Severity.MAJOR
T3 = Severity.MODERATE
T4 = Severity.MINOR


def rx(
    name: str,
    dose: str | None = None,
    frequency: str | None = None,
    *,
    role: str = PSY,
    prescriber: str | None = None,
    indication: str | None = None,
    route: str | None = None,
    rxcui: str | None = None,
    stopped_days_ago: float | None = None,
    rx_id: str | None = None,
) -> MedicationEntry:
    """A prescription; `stopped_days_ago` makes it a stopped one."""
    stopped = stopped_days_ago is not None
    return MedicationEntry(
        prescription_id=rx_id or f"rx-{name.lower().replace(' ', '-')}",
        name=name,
        rxcui=rxcui,
        dose=dose,
        frequency=frequency,
        route=route,
        indication=indication,
        prescriber_id=prescriber or f"dr-{role}",
        prescriber_role=role,
        active=not stopped,
        started_at=NOW - timedelta(days=100),
        stopped_at=NOW - timedelta(days=stopped_days_ago) if stopped_days_ago is not None else None,
    )


def born(age: int) -> date:
    return date(NOW.year - age, 1, 1)


def evaluate(
    engine: ConflictEngine,
    medications: Sequence[MedicationEntry],
    profile: PatientProfile | None = None,
    now: datetime = NOW,
) -> list[Finding]:
    return engine.evaluate(medications, profile or PatientProfile(), now)


def flagged(findings: Iterable[Finding]) -> set[tuple[str, Severity]]:
    """(rule id, severity) of every finding."""
    return {(f.rule_id, f.severity) for f in findings}


def by_rule(findings: Iterable[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


def one(findings: Iterable[Finding], rule_id: str) -> Finding:
    matching = by_rule(findings, rule_id)
    assert len(matching) == 1, f"expected one {rule_id}, got {[f.key for f in matching]}"
    return matching[0]
