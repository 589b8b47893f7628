"""Benchmark of the diary's clinical core: ms for a clinician summary of five years of diary.

    python bench/diary_bench.py [--years 5] [--runs 30]

The diary (seeded, so runs compare): a check-in every day (stress, sleep, mood), attacks on
about 8 days a month in the patient's zone (some across midnight, most treated: triptans,
NSAIDs, the odd combination analgesic or gepant, sometimes two drugs), a PHQ-9 every 2 weeks,
a GAD-7 every 4 weeks and HIT-6/MIDAS every 3 months. One computation is the full metric set
a clinician summary needs, from the facts: bucketing the days, the 28- and 30-day endpoints,
medication overuse over 3 months, the stress association and questionnaire trends over the
whole history, plus the alert decision. Each part is also timed on its own.
"""

import argparse
import random
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.core.stats import percentile, time_calls
from services.diary.domain.clinical.alerts import decide_alerts
from services.diary.domain.clinical.days import DiaryDays, classify_days
from services.diary.domain.clinical.facts import (
    Answers,
    AttackFacts,
    CheckinFacts,
    Gad7Answers,
    Hit6Answer,
    Hit6Answers,
    IntakeFacts,
    MidasAnswers,
    Phq9Answers,
    QuestionnaireFacts,
    Relief,
)
from services.diary.domain.clinical.measures import trend_series, window_measures
from services.diary.domain.clinical.overuse import assess_overuse
from services.diary.domain.clinical.questionnaires import score_all
from services.diary.domain.clinical.stress import stress_association
from services.diary.domain.clinical.summary import clinician_summary

ZONE = ZoneInfo("Europe/Berlin")
AS_OF = datetime(2026, 11, 25, 21, 0, tzinfo=ZONE)
GOAL_MS = 20.0
DRUGS = [
    (["sumatriptan 50 mg"], 30), (["Maxalt"], 15), (["ibuprofen 400 mg"], 20),
    (["naproxen"], 8), (["sumatriptan", "naproxen"], 10), (["Fioricet"], 5),
    (["Ubrelvy"], 5), (["metoclopramide", "Tylenol"], 4), ([], 15),
]  # fmt: skip


def build_diary(
    years: int, rng: random.Random
) -> tuple[list[AttackFacts], list[CheckinFacts], list[QuestionnaireFacts]]:
    last = AS_OF.date()
    first = last - timedelta(days=365 * years)
    names, weights = zip(*DRUGS, strict=True)
    attacks, checkins, questionnaires = [], [], []
    day, index = first, 0
    while day <= last:
        stress = min(10, max(0, round(rng.gauss(4, 2.2))))
        checkins.append(
            CheckinFacts(day=day, mood=rng.randint(3, 9), stress=stress,
                         sleep_hours=round(rng.uniform(5, 9), 1), sleep_quality=rng.randint(3, 9))
        )  # fmt: skip
        # ~8 attack days a month, a little more likely after a stressful day.
        if rng.random() < 0.26 + 0.02 * (stress - 4):
            start = datetime.combine(day, clock(rng.randint(5, 22), rng.randint(0, 59)), ZONE)
            drugs = rng.choices(names, weights)[0]
            taken = start + timedelta(minutes=rng.randint(10, 90))
            attacks.append(
                AttackFacts(
                    attack_id=f"a{index}", started_at=start,
                    ended_at=start + timedelta(hours=rng.uniform(0.3, 30)),
                    intensity=rng.randint(1, 3), unilateral=rng.random() < 0.6,
                    pulsating=rng.random() < 0.5, nausea=rng.random() < 0.4,
                    photophobia=rng.random() < 0.5, phonophobia=rng.random() < 0.4,
                    aura=rng.random() < 0.1,
                    medications=tuple(IntakeFacts.named(n, taken) for n in drugs),
                    relief_at_2h=rng.choice([None, *Relief]) if drugs else None,
                )
            )  # fmt: skip
            index += 1
        offset = (day - first).days
        due: list[tuple[str, Answers]] = []
        if offset % 14 == 0:
            due.append(("phq9", Phq9Answers(tuple(rng.choices(range(4), [5, 3, 2, 1], k=9)))))
        if offset % 28 == 0:
            due.append(("gad7", Gad7Answers(tuple(rng.choices(range(4), k=7)))))
        if offset % 91 == 0:
            due.append(("hit6", Hit6Answers(tuple(rng.choices(list(Hit6Answer), k=6)))))
            due.append(("midas", MidasAnswers(tuple(rng.randint(0, 8) for _ in range(5)))))
        evening = datetime.combine(day, clock(20), ZONE)
        questionnaires += [
            QuestionnaireFacts(questionnaire_id=f"{kind}-{offset}", completed_at=evening, answers=a)
            for kind, a in due
        ]
        day += timedelta(days=1)
    return attacks, checkins, questionnaires


def full_summary(
    attacks: list[AttackFacts],
    checkins: list[CheckinFacts],
    questionnaires: list[QuestionnaireFacts],
    last_visit: date,
) -> object:
    """The clinician summary and its alert decision, from the facts (what is timed)."""
    days = classify_days(attacks, checkins, ZONE, as_of=AS_OF)
    return decide_alerts(clinician_summary(days, questionnaires, last_visit=last_visit))


def timed(work: Callable[[], object], runs: int) -> float:
    """Median ms over `runs` after one warm-up."""
    return percentile(time_calls(work, runs), 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(2026)  # noqa: S311 - seeded test data, not security
    attacks, checkins, questionnaires = build_diary(args.years, rng)
    last_visit = AS_OF.date() - timedelta(days=35)

    def bucket() -> DiaryDays:
        return classify_days(attacks, checkins, ZONE, as_of=AS_OF)

    def full() -> object:
        return full_summary(attacks, checkins, questionnaires, last_visit)

    days = bucket()
    scored = score_all(questionnaires)
    months = len(checkins) / 30.4
    print(
        f"{args.years} years: {len(checkins)} check-ins, {len(attacks)} attacks "
        f"({len(attacks) / months:.1f}/month), {len(questionnaires)} questionnaires"
    )
    summary = clinician_summary(days, questionnaires, last_visit=last_visit)
    m28 = summary.last_28_days
    print(
        f"last 28 days: {m28.headache_days} headache, {m28.migraine_days} migraine, "
        f"{m28.acute_medication_days} acute-medication days; overuse flags: "
        f"{[s.scope for s in summary.overuse.flagged]}; stress RR "
        f"{summary.stress.relative_risk and round(summary.stress.relative_risk, 2)} "
        f"over {summary.stress.at_risk_days} at-risk days"
    )
    parts: list[tuple[str, Callable[[], object]]] = [
        ("bucket days (5 y)", bucket),
        ("28-day measures", lambda: window_measures(days)),
        ("30-day measures", lambda: window_measures(days, length_days=30)),
        ("overuse (3 x 30 d)", lambda: assess_overuse(days)),
        ("stress association", lambda: stress_association(days)),
        ("score questionnaires", lambda: score_all(questionnaires)),
        ("trend series", lambda: trend_series(scored, ZONE)),
        ("alerts", lambda: decide_alerts(summary)),
    ]
    for name, work in parts:
        print(f"  {name:<22} {timed(work, args.runs):8.3f} ms")
    total = timed(full, args.runs)
    verdict = "meets" if total < GOAL_MS else "MISSES"
    print(f"full summary from facts  {total:8.3f} ms  ({verdict} the {GOAL_MS:.0f} ms goal)")


if __name__ == "__main__":
    main()
