"""Rule mechanics on the real knowledge: tier modifiers, caps, counts, duplication,
patient conditions, dose rules, T0 suppressions and the product insights."""

from services.care_team.domain.engine import (
    ConflictEngine,
    MedicationEntry,
    PatientProfile,
    Severity,
)

from .builders import NEU, OTH, PSY, SELF, T1, T2, T3, T4, born, by_rule, evaluate, flagged, one, rx

FLUOXETINE = rx("fluoxetine", "20 mg", "once daily", indication="depression")


def test_pk34_tier_follows_the_tca_dose(engine: ConflictEngine) -> None:
    for dose, tier in (("25 mg", T3), ("50 mg", T3), ("75 mg", T2), (None, T2)):
        tca = rx("amitriptyline", dose, "at night", role=NEU)
        assert one(evaluate(engine, [tca, FLUOXETINE]), "PK-34").severity is tier, dose


def test_bld01_scheduled_nsaid_is_moderate_prn_is_minor(engine: ConflictEngine) -> None:
    sertraline = rx("sertraline", "100 mg", "once daily")
    for frequency, tier in (("three times daily", T3), ("as needed", T4), (None, T3)):
        findings = evaluate(engine, [sertraline, rx("ibuprofen", "400 mg", frequency, role=NEU)])
        assert one(findings, "BLD-01").severity is tier, frequency


def test_qt03_raises_qt_findings_within_the_qt02_cap(engine: ConflictEngine) -> None:
    citalopram = rx("citalopram", "40 mg", "once daily")
    amitriptyline = rx("amitriptyline", "10 mg", "at night", role=NEU)
    escitalopram = rx("escitalopram", "10 mg", "once daily", role=NEU)
    long_qt = PatientProfile(birth_date=born(64), conditions=frozenset({"long_qt"}))
    findings = evaluate(engine, [citalopram, amitriptyline], long_qt)
    assert one(findings, "QT-01").severity is T1
    assert one(findings, "QT-02").severity is T2  # only one Known-Risk drug: capped at T2
    two_known_risk = evaluate(engine, [citalopram, escitalopram], long_qt)
    assert one(two_known_risk, "QT-02").severity is T1
    assert one(evaluate(engine, [citalopram, escitalopram]), "QT-02").severity is T2
    # A rate-lowering drug on the list is a modifier too.
    beta = rx("propranolol", "40 mg", "twice daily", role=NEU)
    assert one(evaluate(engine, [citalopram, escitalopram, beta]), "QT-02").severity is T1


def test_qt01_citalopram_dose_caps(engine: ConflictEngine) -> None:
    def qt01(dose: str, profile: PatientProfile, *others: MedicationEntry) -> set[Severity]:
        meds = [rx("citalopram", dose, "once daily"), *others]
        return {f.severity for f in by_rule(evaluate(engine, meds, profile), "QT-01")}

    adult, older = PatientProfile(birth_date=born(40)), PatientProfile(birth_date=born(61))
    assert qt01("60 mg", adult) == {T2}
    assert qt01("40 mg", adult) == set()
    assert qt01("30 mg", older) == {T2}
    assert qt01("20 mg", older) == set()
    omeprazole = rx("omeprazole", "20 mg", "once daily", role=OTH)
    assert qt01("30 mg", adult, omeprazole) == {T2}


def test_pk56_cap_already_met_is_information(engine: ConflictEngine) -> None:
    omeprazole = rx("omeprazole", "20 mg", "once daily", role=OTH)
    for dose, tier in (("20 mg", T4), ("40 mg", T2)):
        findings = evaluate(engine, [rx("citalopram", dose, "once daily"), omeprazole])
        assert one(findings, "PK-56").severity is tier


def test_ser13_counts_scheduled_serotonergic_agents_and_raises_ser01(
    engine: ConflictEngine,
) -> None:
    meds = [
        rx("sertraline", "100 mg", "once daily"),
        rx("amitriptyline", "10 mg", "at night", role=NEU),
        rx("sumatriptan", "50 mg", "as needed", role=NEU),
    ]
    findings = evaluate(engine, meds)
    assert by_rule(findings, "SER-13") == []
    assert one(findings, "SER-01").severity is T4
    findings = evaluate(engine, [*meds, rx("trazodone", "50 mg", "at bedtime")])
    load = one(findings, "SER-13")
    assert (load.key, load.severity) == ("SER-13", T3)
    assert load.medications == ("amitriptyline", "sertraline", "trazodone")
    assert one(findings, "SER-01").severity is T3


def test_dup01_two_antidepressants_from_different_prescribers(engine: ConflictEngine) -> None:
    sertraline = rx("sertraline", "100 mg", "once daily", prescriber="dr-okafor")
    venlafaxine = rx("venlafaxine", "75 mg", "once daily", role=NEU, prescriber="dr-lind")
    assert one(evaluate(engine, [sertraline, venlafaxine]), "DUP-01").severity is T2
    same = rx("venlafaxine", "75 mg", "once daily", prescriber="dr-okafor")
    assert by_rule(evaluate(engine, [sertraline, same]), "DUP-01") == []
    nortriptyline = rx("nortriptyline", "25 mg", "at night", role=NEU, prescriber="dr-lind")
    finding = one(evaluate(engine, [sertraline, nortriptyline]), "DUP-01")
    assert finding.severity is T3
    assert finding.prescribers == ("dr-lind", "dr-okafor")


def test_dup02_timolol_eye_drops_count_as_a_beta_blocker(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("propranolol", "80 mg", "once daily", role=NEU),
            rx("Timoptic", "0.5%", "twice daily", role=OTH, route="eye drops"),
        ],
    )
    assert ("DUP-02", T2) in flagged(findings)


