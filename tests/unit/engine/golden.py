"""Golden findings: a few hundred seeded random medication lists and what the engine found.

`golden_findings.json` holds each case's inputs (list, profile, now) and the findings the
engine produced when the file was written; `test_golden.py` replays the inputs and wants
the same findings, field for field and in order. Regenerate it only when the knowledge
files or the engine's intended behaviour change (and review the diff):

    python -m tests.unit.engine.golden
"""

import importlib.util
import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from services.care_team.domain.engine import (
    ConflictEngine,
    Finding,
    MedicationEntry,
    PatientProfile,
)
from services.care_team.domain.engine.knowledge import DEFAULT_DIRECTORY

GOLDEN = Path(__file__).with_name("golden_findings.json")
CASES = 320
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)

DOSES = (
    None, "1 mg", "2.5 mg", "5 mg", "10 mg", "15 mg", "20 mg", "25 mg", "40 mg", "50 mg",
    "60 mg", "75 mg", "80 mg", "100 mg", "150 mg", "200 mg", "225 mg", "300 mg", "400 mg",
    "500 mg", "600 mg", "900 mg", "1000 mg", "0.5 g", "1 g", "75 mcg", "1,000 mg", "0,5 g",
    "2 x 25 mg", "10-20 mg", "40 mg/day", "60 mg per day", "50/325/40 mg", "1 tablet",
    "1 drop", "155 units", "20 mg twice daily", "4 mg", "140 mg", "",
)  # fmt: skip
FREQUENCIES = (
    None, "once daily", "twice daily", "three times daily", "four times a day", "bid", "tid",
    "qid", "q6h", "every 4 hours", "every 6 hours as needed", "as needed", "prn",
    "PRN for migraine", "at onset", "at night", "at bedtime", "weekly", "monthly",
    "every 12 weeks", "every 2 weeks", "every other day", "in the morning", "daily", "",
    "as directed", "2 times per day",
)  # fmt: skip
ROUTES = (
    None, None, None, "oral", "by mouth", "Eye drops", "transdermal patch", "IV", "infusion",
    "subcutaneous injection", "nasal spray", "topical", "sublingual", "rectal", "inhaled",
)  # fmt: skip
INDICATIONS = (
    None, "depression", "major depressive disorder", "adjunct to antidepressant for MDD",
    "migraine prevention", "migraine prophylaxis", "acute migraine", "migraine attack",
    "headache", "chronic migraine", "epilepsy", "seizures", "bipolar depression", "mania",
    "neuropathic pain", "pain", "insomnia", "sleep", "infection", "hypertension", "nausea",
    "anxiety", "low mood", "atrial fibrillation", "preventive", "rescue for migraine",
)  # fmt: skip
ROLES = ("psychiatrist", "headache_specialist", "primary_care", "self_reported", "external")
UNKNOWN_NAMES = (
    "metformin", "atorvastatin", "levothyroxine", "vitamin d", "omega-3", "folic acid",
    "unknownium", "mystery herb", "sertraline hcl 50 mg tablet", "Topamax XR",
    "st john\u2019s wort",
    "sumatriptan + naproxen", "tramadol and acetaminophen", "sertraline/unknownium",
    "Fluoxetine 20 mg capsules", "  Zoloft  ",
)  # fmt: skip
CONDITIONS = (
    "depression", "bipolar_disorder", "seizure_disorder", "ischaemic_heart_disease",
    "hypertension", "uncontrolled_hypertension", "hemiplegic_migraine", "hepatic_impairment",
    "long_qt", "qtc_over_500", "bradycardia", "hypokalaemia", "prior_gi_bleed",
    "chronic_migraine", "cyp2c19_poor_metaboliser", "eating_disorder", "cerebrovascular_disease",
)  # fmt: skip


def _catalogue_names() -> tuple[list[str], list[str]]:
    """(every name and brand the catalogue knows, the RxCUIs it lists)."""
    drugs = yaml.safe_load((DEFAULT_DIRECTORY / "drugs.yaml").read_text(encoding="utf-8"))
    names: list[str] = []
    codes: list[str] = []
    for section in ("drugs", "combinations"):
        for name, spec in (drugs.get(section) or {}).items():
            names.append(name)
            names += spec.get("synonyms", [])
            names += [b["name"] if isinstance(b, dict) else b for b in spec.get("brands", [])]
            if "rxcui" in spec:
                codes.append(str(spec["rxcui"]["code"]))
    return names, codes


