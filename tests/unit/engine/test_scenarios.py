"""The clinical-kb.md §4 scenarios that need no diary data: each "must flag" is present
at its tier and rule id, each "must NOT flag" is absent."""

from services.care_team.domain.engine import ConflictEngine, ConflictKind, PatientProfile

from .builders import NEU, OTH, SELF, T1, T2, T3, T4, born, evaluate, flagged, rx


def test_t01_triptan_with_ssri_is_information_only(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("sertraline", "100 mg", "once daily", indication="depression"),
            rx("sumatriptan", "50 mg", "as needed", role=NEU),
        ],
    )
    assert ("SER-01", T4) in flagged(findings)
    serotonin = [f for f in findings if f.kind is ConflictKind.SEROTONIN_TOXICITY]
    assert not [f for f in serotonin if f.severity in (T1, T2)]
    assert not any(f.severity.interruptive for f in findings)


def test_t02_maoi_with_rizatriptan_is_contraindicated(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("phenelzine", "15 mg", "three times daily"),
            rx("rizatriptan", "10 mg", "as needed", role=NEU),
        ],
    )
    assert ("SER-03", T1) in flagged(findings)
    assert "naratriptan" in engine.rule("SER-03").recommendation  # suggests alternatives


def test_t06_eletriptan_with_clarithromycin(engine: ConflictEngine) -> None:
    eletriptan = rx("eletriptan", "40 mg", "as needed", role=NEU)
    clarithromycin = rx("clarithromycin", "500 mg", "twice daily", role=OTH)
    assert ("PK-01", T1) in flagged(evaluate(engine, [eletriptan, clarithromycin]))
    # "If an ergot is also listed: T1 VAS-03."
    cafergot = rx("Cafergot", "1/100 mg", "as needed", role=NEU)
    assert ("VAS-03", T1) in flagged(evaluate(engine, [eletriptan, clarithromycin, cafergot]))


def test_t07a_rizatriptan_with_propranolol_needs_the_dose_cap(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("propranolol", "80 mg", "once daily", role=NEU),
            rx("rizatriptan", "10 mg", "as needed", role=NEU),
        ],
    )
    assert ("PK-03", T2) in flagged(findings)


def test_t08_propranolol_with_sertraline_flags_nothing(engine: ConflictEngine) -> None:
    propranolol = rx(
        "propranolol", "80 mg", "once daily", role=NEU, indication="migraine prevention"
    )
    sertraline = rx("sertraline", "50 mg", "once daily", indication="depression")
    assert evaluate(engine, [propranolol, sertraline]) == []
    # With depression on the problem list CON-06 stays a passive T4, not raised by the change.
    depressed = PatientProfile(conditions=frozenset({"depression"}))
    before = flagged(evaluate(engine, [propranolol], depressed))
    after = flagged(evaluate(engine, [propranolol, sertraline], depressed))
    assert before == after == {("CON-06", T4)}


def test_t11_low_dose_amitriptyline_with_fluoxetine(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("amitriptyline", "25 mg", "at night", role=NEU, indication="migraine"),
            rx("fluoxetine", "20 mg", "once daily", indication="depression"),
        ],
    )
    assert {("DUP-01", T3), ("PK-34", T3), ("SER-02", T4)} <= flagged(findings)
    assert not [f for f in findings if f.severity is T1]


def test_t12_erenumab_with_escitalopram_flags_nothing(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("erenumab", "140 mg", "monthly", role=NEU, indication="migraine prevention"),
            rx("escitalopram", "10 mg", "once daily", indication="depression"),
        ],
    )
    assert findings == []


def test_t15_citalopram_40_mg_over_60_with_amitriptyline(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("citalopram", "40 mg", "once daily", indication="depression"),
            rx("amitriptyline", "10 mg", "at night", role=NEU, indication="migraine"),
        ],
        PatientProfile(birth_date=born(64)),
    )
    assert {("QT-01", T2), ("QT-02", T2), ("DUP-01", T3)} <= flagged(findings)


def test_t16a_divalproex_in_pregnancy(engine: ConflictEngine) -> None:
    divalproex = rx("divalproex", "500 mg", "twice daily", role=NEU, indication="migraine")
    pregnant = PatientProfile(birth_date=born(28), sex="female", pregnant=True)
    assert ("CON-01", T1) in flagged(evaluate(engine, [divalproex], pregnant))


def test_t16b_divalproex_with_amitriptyline_not_pregnant(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("divalproex", "500 mg", "twice daily", role=NEU, indication="migraine"),
            rx("amitriptyline", "50 mg", "at night", indication="depression"),
        ],
        PatientProfile(birth_date=born(28), sex="female", pregnant=False),
    )
    assert {("PK-38", T3), ("CON-02", T2)} <= flagged(findings)


def test_t18_flunarizine_with_recurrent_depression(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("sertraline", "100 mg", "once daily", indication="depression"),
            rx("flunarizine", "10 mg", "at night", role=NEU),
        ],
        PatientProfile(conditions=frozenset({"recurrent_major_depression"})),
    )
    assert ("CON-05", T1) in flagged(findings)


def test_t21_rimegepant_with_st_johns_wort_and_sertraline(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("sertraline", "100 mg", "once daily", indication="depression"),
            rx("St John's wort", "300 mg", "three times daily", role=SELF),
            rx("rimegepant", "75 mg", "as needed", role=NEU),
        ],
    )
    assert {("PK-16", T2), ("SER-11", T2)} <= flagged(findings)


def test_t23_atogepant_with_clarithromycin(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("atogepant", "60 mg", "once daily", role=NEU, indication="episodic migraine"),
            rx("clarithromycin", "500 mg", "twice daily", role=OTH),
        ],
    )
    assert ("PK-30", T2) in flagged(findings)


def test_t25a_prn_ibuprofen_with_duloxetine_is_information_only(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("duloxetine", "60 mg", "once daily", indication="depression"),
            rx("ibuprofen", "400 mg", "as needed", role=NEU),
        ],
    )
    assert ("BLD-01", T4) in flagged(findings)
    assert {f.severity for f in findings} == {T4}


def test_t25b_scheduled_naproxen_with_duloxetine_and_warfarin(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("duloxetine", "60 mg", "once daily", indication="depression"),
            rx("warfarin", "5 mg", "once daily", role=OTH),
            rx("naproxen", "500 mg", "twice daily", role=NEU),
        ],
    )
    assert ("BLD-02", T2) in flagged(findings)


def test_t26_sertraline_with_iv_methylene_blue(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("sertraline", "100 mg", "once daily", indication="depression"),
            rx("methylene blue", "1 mg/kg", "once", role=OTH, route="IV"),
        ],
    )
    assert ("SER-06", T1) in flagged(findings)


def test_t27_lasmiditan_with_sertraline_and_propranolol(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("sertraline", "100 mg", "once daily", indication="depression"),
            rx("propranolol", "80 mg", "once daily", role=NEU),
            rx("lasmiditan", "100 mg", "as needed", role=NEU),
        ],
    )
    assert {("SER-10", T4), ("PK-19", T3), ("PK-21", T3)} <= flagged(findings)
