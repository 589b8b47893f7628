"""Stress -> next-day attack, as counts a clinician can check by hand (clinical-kb §3.5).

No IHS/ICHD standard exists for trigger analysis (KB §3.5). Prospective daily stress ratings
predict next-day attacks in forecasting studies (Houle et al.), so we look at exactly that:

* an at-risk day is a headache-FREE day with a stress rating whose next day is documented.
  Days in an attack are left out: pain raises stress, which would make the headache look like
  the stress's consequence (and a next-day headache would be a continuation, not an onset);
* high stress means at or above the patient's own median rating on the at-risk days (a median
  split, see _high_stress_from): people use the 0-10 scale differently, and a fixed cut
  (say ≥7) is never reached by some;
* the statistic is the relative risk of a headache the next day, high vs low, with the 2x2
  counts and a 95% interval (Katz log method) when every cell allows one.

Minimum data (below it the answer is "insufficient data", saying what is missing):
* 28 at-risk days: about one month of daily ratings, the IHS prospective-baseline length
  (KB §3.3); fewer describe a fortnight, not a pattern;
* 5 next days with a headache and 5 without, and 5 at-risk days in each stress group: with
  fewer than 5 in a margin of the 2x2 table one day moves the ratio by a large factor (the
  usual "≥5 per cell" rule of thumb for 2x2 tables).
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.diary.domain.clinical.days import ONE_DAY, DiaryDays

MIN_AT_RISK_DAYS = 28
MIN_NEXT_DAY_HEADACHES = 5
MIN_NEXT_DAY_HEADACHE_FREE = 5
MIN_PER_STRESS_GROUP = 5
_Z95 = 1.959964


class AssociationStatus(StrEnum):
    COMPUTED = "computed"
    INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True, slots=True, kw_only=True)
class StressAssociation:
    status: AssociationStatus
    missing: tuple[str, ...]  # what an insufficient answer lacks, in words
    at_risk_days: int
    high_stress_from: int | None  # "high" is a rating at or above this
    high_days: int
    high_next_day_headaches: int
    low_days: int
    low_next_day_headaches: int
    relative_risk: float | None
    ci95: tuple[float, float] | None


def stress_association(days: DiaryDays, *, since: date | None = None) -> StressAssociation:
    """Over the whole diary (or from `since`) up to days.through."""
    pairs: list[tuple[int, bool]] = []  # (stress on an at-risk day, headache next day)
    # Five years are ~1,800 rated days: read the day sets directly (as DiaryDays.is_headache
    # and is_documented do) rather than through a method call each.
    headache_days, records, checkins = days.headache_days, days.records, days.checkins
    through = days.through
    for day, stress in checkins.stress_ratings():
        if day >= through or (since is not None and day < since) or day in headache_days:
            continue
        following = day + ONE_DAY
        if following in records or following in checkins:  # a record documents its day
            pairs.append((stress, following in headache_days))

    headaches = sum(1 for _, headache in pairs if headache)
    missing = []
    if len(pairs) < MIN_AT_RISK_DAYS:
        missing.append(
            f"{MIN_AT_RISK_DAYS} headache-free days with a stress rating and a documented next"
            f" day; have {len(pairs)}"
        )
    if headaches < MIN_NEXT_DAY_HEADACHES:
        missing.append(f"{MIN_NEXT_DAY_HEADACHES} next days with a headache; have {headaches}")
    if len(pairs) - headaches < MIN_NEXT_DAY_HEADACHE_FREE:
        missing.append(
            f"{MIN_NEXT_DAY_HEADACHE_FREE} next days without a headache;"
            f" have {len(pairs) - headaches}"
        )

    cutoff = _high_stress_from([s for s, _ in pairs])
    high = [h for s, h in pairs if cutoff is not None and s >= cutoff]
    low = [h for s, h in pairs if cutoff is None or s < cutoff]
    if pairs and min(len(high), len(low)) < MIN_PER_STRESS_GROUP:
        missing.append(
            f"{MIN_PER_STRESS_GROUP} days in each of the high- and low-stress groups;"
            f" have {len(high)} and {len(low)} (stress ratings vary too little)"
        )

    a, c = sum(high), sum(low)
    rr, ci = (None, None) if missing else _relative_risk(a, len(high), c, len(low))
    return StressAssociation(
        status=AssociationStatus.INSUFFICIENT_DATA if missing else AssociationStatus.COMPUTED,
        missing=tuple(missing),
        at_risk_days=len(pairs),
        high_stress_from=cutoff,
        high_days=len(high),
        high_next_day_headaches=a,
        low_days=len(low),
        low_next_day_headaches=c,
        relative_risk=rr,
        ci95=ci,
    )


def _high_stress_from(ratings: list[int]) -> int | None:
    """The median split on whole-number ratings: high is ≥ the median when that balances the
    groups better, else > it (many ratings often sit on the median itself); ties go to the
    stricter cut."""
    if not ratings:
        return None
    median = statistics.median(ratings)
    options = {math.floor(median) + 1, math.ceil(median)}

    def imbalance(cut: int) -> int:
        return abs(2 * sum(1 for r in ratings if r >= cut) - len(ratings))

    return min(options, key=lambda cut: (imbalance(cut), -cut))


def _relative_risk(
    a: int, high_n: int, c: int, low_n: int
) -> tuple[float | None, tuple[float, float] | None]:
    if c == 0:  # no headache after a low-stress day: the ratio has no finite value
        return None, None
    rr = (a / high_n) / (c / low_n)
    if a == 0:
        return rr, None
    se = math.sqrt(1 / a - 1 / high_n + 1 / c - 1 / low_n)
    log_rr = math.log(rr)
    return rr, (math.exp(log_rr - _Z95 * se), math.exp(log_rr + _Z95 * se))
