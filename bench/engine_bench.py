"""Benchmark of `ConflictEngine.evaluate`: microseconds per evaluation by list size.

    python bench/engine_bench.py [--lists 40] [--seconds 0.3]

Lists of 5, 10, 20 and 40 medications are drawn (seeded, so runs compare) from
realistic pools: the psychiatrist's antidepressant and adjuncts, the headache
specialist's preventives and acute drugs, everyday primary-care drugs (many
unknown to the catalogue, as in real lists), self-reported OTC products, the
odd antibiotic, and about 10% recently stopped drugs. Each list is evaluated many
times after one warm-up (the dose/name caches are warm, as they are in the
service, which re-evaluates the same patients' strings).

Pair rules make quadratically many findings on longer lists (about 2, 5, 14 and 59
findings), so the total cannot grow linearly. The bench therefore also times, at each
size, a list of known drugs no rule applies to (`QUIET`): the per-drug work of the
attribute rules alone, which must grow linearly; and reports the cost per finding
beyond it ((total - no-rule time) / findings), which must not grow with the list.
"""

import argparse
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.care_team.domain.engine import (
    ConflictEngine,
    MedicationEntry,
    PatientProfile,
)

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SIZES = (5, 10, 20, 40)
PROFILE = PatientProfile(birth_date=date(1984, 3, 2), sex="female", effective_contraception=True)
# (name, dose, frequency, prescriber role, indication)
Drug = tuple[str, str | None, str | None, str, str | None]
# A patient's list mixes a few drugs from each clinician with many everyday ones; the
# shares below (of the list size, at least one each) keep 20- and 40-drug lists
# realistic instead of five antidepressants at once.
PSYCHIATRY: list[Drug] = [
    ("sertraline", "100 mg", "once daily", "psychiatrist", "depression"),
    ("escitalopram", "10 mg", "once daily", "psychiatrist", "depression"),
    ("fluoxetine", "20 mg", "once daily", "psychiatrist", "depression"),
    ("venlafaxine", "150 mg", "once daily", "psychiatrist", "depression"),
    ("Cymbalta", "60 mg", "once daily", "psychiatrist", "depression"),
    ("bupropion", "300 mg", "once daily", "psychiatrist", "depression"),
    ("mirtazapine", "15 mg", "at night", "psychiatrist", "depression"),
    ("trazodone", "50 mg", "at bedtime", "psychiatrist", "insomnia"),
    ("vortioxetine", "10 mg", "once daily", "psychiatrist", "depression"),
    ("citalopram", "40 mg", "once daily", "psychiatrist", "depression"),
    ("aripiprazole", "5 mg", "once daily", "psychiatrist", "adjunct to antidepressant for MDD"),
    ("quetiapine", "50 mg", "at night", "psychiatrist", "depression"),
    ("lithium carbonate", "400 mg", "twice daily", "psychiatrist", "bipolar depression"),
    ("lorazepam", "1 mg", "as needed", "psychiatrist", "anxiety"),
]
PREVENTIVE: list[Drug] = [
    ("propranolol", "80 mg", "once daily", "headache_specialist", "migraine prevention"),
    ("Topamax", "50 mg", "twice daily", "headache_specialist", "migraine prevention"),
    ("amitriptyline", "25 mg", "at night", "headache_specialist", "migraine prevention"),
    ("candesartan", "16 mg", "once daily", "headache_specialist", "migraine prevention"),
    ("Aimovig", "140 mg", "monthly", "headache_specialist", "migraine prevention"),
    ("atogepant", "60 mg", "once daily", "headache_specialist", "episodic migraine prevention"),
    ("botox", "155 units", "every 12 weeks", "headache_specialist", "chronic migraine"),
    ("Depakote", "500 mg", "twice daily", "headache_specialist", "migraine prevention"),
]
ACUTE: list[Drug] = [
    ("sumatriptan", "50 mg", "as needed", "headache_specialist", "migraine attack"),
    ("Maxalt", "10 mg", "as needed", "headache_specialist", "migraine attack"),
    ("zolmitriptan", "2.5 mg", "as needed", "headache_specialist", "migraine attack"),
    ("Ubrelvy", "100 mg", "as needed", "headache_specialist", "migraine attack"),
    ("rimegepant", "75 mg", "as needed", "headache_specialist", "migraine attack"),
    ("naproxen", "500 mg", "as needed", "headache_specialist", "migraine attack"),
    ("Fioricet", "50/325/40 mg", "as needed", "headache_specialist", "headache"),
    ("metoclopramide", "10 mg", "as needed", "headache_specialist", "nausea"),
    ("ondansetron", "4 mg", "as needed", "primary_care", "nausea"),
]
EVERYDAY: list[Drug] = [
    ("lisinopril", "10 mg", "once daily", "primary_care", "hypertension"),
    ("hydrochlorothiazide", "25 mg", "once daily", "primary_care", "hypertension"),
    ("omeprazole", "20 mg", "once daily", "primary_care", "reflux"),
    ("metformin", "500 mg", "twice daily", "primary_care", "diabetes"),
    ("atorvastatin", "20 mg", "once daily", "primary_care", "cholesterol"),
    ("levothyroxine", "75 mcg", "once daily", "primary_care", "hypothyroidism"),
    ("Yasmin", "1 tablet", "once daily", "primary_care", "contraception"),
    ("apixaban", "5 mg", "twice daily", "primary_care", "atrial fibrillation"),
    ("aspirin", "81 mg", "once daily", "primary_care", "cardiovascular prevention"),
    ("montelukast", "10 mg", "once daily", "primary_care", "asthma"),
    ("amlodipine", "5 mg", "once daily", "primary_care", "hypertension"),
    ("losartan", "50 mg", "once daily", "primary_care", "hypertension"),
    ("salbutamol", "100 mcg", "as needed", "primary_care", "asthma"),
    ("fluticasone", "50 mcg", "twice daily", "primary_care", "rhinitis"),
    ("allopurinol", "100 mg", "once daily", "primary_care", "gout"),
    ("tamsulosin", "0.4 mg", "once daily", "primary_care", "prostate"),
    ("insulin glargine", "20 units", "at night", "primary_care", "diabetes"),
    ("ferrous sulfate", "200 mg", "once daily", "primary_care", "anaemia"),
    ("folic acid", "5 mg", "once daily", "primary_care", "supplement"),
    ("prednisone", "20 mg", "once daily", "primary_care", "asthma flare"),
    ("clarithromycin", "500 mg", "twice daily", "primary_care", "infection"),
    ("ciprofloxacin", "500 mg", "twice daily", "primary_care", "infection"),
    ("tramadol", "50 mg", "every 6 hours as needed", "external", "pain"),
    ("gabapentin", "300 mg", "three times daily", "primary_care", "neuropathic pain"),
    ("adalimumab", "40 mg", "every 2 weeks", "external", "psoriasis"),
    ("metoprolol", "50 mg", "twice daily", "primary_care", "hypertension"),
    ("warfarin", "5 mg", "once daily", "primary_care", "atrial fibrillation"),
    ("alendronate", "70 mg", "weekly", "primary_care", "osteoporosis"),
    ("latanoprost", "1 drop", "at night", "external", "glaucoma"),
    ("sitagliptin", "100 mg", "once daily", "primary_care", "diabetes"),
]
SELF_REPORTED: list[Drug] = [
    ("ibuprofen", "400 mg", "as needed", "self_reported", "headache"),
    ("Tylenol", "500 mg", "as needed", "self_reported", "headache"),
    ("St John's wort", "300 mg", "three times daily", "self_reported", "mood"),
    ("melatonin", "3 mg", "at night", "self_reported", "sleep"),
    ("magnesium oxide", "400 mg", "once daily", "self_reported", "migraine prevention"),
    ("riboflavin", "400 mg", "once daily", "self_reported", "migraine prevention"),
    ("cetirizine", "10 mg", "once daily", "self_reported", "allergy"),
    ("vitamin d", "1000 units", "once daily", "self_reported", None),
    ("Sudafed", "60 mg", "as needed", "self_reported", "congestion"),
    ("diphenhydramine", "25 mg", "at night", "self_reported", "sleep"),
    ("omega-3", "1 g", "once daily", "self_reported", None),
    ("loratadine", "10 mg", "once daily", "self_reported", "allergy"),
]
SHARES = ((PSYCHIATRY, 0.15), (PREVENTIVE, 0.12), (ACUTE, 0.15), (SELF_REPORTED, 0.18))
# Forty drugs the catalogue knows, to which no rule applies together: no pair, single-drug,
# count or suppression (T0) rule matches them at these doses (tests/unit/engine/
# test_bench_workload.py checks every prefix). A list of them costs only the per-drug
# work (facts, the rule index per ingredient, partner masks, single-drug checks, count
# clauses), with no match to test and no finding to build. Several have many partners in
# the index (sumatriptan 70, ubrogepant 30, ondansetron, rimegepant, the NSAIDs).
QUIET: list[Drug] = [
    ("sumatriptan", "50 mg", "as needed", "headache_specialist", "migraine attack"),
    ("lorazepam", "1 mg", "as needed", "psychiatrist", "anxiety"),
    ("apixaban", "5 mg", "twice daily", "primary_care", "atrial fibrillation"),
    ("Ubrelvy", "100 mg", "as needed", "headache_specialist", "migraine attack"),
    ("melatonin", "3 mg", "at night", "self_reported", "sleep"),
    ("ondansetron", "4 mg", "as needed", "primary_care", "nausea"),
    ("hydrochlorothiazide", "25 mg", "once daily", "primary_care", "hypertension"),
    ("aspirin", "81 mg", "once daily", "primary_care", "cardiovascular prevention"),
    ("magnesium oxide", "400 mg", "once daily", "self_reported", "migraine prevention"),
    ("metoprolol", "50 mg", "twice daily", "primary_care", "hypertension"),
    ("riboflavin", "400 mg", "once daily", "self_reported", "migraine prevention"),
    ("rimegepant", "75 mg", "as needed", "headache_specialist", "migraine attack"),
    ("Tylenol", "500 mg", "as needed", "self_reported", "headache"),
    ("ibuprofen", "400 mg", "as needed", "self_reported", "headache"),
    ("metoclopramide", "10 mg", "as needed", "headache_specialist", "nausea"),
    ("botox", "155 units", "every 12 weeks", "headache_specialist", "chronic migraine"),
    ("Sudafed", "60 mg", "as needed", "self_reported", "congestion"),
    ("memantine", "10 mg", "twice daily", "external", "dementia"),
    ("rivaroxaban", "20 mg", "once daily", "primary_care", "atrial fibrillation"),
    ("naproxen", "500 mg", "as needed", "headache_specialist", "migraine attack"),
    ("caffeine", "100 mg", "as needed", "self_reported", "headache"),
    ("zavegepant", "10 mg", "as needed", "headache_specialist", "migraine attack"),
    ("clonazepam", "0.5 mg", "twice daily", "psychiatrist", "anxiety"),
    ("tizanidine", "2 mg", "at night", "external", "spasticity"),
    ("digoxin", "0.125 mg", "once daily", "external", "heart failure"),
    ("flunarizine", "10 mg", "at night", "headache_specialist", "migraine prevention"),
    ("chlorthalidone", "25 mg", "once daily", "primary_care", "hypertension"),
    ("clopidogrel", "75 mg", "once daily", "external", "stent"),
    ("ramelteon", "8 mg", "at bedtime", "external", "insomnia"),
    ("indapamide", "1.5 mg", "once daily", "primary_care", "hypertension"),
    ("dabigatran", "150 mg", "twice daily", "external", "atrial fibrillation"),
    ("diazepam", "5 mg", "as needed", "external", "muscle spasm"),
    ("edoxaban", "60 mg", "once daily", "external", "atrial fibrillation"),
    ("methylphenidate", "10 mg", "twice daily", "external", "adhd"),
    ("alprazolam", "0.5 mg", "as needed", "external", "anxiety"),
    ("phenylephrine", "10 mg", "as needed", "self_reported", "congestion"),
    ("prednisone", "20 mg", "once daily", "primary_care", "asthma flare"),
    ("dexamethasone", "4 mg", "once daily", "external", "nausea"),
    ("warfarin", "5 mg", "once daily", "primary_care", "atrial fibrillation"),
    ("theophylline", "200 mg", "twice daily", "external", "asthma"),
]


