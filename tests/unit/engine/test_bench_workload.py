"""The engine benchmark's 'no rule applies' lists really are: known drugs, no rule matches
(not even a suppression), at every length."""

from bench.engine_bench import NOW, PROFILE, QUIET, quiet_list
from services.care_team.domain.engine import ConflictEngine
from services.care_team.domain.engine.matching import find_matches
from services.care_team.domain.engine.medlist import MedList, patient_facts


def test_the_quiet_drugs_are_all_known_and_distinct(engine: ConflictEngine) -> None:
    resolved = [engine.resolve(name.lower(), None) for name, *_ in QUIET]
    assert all(drug.recognised for drug in resolved)
    assert len({drug.ingredient for drug in resolved}) == len(QUIET)


def test_no_rule_matches_any_prefix_of_the_quiet_list(engine: ConflictEngine) -> None:
    patient = patient_facts(PROFILE, NOW.date(), engine._vocab.childbearing_ages)
    for size in range(1, len(QUIET) + 1):
        medlist = MedList(quiet_list(size), patient, NOW, engine._facts)
        assert len(medlist.active) == size
        assert find_matches(engine._index, medlist) == ([], []), f"first {size}"
        assert engine.evaluate(quiet_list(size), PROFILE, NOW) == []
