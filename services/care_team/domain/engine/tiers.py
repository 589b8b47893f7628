"""What a match is worth: its tier after modifiers and cap, and how long stopped drugs
keep it (washouts)."""

from datetime import datetime, timedelta

from services.care_team.domain.engine.catalogue import Drug
from services.care_team.domain.engine.medlist import Med, MedList
from services.care_team.domain.engine.rulebook import Rule


def tier(rule: Rule, medlist: MedList, meds: tuple[Med, ...]) -> int:
    """The rule's tier for these drugs: its own, then its modifiers in order, then its cap."""
    found = rule.tier
    if found == 0:
        return 0
    for modifier in rule.modifiers:
        if modifier.when(medlist, meds):
            found = (
                modifier.tier if modifier.tier is not None else max(1, found - modifier.raise_by)
            )
    if rule.cap is not None:
        cap, unless = rule.cap
        if found < cap and (unless is None or not unless(medlist, meds)):
            found = cap
    return found


def stopped(rule: Rule, meds: tuple[Med, ...], now: datetime) -> tuple[bool, datetime | None]:
    """(whether a match with stopped drugs holds, when it lapses: the first washout end)."""
    lapses_at: datetime | None = None
    for med in meds:
        stopped_at = med.entry.stopped_at
        if med.active or stopped_at is None:
            continue
        days = window_days(rule.stopped, med.facts.drug)
        if days is None or (len(meds) > 1 and not any(m.active for m in meds)):
            return False, None
        until = stopped_at + timedelta(days=days)
        if until <= now:
            return False, None
        lapses_at = until if lapses_at is None else min(lapses_at, until)
    return True, lapses_at


def window_days(stopped: str | int | None, drug: Drug) -> int | None:
    """How many days after its stop a drug counts for a rule (`Rule.stopped`); None: not."""
    if stopped is None or isinstance(stopped, int):
        return stopped
    return drug.washout_days if stopped == "washout" else drug.inhibition_persists_days
