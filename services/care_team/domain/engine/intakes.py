"""Diary doses in an evaluation: exposures, time windows, and how often drugs were taken.

What the list alone cannot tell (clinical-kb §1.B, §1.C, §1.G, §1.J):

* a drug the patient logs but nobody prescribed (ibuprofen while on lithium) is an
  exposure: it joins the list as a self-reported, as-needed product until the exposure
  span after its last dose, so every list rule sees it;
* a dose inside one of a rule's windows (sumatriptan 12 h after ergotamine) raises that
  rule's finding to the window's tier and names the doses: the same conflict, re-flagged;
* a finding says on how many days of the span the diary shows its drugs taken.

Pure: the caller passes the doses, the list and `now`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from services.care_team.domain.engine.model import (
    Finding,
    Intake,
    IntakeDays,
    MedicationEntry,
    ResolvedDrug,
    WindowViolation,
)
from services.care_team.domain.engine.rulebook import SEVERITY
from services.care_team.domain.engine.windows import Window, WindowBook

Resolve = Callable[[str, str | None], ResolvedDrug]

EXPOSURE_PREFIX = "diary:"  # prescription id of an exposure: "diary:<ingredient>"
DIARY_PRESCRIBER = "diary"  # an exposure's prescriber id: nobody to notify


@dataclass(frozen=True, slots=True)
class Dose:
    ingredient: str  # one component of the logged product
    at: datetime
    day: date  # the patient's local day
    intake: int  # which logged intake: two components of one product are one intake


@dataclass(frozen=True, slots=True)
class Course:
    """An ingredient's time on the list, for windows opened by a listed drug."""

    ingredient: str
    started_at: datetime | None
    stopped_at: datetime | None  # None while active


def recognised_doses(intakes: Sequence[Intake], resolve: Resolve, since: datetime) -> list[Dose]:
    """The doses of known drugs taken since `since`, in time order."""
    doses: list[Dose] = []
    for index, intake in enumerate(intakes):
        if intake.taken_at < since:
            continue
        drug = resolve(intake.name, None)
        if not drug.recognised:
            continue  # no rule can match it
        day = intake.taken_on or intake.taken_at.date()
        doses.extend(Dose(c, intake.taken_at, day, index) for c in drug.components)
    doses.sort(key=lambda d: (d.at, d.intake))
    return doses


def courses(medications: Sequence[MedicationEntry], resolve: Resolve) -> list[Course]:
    found = []
    for entry in medications:
        if not entry.active and entry.stopped_at is None:
            continue
        stopped_at = None if entry.active else entry.stopped_at
        for component in resolve(entry.name, entry.rxcui).components:
            found.append(Course(component, entry.started_at, stopped_at))
    return found


def exposures(
    doses: Sequence[Dose], listed: Sequence[Course], now: datetime, span: timedelta
) -> list[MedicationEntry]:
    """Self-reported entries for drugs taken within the span that no active entry lists."""
    active = {c.ingredient for c in listed if c.stopped_at is None}
    first_taken: dict[str, datetime] = {}
    for dose in doses:
        if dose.at >= now - span and dose.ingredient not in active:
            first_taken.setdefault(dose.ingredient, dose.at)
    return [
        MedicationEntry(
            prescription_id=f"{EXPOSURE_PREFIX}{ingredient}",
            name=ingredient,
            rxcui=None,
            dose=None,
            frequency="as needed",
            route=None,
            indication=None,
            prescriber_id=DIARY_PRESCRIBER,
            prescriber_role="self_reported",
            active=True,
            started_at=started_at,
        )
        for ingredient, started_at in first_taken.items()
    ]


def apply_doses(
    findings: Sequence[Finding],
    doses: Sequence[Dose],
    listed: Sequence[Course],
    book: WindowBook,
    now: datetime,
) -> list[Finding]:
    """The findings with their windows checked, exposures' ids taken out, doses counted;
    most severe first (then rule id, key), as the engine orders them."""
    since = now - book.exposure
    recent = [d for d in doses if d.at >= since]
    updated = [_with_doses(f, doses, recent, listed, book, since) for f in findings]
    updated.sort(key=lambda f: (-f.severity.rank, f.rule_id, f.key))
    return updated


