"""Benchmark of `ConflictEngine.evaluate`: microseconds per evaluation by list size.

    python bench/engine_bench.py [--lists 40] [--seconds 0.3]

Lists of 5, 10, 20 and 40 medications are drawn (seeded, so runs compare) from
realistic pools: the psychiatrist's antidepressant and adjuncts, the headache
specialist's preventives and acute drugs, everyday primary-care drugs (many
unknown to the catalogue, as in real lists), self-reported OTC products, the
odd antibiotic, and about 10% recently stopped drugs. Each list is evaluated many
times after one warm-up (the dose/name caches are warm, as they are in the
service, which re-evaluates the same patients' strings).
"""

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.care_team.domain.engine import (
    ConflictEngine,
    MedicationEntry,
    PatientProfile,
)

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SIZES = (5, 10, 20, 40)
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
# Twenty drugs no rule pairs (many unknown to the catalogue): the cost of an evaluation
# that finds nothing, i.e. of building the list and walking the rule index.
QUIET = [
    "metformin", "atorvastatin", "levothyroxine", "amlodipine", "allopurinol", "tamsulosin",
    "insulin glargine", "ferrous sulfate", "folic acid", "montelukast", "sitagliptin",
    "alendronate", "latanoprost", "fluticasone", "salbutamol", "cetirizine", "loratadine",
    "vitamin d", "omega-3", "magnesium oxide",
]  # fmt: skip


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


def measure(
    engine: ConflictEngine, lists: list[list[MedicationEntry]], seconds: float
) -> tuple[float, float]:
    """(µs per evaluation, mean findings) over the lists."""
    profile = PatientProfile(
        birth_date=date(1984, 3, 2), sex="female", effective_contraception=True
    )
    findings = [len(engine.evaluate(meds, profile, NOW)) for meds in lists]  # warm-up
    runs = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for meds in lists:
            engine.evaluate(meds, profile, NOW)
        runs += 1
    elapsed = time.perf_counter() - start
    return elapsed / (runs * len(lists)) * 1e6, sum(findings) / len(findings)


def quiet_list() -> list[MedicationEntry]:
    return [
        MedicationEntry(
            f"rx-{i}", name, None, "10 mg", "once daily", None, None, "dr-gp", "primary_care", True
        )
        for i, name in enumerate(QUIET)
    ]


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
        f"{'medications':>11} {'µs/evaluation':>14} {'vs 5':>6} {'findings':>9} {'µs/finding':>11}"
    )
    base = None
    at_20 = 0.0
    for size in SIZES:
        rng = random.Random(size)  # noqa: S311 - seeded test data, not security
        lists = [medication_list(size, rng) for _ in range(args.lists)]
        micros, findings = measure(engine, lists, args.seconds)
        base = base or micros
        at_20 = micros if size == GOAL_SIZE else at_20
        per_finding = f"{micros / findings:>11.1f}" if findings else f"{'-':>11}"
        print(f"{size:>11} {micros:>14.1f} {micros / base:>6.2f} {findings:>9.1f} {per_finding}")
    micros, findings = measure(engine, [quiet_list()], args.seconds)
    print(f"{'20 (quiet)':>11} {micros:>14.1f} {'':>6} {findings:>9.1f}  no rule applies")
    verdict = "met" if at_20 <= GOAL_MICROS else "NOT met"
    print(f"goal: {GOAL_SIZE} medications under {GOAL_MICROS:.0f} µs -> {at_20:.1f} µs ({verdict})")


if __name__ == "__main__":
    main()
