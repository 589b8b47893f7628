"""Which prescriptions are migraine preventives (clinical-kb, kept as data)."""

import pytest

from shared.clinical.preventive_drugs import (
    PREVENTIVES,
    every_other_day,
    preventive_of,
)


@pytest.mark.parametrize(
    ("name", "ingredient"),
    [
        ("Topiramate", "topiramate"),
        ("propranolol hydrochloride", "propranolol"),
        ("Depakote", "divalproex"),
        ("valproic acid", "valproate"),
        ("Botox", "onabotulinumtoxina"),
        ("  Ajovy ", "fremanezumab"),
        ("venlafaxine XR", "venlafaxine"),
    ],
)
def test_generic_brand_and_salt_names_resolve(name: str, ingredient: str) -> None:
    found = preventive_of(name, "once daily")
    assert found is not None and found.ingredient == ingredient


@pytest.mark.parametrize("name", ["fluoxetine", "sumatriptan", "ibuprofen", "lisinopril"])
def test_other_drugs_are_not_preventives(name: str) -> None:
    assert preventive_of(name, "once daily") is None


@pytest.mark.parametrize(
    ("frequency", "preventive"),
    [
        ("every other day", True),
        ("75 mg every 48 hours", True),
        ("QOD", True),
        ("on alternate days", True),
        ("as needed", False),
        ("once daily", False),
        ("every day", False),
        (None, False),
    ],
)
def test_rimegepant_is_a_preventive_only_every_other_day(
    frequency: str | None, preventive: bool
) -> None:
    assert (preventive_of("rimegepant", frequency) is not None) is preventive
    assert every_other_day(frequency) is preventive


def test_every_entry_cites_the_knowledge_base() -> None:
    assert all(d.source.startswith("clinical-kb §") for d in PREVENTIVES.values())
    assert {"amitriptyline", "atogepant", "erenumab", "candesartan", "flunarizine"} <= set(
        PREVENTIVES
    )