def medication_list(size: int, rng: random.Random) -> list[MedicationEntry]:
    chosen: list[Drug] = []
    for pool, share in SHARES:
        chosen += rng.sample(pool, max(1, round(size * share)))
    chosen += rng.sample(EVERYDAY, size - len(chosen))
    entries = []
    for index, (name, dose, frequency, role, indication) in enumerate(chosen):
        stopped = rng.random() < 0.1  # some drugs were stopped recently (washouts)
        entries.append(
            MedicationEntry(
                prescription_id=f"rx-{index}",
                name=name.lower(),
                rxcui=None,
                dose=dose,
                frequency=frequency,
                route=None,
                indication=indication,
                prescriber_id=f"dr-{role}",
                prescriber_role=role,
                active=not stopped,
                started_at=NOW - timedelta(days=200),
                stopped_at=NOW - timedelta(days=rng.randint(1, 30)) if stopped else None,
            )
        )
    return entries


class Timing(NamedTuple):
    micros: float  # wall µs per evaluation: the fastest round's
    cpu_micros: float  # CPU µs per evaluation (process time): the fastest round's
    findings: float  # mean findings per list


ROUNDS = 5  # timing rounds per measurement: the fastest counts (others' runs only slow one)


def measure(engine: ConflictEngine, lists: list[list[MedicationEntry]], seconds: float) -> Timing:
    """Per evaluation over the lists: the fastest of `ROUNDS` rounds of `seconds / ROUNDS`.

    The machine may be shared: another process only ever adds time, so the fastest
    round is the closest to the engine's own cost (as `timeit` advises)."""
    profile = PROFILE
    findings = [len(engine.evaluate(meds, profile, NOW)) for meds in lists]  # warm-up
    best_wall = best_cpu = float("inf")
    for _ in range(ROUNDS):
        runs = 0
        start, cpu_start = time.perf_counter(), time.process_time()
        while time.perf_counter() - start < seconds / ROUNDS:
            for meds in lists:
                engine.evaluate(meds, profile, NOW)
            runs += 1
        evaluations = runs * len(lists)
        best_wall = min(best_wall, (time.perf_counter() - start) / evaluations * 1e6)
        best_cpu = min(best_cpu, (time.process_time() - cpu_start) / evaluations * 1e6)
    return Timing(best_wall, best_cpu, sum(findings) / len(findings))


