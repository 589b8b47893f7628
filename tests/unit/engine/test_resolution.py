"""Names resolve to ingredients (brands, synonyms, RxCUI, combinations); an unknown
drug never breaks an evaluation."""

import random

import pytest

from services.care_team.domain.engine import ConflictEngine, ResolvedDrug

from .builders import NEU, SELF, T1, T2, T3, by_rule, evaluate, flagged, one, rx


@pytest.mark.parametrize(
    ("name", "ingredient"),
    [
        ("Imitrex", "sumatriptan"),
        ("Maxalt", "rizatriptan"),
        ("Prozac", "fluoxetine"),
        ("Zoloft", "sertraline"),
        ("Elavil", "amitriptyline"),
        ("Depakote", "valproate"),
        ("divalproex sodium", "valproate"),
        ("Topamax", "topiramate"),
        ("Nurtec ODT", "rimegepant"),
        ("Ubrelvy", "ubrogepant"),
        ("Qulipta", "atogepant"),
        ("Aimovig", "erenumab"),
        ("Emsam", "selegiline"),
        ("paracetamol", "acetaminophen"),
        ("St. John's Wort", "st john's wort"),
        ("Seroxat", "paroxetine"),
        ("Cipralex", "escitalopram"),
    ],
)
def test_brands_and_synonyms_resolve(engine: ConflictEngine, name: str, ingredient: str) -> None:
    resolved = engine.resolve(name, None)
    assert resolved.recognised
    assert resolved.ingredient == ingredient
    assert resolved.components == (ingredient,)


def test_resolution_ignores_case_spacing_and_prescription_noise(engine: ConflictEngine) -> None:
    for name in ("ZOLOFT", "  zoloft ", "Sertraline HCl 50 mg tablet", "sertraline  hydrochloride"):
        assert engine.resolve(name, None).ingredient == "sertraline", name
    assert engine.resolve("St John\u2019s wort", None).ingredient == "st john's wort"


def test_rxcui_resolves_and_wins_over_the_name(engine: ConflictEngine) -> None:
    assert engine.resolve("some brand we do not know", "4493").ingredient == "fluoxetine"
    assert engine.resolve("sertraline", "4493").ingredient == "fluoxetine"
    # An RxCUI we do not know falls back to the name.
    assert engine.resolve("sertraline", "999999999").ingredient == "sertraline"
    assert engine.resolve("Zoloft", None).rxcui == "36437"


def test_an_unknown_drug_is_not_recognised_and_matches_nothing(engine: ConflictEngine) -> None:
    assert engine.resolve("Zyxoquab 5 mg", None) == ResolvedDrug(
        ingredient="zyxoquab 5 mg", recognised=False, rxcui=None, components=("zyxoquab 5 mg",)
    )
    assert evaluate(engine, [rx("zyxoquab", "5 mg", "daily"), rx("metformin", "500 mg")]) == []
    findings = evaluate(
        engine,
        [
            rx("zyxoquab", None, None),
            rx("phenelzine", "15 mg", "tid"),
            rx("sertraline", "50 mg", "once daily"),
            rx("", None, None, rx_id="rx-empty"),
        ],
    )
    assert flagged(findings) == {("SER-05", T1)}


def test_combination_products_resolve_to_their_components(engine: ConflictEngine) -> None:
    fioricet = engine.resolve("Fioricet", None)
    assert fioricet.ingredient == "butalbital/acetaminophen/caffeine"
    assert fioricet.components == ("butalbital", "acetaminophen", "caffeine")
    assert engine.resolve("Cafergot", None).components == ("ergotamine", "caffeine")
    assert engine.resolve("Norco", None).components == ("hydrocodone", "acetaminophen")
    # Written out with separators, in any order: the known combination.
    assert engine.resolve("acetaminophen + butalbital + caffeine", None) == fioricet
    mixed = engine.resolve("ibuprofen/acetaminophen", None)
    assert mixed.recognised and mixed.components == ("ibuprofen", "acetaminophen")
    assert not engine.resolve("ibuprofen/zyxoquab", None).recognised