def _bench_lists(rng: random.Random) -> list[list[MedicationEntry]]:
    """Lists drawn like the benchmark's (its realistic pools)."""
    path = Path(__file__).resolve().parents[3] / "bench" / "engine_bench.py"
    spec = importlib.util.spec_from_file_location("engine_bench", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return [bench.medication_list(rng.choice((5, 10, 20, 40)), rng) for _ in range(60)]


def _entry(index: int, rng: random.Random, names: list[str], codes: list[str]) -> MedicationEntry:
    name = rng.choice(names) if rng.random() < 0.85 else rng.choice(UNKNOWN_NAMES)
    if rng.random() < 0.3:
        name = name.upper() if rng.random() < 0.3 else name.capitalize()
    rxcui = None
    if rng.random() < 0.08:
        rxcui = rng.choice(codes) if rng.random() < 0.7 else str(rng.randint(1, 99999))
    state = rng.random()
    stopped_at = NOW - timedelta(days=rng.uniform(0.5, 120)) if state < 0.15 else None
    role = rng.choice(ROLES)
    return MedicationEntry(
        prescription_id=f"rx-{rng.randint(0, 10**6):06d}-{index}",
        name=name,
        rxcui=rxcui,
        dose=rng.choice(DOSES),
        frequency=rng.choice(FREQUENCIES),
        route=rng.choice(ROUTES),
        indication=rng.choice(INDICATIONS),
        prescriber_id=f"dr-{role}" if rng.random() < 0.7 else f"dr-{rng.randint(1, 4)}",
        prescriber_role=role,
        active=state >= 0.18,  # 3% inactive without a stop date
        started_at=NOW - timedelta(days=300),
        stopped_at=stopped_at,
    )


def _profile(rng: random.Random) -> PatientProfile:
    def tri() -> bool | None:
        return rng.choice((True, False, None))

    return PatientProfile(
        birth_date=None if rng.random() < 0.1 else date(NOW.year - rng.randint(8, 95), 6, 15),
        sex=rng.choice((None, "female", "male", "other", "Female")),
        pregnant=tri() if rng.random() < 0.5 else None,
        childbearing_potential=tri() if rng.random() < 0.3 else None,
        effective_contraception=tri(),
        conditions=frozenset(rng.sample(CONDITIONS, rng.choice((0, 0, 1, 2, 4)))),
    )


def cases() -> list[tuple[list[MedicationEntry], PatientProfile, datetime]]:
    rng = random.Random(20261125)  # seeded test data
    names, codes = _catalogue_names()
    found: list[tuple[list[MedicationEntry], PatientProfile, datetime]] = []
    for meds in _bench_lists(rng):
        found.append((meds, _profile(rng), NOW))
    while len(found) < CASES:
        size = rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40))
        meds = [_entry(i, rng, names, codes) for i in range(size)]
        if meds and rng.random() < 0.2:  # the same prescription twice, or a second one
            meds.append(rng.choice(meds))
        now = NOW + timedelta(days=rng.choice((0, 0, 0, 7, 30)))
        found.append((meds, _profile(rng), now))
    return found


# -- JSON -------------------------------------------------------------------------------
def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def dump_entry(e: MedicationEntry) -> list[Any]:
    return [
        e.prescription_id, e.name, e.rxcui, e.dose, e.frequency, e.route, e.indication,
        e.prescriber_id, e.prescriber_role, e.active, _time(e.started_at), _time(e.stopped_at),
    ]  # fmt: skip


def load_entry(row: list[Any]) -> MedicationEntry:
    rx_id, name, rxcui, dose, frequency, route, indication, prescriber, role, active = row[:10]
    return MedicationEntry(
        prescription_id=rx_id,
        name=name,
        rxcui=rxcui,
        dose=dose,
        frequency=frequency,
        route=route,
        indication=indication,
        prescriber_id=prescriber,
        prescriber_role=role,
        active=active,
        started_at=parse_time(row[10]),
        stopped_at=parse_time(row[11]),
    )


def dump_profile(p: PatientProfile) -> dict[str, Any]:
    return {
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "sex": p.sex,
        "pregnant": p.pregnant,
        "childbearing_potential": p.childbearing_potential,
        "effective_contraception": p.effective_contraception,
        "conditions": sorted(p.conditions),
    }


def load_profile(d: dict[str, Any]) -> PatientProfile:
    born = d["birth_date"]
    return PatientProfile(
        birth_date=date.fromisoformat(born) if born else None,
        sex=d["sex"],
        pregnant=d["pregnant"],
        childbearing_potential=d["childbearing_potential"],
        effective_contraception=d["effective_contraception"],
        conditions=frozenset(d["conditions"]),
    )


def dump_finding(f: Finding) -> dict[str, Any]:
    """A finding's fields; its rule's recommendation and evidence go to `dump_rule`."""
    return {
        "key": f.key,
        "rule_id": f.rule_id,
        "kind": f.kind.value,
        "severity": f.severity.value,
        "medications": list(f.medications),
        "prescription_ids": list(f.prescription_ids),
        "prescribers": list(f.prescribers),
        "summary": f.summary,
        "lapses_at": _time(f.lapses_at),
        "daily_doses_mg": [[rx, mg] for rx, mg in f.daily_doses_mg],
    }


def dump_rule(f: Finding) -> dict[str, Any]:
    """What every finding of a rule repeats (stored once per rule)."""
    return {"recommendation": f.recommendation, "evidence": [[e.source, e.url] for e in f.evidence]}


def main() -> None:
    engine = ConflictEngine.load()
    rules: dict[str, dict[str, Any]] = {}
    lines: list[str] = []
    for meds, profile, now in cases():
        findings = engine.evaluate(meds, profile, now)
        for f in findings:
            assert rules.setdefault(f.rule_id, dump_rule(f)) == dump_rule(f)
        case = {
            "now": now.isoformat(),
            "profile": dump_profile(profile),
            "medications": [dump_entry(m) for m in meds],
            "findings": [dump_finding(f) for f in findings],
        }
        lines.append(json.dumps(case, ensure_ascii=False))
    # One case per line, so a regenerated file diffs readably.
    head = json.dumps({"knowledge": engine.version, "rules": rules}, ensure_ascii=False)
    GOLDEN.write_text(f'{head[:-1]}, "cases": [\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    total = sum(len(json.loads(line)["findings"]) for line in lines)
    print(f"wrote {GOLDEN.name}: {len(lines)} cases, {total} findings, {len(rules)} rules")


if __name__ == "__main__":
    main()