def test_pk50_is_silenced_for_aripiprazole_as_mdd_adjunct(engine: ConflictEngine) -> None:
    adjunct = rx("aripiprazole", "5 mg", "once daily", indication="adjunct to antidepressant, MDD")
    assert by_rule(evaluate(engine, [adjunct, FLUOXETINE]), "PK-50") == []
    other = rx("aripiprazole", "10 mg", "once daily", indication="schizophrenia")
    assert one(evaluate(engine, [other, FLUOXETINE]), "PK-50").severity is T3
    # The suppression covers the co-prescribed antidepressant, not a CYP3A4 inhibitor.
    clarithromycin = rx("clarithromycin", "500 mg", "twice daily", role=OTH)
    keys = {f.key for f in evaluate(engine, [adjunct, FLUOXETINE, clarithromycin])}
    assert "PK-50:aripiprazole+clarithromycin" in keys
    assert "PK-50:aripiprazole+fluoxetine" not in keys


def test_dup06_silences_dup05_for_an_acute_gepant(engine: ConflictEngine) -> None:
    erenumab = rx("Aimovig", "140 mg", "monthly", role=NEU)
    acute = rx("rimegepant", "75 mg", "as needed", role=NEU)
    preventive = rx("rimegepant", "75 mg", "every other day", role=NEU, rx_id="rx-prevent")
    assert by_rule(evaluate(engine, [erenumab, acute]), "DUP-05") == []
    assert ("DUP-05", T3) in flagged(evaluate(engine, [erenumab, preventive]))
    both = evaluate(engine, [erenumab, acute, preventive])
    assert one(both, "DUP-05").prescription_ids == ("rx-aimovig", "rx-prevent")
    assert one(both, "DUP-07").key == "DUP-07:rimegepant"


def test_pregnancy_and_childbearing_potential(engine: ConflictEngine) -> None:
    topiramate = [rx("topiramate", "50 mg", "twice daily", role=NEU)]
    cases = (
        (PatientProfile(sex="female", birth_date=born(30), pregnant=True), T1),
        (PatientProfile(sex="female", birth_date=born(30)), T2),
        (PatientProfile(sex="female"), T2),  # unknown age: assumed of childbearing potential
        (PatientProfile(sex="female", birth_date=born(58)), None),
        (PatientProfile(sex="male", birth_date=born(30)), None),
        (PatientProfile(sex="female", childbearing_potential=False), None),
        (PatientProfile(), None),
    )
    for profile, tier in cases:
        found = {f.severity for f in by_rule(evaluate(engine, topiramate, profile), "CON-03")}
        assert found == ({tier} if tier else set()), profile


def test_condition_rules_name_the_condition(engine: ConflictEngine) -> None:
    profile = PatientProfile(conditions=frozenset({"ischaemic_heart_disease"}))
    finding = one(evaluate(engine, [rx("Imitrex", "50 mg", "as needed")], profile), "VAS-06")
    assert finding.severity is T1
    assert finding.summary == "Sumatriptan (Imitrex) with ischaemic heart disease: contraindicated."


def test_young_patients_get_the_antidepressant_boxed_warning(engine: ConflictEngine) -> None:
    young = PatientProfile(birth_date=born(19))
    finding = one(evaluate(engine, [rx("sertraline", "50 mg", "once daily")], young), "CON-19")
    assert finding.severity is T4
    assert "age 19" in finding.summary


def test_ser03_linezolid_is_major_and_ser06_contraindicated(engine: ConflictEngine) -> None:
    linezolid = rx("linezolid", "600 mg", "twice daily", role=OTH)
    assert (
        one(evaluate(engine, [linezolid, rx("sumatriptan", "50 mg", "prn")]), "SER-03").severity
        is T2
    )
    assert one(evaluate(engine, [linezolid, FLUOXETINE]), "SER-06").severity is T1


def test_vas01_list_level_ergot_with_triptan(engine: ConflictEngine) -> None:
    triptan = rx("rizatriptan", "10 mg", "as needed", role=NEU)
    prn = rx("dihydroergotamine", "1 mg", "as needed", role=NEU)
    scheduled = rx("methysergide", "2 mg", "twice daily", role=NEU)
    assert one(evaluate(engine, [triptan, prn]), "VAS-01").severity is T3
    assert one(evaluate(engine, [triptan, scheduled]), "VAS-01").severity is T1


def test_insights(engine: ConflictEngine) -> None:
    ssri = rx("escitalopram", "10 mg", "once daily", indication="major depressive disorder")
    insight = one(evaluate(engine, [ssri]), "INS-01")
    assert insight.severity is T4 and insight.prescribers == (f"dr-{PSY}",)
    assert "tell the headache specialist" in insight.summary
    # With a migraine preventive on the list the SSRI is not mistaken for one.
    topiramate = rx("topiramate", "50 mg", "twice daily", role=NEU)
    assert by_rule(evaluate(engine, [ssri, topiramate]), "INS-01") == []
    # Supplements and rimegepant for attacks are no preventive.
    magnesium = rx("magnesium", "400 mg", "once daily", role=SELF)
    rimegepant = rx("Nurtec", "75 mg", "as needed", role=NEU)
    assert ("INS-01", T4) in flagged(evaluate(engine, [ssri, magnesium, rimegepant]))
    dual = evaluate(engine, [rx("venlafaxine", "150 mg", "once daily")])
    assert ("INS-02", T4) in flagged(dual)