def _with_doses(
    finding: Finding,
    doses: Sequence[Dose],
    recent: Sequence[Dose],
    listed: Sequence[Course],
    book: WindowBook,
    since: datetime,
) -> Finding:
    ingredients = frozenset(finding.medications)
    taken = _intake_days(finding.medications, recent, book.exposure.days)
    exposed = [p for p in finding.prescription_ids if p.startswith(EXPOSURE_PREFIX)]
    violation, window = None, None
    for candidate in book.by_rule.get(finding.rule_id, ()):
        found = _violation(candidate, ingredients, doses, listed, since)
        if found is not None and (violation is None or found.then_at > violation.then_at):
            violation, window = found, candidate
    if not taken and not exposed and violation is None:
        return finding
    changes: dict[str, object] = {"intake_days": taken}
    summary = finding.summary
    lapses = [finding.lapses_at] if finding.lapses_at is not None else []
    if exposed:
        last = {t.ingredient: t.last_taken_at for t in taken}
        lapses += [last[p.removeprefix(EXPOSURE_PREFIX)] + book.exposure for p in exposed]
        changes["prescription_ids"] = tuple(
            p for p in finding.prescription_ids if not p.startswith(EXPOSURE_PREFIX)
        )
        changes["prescribers"] = tuple(p for p in finding.prescribers if p != DIARY_PRESCRIBER)
        changes["daily_doses_mg"] = tuple(
            d for d in finding.daily_doses_mg if not d[0].startswith(EXPOSURE_PREFIX)
        )
    if violation is not None and window is not None:
        # Raised while the dose is within the span; then it is the list-level finding again.
        lapses.append(violation.then_at + book.exposure)
        changes["violation"] = violation
        if SEVERITY[window.tier].rank > finding.severity.rank:  # a window never lowers it
            changes["severity"] = SEVERITY[window.tier]
        summary = f"{_window_text(window, violation)} {summary}"
        changes["recommendation"] = window.recommendation or finding.recommendation
        changes["evidence"] = tuple(dict.fromkeys((*window.evidence, *finding.evidence)))
    if taken:
        summary += _days_note(taken, book.exposure)
    changes["summary"] = summary
    changes["lapses_at"] = min(lapses) if lapses else None
    return replace(finding, **changes)  # type: ignore[arg-type]


def _intake_days(
    medications: Sequence[str], recent: Sequence[Dose], span_days: int
) -> tuple[IntakeDays, ...]:
    found = []
    for ingredient in medications:
        mine = [d for d in recent if d.ingredient == ingredient]
        if mine:
            days = len({d.day for d in mine})
            found.append(IntakeDays(ingredient, days, max(d.at for d in mine), span_days))
    return tuple(found)


def _violation(
    window: Window,
    ingredients: frozenset[str],
    doses: Sequence[Dose],
    listed: Sequence[Course],
    since: datetime,
) -> WindowViolation | None:
    """The latest dose inside the window (closest opener), or None."""
    firsts = window.first & ingredients
    thens = [d for d in doses if d.ingredient in window.then and d.ingredient in ingredients]
    if not firsts or not thens:
        return None
    for then in reversed(thens):
        if then.at < since:
            break
        if window.first_on_list:
            for course in listed:
                if course.ingredient in firsts and _related(window, course.ingredient, then):
                    opened = course.started_at is None or course.started_at <= then.at
                    ends = None if course.stopped_at is None else course.stopped_at + window.within
                    if opened and (ends is None or then.at < ends):
                        return WindowViolation(
                            course.ingredient, course.started_at, then.ingredient, then.at,
                            window.within,
                        )  # fmt: skip
            continue
        closest: Dose | None = None
        for first in doses:
            if (
                first.intake != then.intake
                and first.ingredient in firsts
                and _related(window, first.ingredient, then)
                and timedelta(0) <= then.at - first.at < window.within
                and (first.at, first.intake) < (then.at, then.intake)
            ):
                closest = first  # doses are in time order: the last one found is closest
        if closest is not None:
            return WindowViolation(
                closest.ingredient, closest.at, then.ingredient, then.at, window.within
            )
    return None


def _related(window: Window, first: str, then: Dose) -> bool:
    if window.ingredients == "different":
        return first != then.ingredient
    if window.ingredients == "same":
        return first == then.ingredient
    return True


def _window_text(window: Window, violation: WindowViolation) -> str:
    gap = (
        _duration(violation.then_at - violation.first_at)
        if violation.first_at is not None
        else "unknown time"
    )
    text = window.summary.format_map(
        {
            "first": violation.first,
            "then": violation.then,
            "first_at": _when(violation.first_at),
            "then_at": _when(violation.then_at),
            "gap": gap,
            "within": _duration(violation.within),
        }
    )
    return text[:1].upper() + text[1:]


def _days_note(taken: Sequence[IntakeDays], span: timedelta) -> str:
    parts = [f"{t.ingredient} on {t.days} day{'' if t.days == 1 else 's'}" for t in taken]
    return f" Diary, last {span.days} days: taken {', '.join(parts)}."


def _when(at: datetime | None) -> str:
    return "an unknown date" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes / 60
    return f"{hours:.0f} h" if hours == int(hours) else f"{hours:.1f} h"