def quiet_list(size: int) -> list[MedicationEntry]:
    """The first `size` drugs of `QUIET`: a list no rule applies to."""
    if size > len(QUIET):
        raise ValueError(f"QUIET has {len(QUIET)} drugs, not {size}")
    return [
        MedicationEntry(
            f"rx-{i}", name.lower(), None, dose, frequency, None, indication, f"dr-{role}", role,
            True, started_at=NOW - timedelta(days=200),
        )
        for i, (name, dose, frequency, role, indication) in enumerate(QUIET[:size])
    ]  # fmt: skip


class SizeResult(NamedTuple):
    size: int
    mixed: Timing  # the realistic lists (`medication_list`)
    quiet: Timing  # lists no rule applies to (`quiet_list`): the per-drug work alone

    @property
    def per_finding(self) -> float | None:
        """µs per finding beyond the per-drug work: (mixed - quiet) / findings."""
        if not self.mixed.findings:
            return None
        return (self.mixed.micros - self.quiet.micros) / self.mixed.findings


def measure_sizes(
    engine: ConflictEngine, lists_per_size: int, seconds: float, step: Callable[[str], None]
) -> list[SizeResult]:
    results = []
    for size in SIZES:
        step(f"{size} medications")
        rng = random.Random(size)  # noqa: S311 - seeded test data, not security
        lists = [medication_list(size, rng) for _ in range(lists_per_size)]
        mixed = measure(engine, lists, seconds)
        step(f"{size} medications no rule applies to")
        quiet = measure(engine, [quiet_list(size)], seconds)
        if quiet.findings:
            raise RuntimeError(f"the quiet list of {size} has findings: fix QUIET")
        results.append(SizeResult(size, mixed, quiet))
    return results