def test_combination_products_fire_rules_for_each_component(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("Fioricet", "50/325/40 mg", "as needed", role=NEU),
            rx("Tylenol", "500 mg", "as needed", role=SELF),
            rx("Cafergot", "1/100 mg", "as needed", role=NEU),
            rx("Imitrex", "100 mg", "as needed", role=NEU),
        ],
    )
    apap = one(findings, "CON-11")
    assert apap.key == "CON-11"
    assert apap.severity is T2
    assert apap.prescription_ids == ("rx-fioricet", "rx-tylenol")
    assert one(findings, "CON-09").medications == ("butalbital",)
    vasospasm = one(findings, "VAS-01")
    assert vasospasm.medications == ("ergotamine", "sumatriptan")
    assert "ergotamine (in Cafergot)" in vasospasm.summary


def test_components_of_one_product_never_conflict_with_each_other(engine: ConflictEngine) -> None:
    treximet = rx("Treximet", "85/500 mg", "as needed", role=NEU)
    assert evaluate(engine, [treximet]) == []
    findings = evaluate(engine, [treximet, rx("sertraline", "100 mg", "once daily")])
    assert by_rule(findings, "SER-01")[0].medications == ("sertraline", "sumatriptan")
    assert by_rule(findings, "BLD-01")[0].medications == ("naproxen", "sertraline")


def test_a_brand_can_imply_the_route(engine: ConflictEngine) -> None:
    sertraline = rx("sertraline", "50 mg", "once daily")
    assert ("SER-14", T1) in flagged(
        evaluate(engine, [rx("Emsam", "6 mg/24 h", "daily"), sertraline])
    )
    # Oral selegiline at MAO-B-selective doses is not the Emsam or MAOI rule...
    oral = rx("selegiline", "5 mg", "twice daily", route="by mouth")
    assert evaluate(engine, [oral, sertraline]) == []
    # ...but stays a class caution with sumatriptan (SER-15).
    triptan = rx("sumatriptan", "50 mg", "as needed", role=NEU)
    assert ("SER-15", T3) in flagged(evaluate(engine, [oral, triptan]))
    # Above 10 mg/day oral selegiline inhibits MAO-A too (SER-03).
    high = rx("selegiline", "10 mg", "twice daily")
    assert ("SER-03", T1) in flagged(evaluate(engine, [high, triptan]))


def test_routes_read_from_free_text(engine: ConflictEngine) -> None:
    sertraline = rx("sertraline", "100 mg", "once daily")
    oral_blue = rx("methylene blue", "65 mg", "three times daily", route="oral")
    assert by_rule(evaluate(engine, [oral_blue, sertraline]), "SER-06") == []
    for route in ("IV", "intravenous infusion", None):  # None: its default route, IV
        blue = rx("methylene blue", "1 mg/kg", "once", route=route)
        assert ("SER-06", T1) in flagged(evaluate(engine, [blue, sertraline])), route


def test_self_reported_products_count_like_prescriptions(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [rx("lithium", "400 mg", "twice daily"), rx("Advil", "200 mg", "as needed", role=SELF)],
    )
    assert ("LI-01", T2) in flagged(findings)


ODD_TEXT = [
    None, "", " ", "???", "mg", "20 mg/", "1e9 mg", "0 mg", "-5 mg", "every 0 hours", "q0h",
    "0 times daily", "as needed twice daily", "\u221e", "St John\u2019s", "/", "+", " and ",
    "sertraline/", "/sertraline", "Zoloft + Zoloft", "x" * 300, "ibuprofen 400mg tds prn",
]  # fmt: skip


def test_odd_input_never_breaks_an_evaluation(engine: ConflictEngine) -> None:
    rng = random.Random(11)
    names = [t for t in ODD_TEXT if t is not None] + ["sertraline", "phenelzine", "Fioricet"]
    for round_ in range(40):
        meds = []
        for index in range(8):
            name = rng.choice(names)
            dose, frequency, route, indication = (rng.choice(ODD_TEXT) for _ in range(4))
            stopped = rng.choice([None, None, -3.0, 0.0, 2.0, 400.0])
            meds.append(
                rx(name, dose, frequency, route=route, indication=indication,
                   stopped_days_ago=stopped, rx_id=f"rx-{round_}-{index}")
            )  # fmt: skip
        for finding in evaluate(engine, meds):
            assert finding.rule_id and finding.summary
        for med in meds:
            engine.resolve(med.name, med.rxcui)
