"""The engine benchmark's 'no rule applies' lists really are: known drugs, no finding."""

import pytest

from bench.engine_bench import NOW, PROFILE, QUIET, SIZES, quiet_list
from services.care_team.domain.engine import ConflictEngine


def test_the_quiet_drugs_are_all_known_and_distinct(engine: ConflictEngine) -> None:
    resolved = [engine.resolve(name.lower(), None) for name, *_ in QUIET]
    assert all(drug.recognised for drug in resolved)
    assert len({drug.ingredient for drug in resolved}) == len(QUIET)


@pytest.mark.parametrize("size", SIZES)
def test_no_rule_applies_to_a_quiet_list(engine: ConflictEngine, size: int) -> None:
    assert engine.evaluate(quiet_list(size), PROFILE, NOW) == []