def growth_exponent(sizes: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of log(value) on log(size): 1.0 is linear, 2.0 quadratic,
    0 flat."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(v) for v in values]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


GOAL_SIZE, GOAL_MICROS = 20, 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=40, help="different lists per size")
    parser.add_argument("--seconds", type=float, default=0.5, help="timing budget per size")
    args = parser.parse_args()
    started = time.perf_counter()
    engine = ConflictEngine.load()
    load_ms = (time.perf_counter() - started) * 1e3
    print(f"knowledge {engine.version}: {len(engine.rules)} rules, loaded in {load_ms:.0f} ms")
    print(
        f"{'medications':>11} {'µs/evaluation':>14} {'cpu µs':>7} {'findings':>9}"
        f" {'no rule µs':>11} {'cpu µs':>7} {'µs/finding':>11}"
    )
    results = measure_sizes(engine, args.lists, args.seconds, lambda _: None)
    for r in results:
        per_finding = f"{r.per_finding:>11.2f}" if r.per_finding is not None else f"{'-':>11}"
        print(
            f"{r.size:>11} {r.mixed.micros:>14.1f} {r.mixed.cpu_micros:>7.1f}"
            f" {r.mixed.findings:>9.1f} {r.quiet.micros:>11.1f} {r.quiet.cpu_micros:>7.1f}"
            f" {per_finding}"
        )
    sizes = [float(r.size) for r in results]
    print(
        "growth exponents (1 = linear): whole evaluation"
        f" {growth_exponent(sizes, [r.mixed.micros for r in results]):.2f},"
        f" no rule applies {growth_exponent(sizes, [r.quiet.micros for r in results]):.2f},"
        " µs per finding"
        f" {growth_exponent(sizes, [r.per_finding or 0 for r in results]):.2f}"
    )
    at_20 = next(r.mixed.micros for r in results if r.size == GOAL_SIZE)
    verdict = "met" if at_20 <= GOAL_MICROS else "NOT met"
    print(f"goal: {GOAL_SIZE} medications under {GOAL_MICROS:.0f} µs -> {at_20:.1f} µs ({verdict})")


if __name__ == "__main__":
    main()
