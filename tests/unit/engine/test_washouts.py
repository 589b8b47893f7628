"""Stopped medications: they count only for rules that honour washouts, and only until
stopped_at + the drug's washout (then the finding lapses)."""

from datetime import timedelta

from services.care_team.domain.engine import ConflictEngine, ConflictKind

from .builders import NEU, NOW, T1, T2, T4, by_rule, evaluate, flagged, one, rx


def test_fluoxetine_stopped_20_days_ago_still_conflicts_with_phenelzine(
    engine: ConflictEngine,
) -> None:
    findings = evaluate(
        engine,
        [
            rx("fluoxetine", "20 mg", "once daily", stopped_days_ago=20),
            rx("phenelzine", "15 mg", "three times daily"),
        ],
    )
    finding = one(findings, "SER-05")
    assert finding.severity is T1
    assert finding.kind is ConflictKind.WASHOUT
    assert finding.lapses_at == NOW - timedelta(days=20) + timedelta(days=35)
    assert "stopped" in finding.summary and "fluoxetine" in finding.summary.lower()


def test_fluoxetine_stopped_40_days_ago_no_longer_counts(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("fluoxetine", "20 mg", "once daily", stopped_days_ago=40),
            rx("phenelzine", "15 mg", "three times daily"),
        ],
    )
    assert findings == []


def test_the_finding_is_gone_once_it_lapses(engine: ConflictEngine) -> None:
    meds = [
        rx("fluoxetine", "20 mg", "once daily", stopped_days_ago=20),
        rx("phenelzine", "15 mg", "three times daily"),
    ]
    lapses_at = one(evaluate(engine, meds), "SER-05").lapses_at
    assert lapses_at is not None
    assert evaluate(engine, meds, now=lapses_at - timedelta(seconds=1)) != []
    assert evaluate(engine, meds, now=lapses_at) == []


def test_a_stopped_maoi_blocks_a_new_antidepressant_for_14_days(engine: ConflictEngine) -> None:
    sertraline = rx("sertraline", "50 mg", "once daily")
    inside = evaluate(engine, [rx("phenelzine", "15 mg", "tid", stopped_days_ago=10), sertraline])
    assert one(inside, "SER-05").lapses_at == NOW + timedelta(days=4)
    after = evaluate(engine, [rx("phenelzine", "15 mg", "tid", stopped_days_ago=15), sertraline])
    assert by_rule(after, "SER-05") == []


def test_drug_specific_washouts(engine: ConflictEngine) -> None:
    phenelzine = rx("phenelzine", "15 mg", "three times daily")
    for drug, days in (("venlafaxine", 7), ("duloxetine", 5), ("vortioxetine", 21)):
        inside = evaluate(
            engine, [rx(drug, "10 mg", "daily", stopped_days_ago=days - 1), phenelzine]
        )
        after = evaluate(
            engine, [rx(drug, "10 mg", "daily", stopped_days_ago=days + 1), phenelzine]
        )
        assert ("SER-05", T1) in flagged(inside), drug
        assert by_rule(after, "SER-05") == [], drug


def test_fluoxetine_stays_a_cyp2d6_inhibitor_for_five_weeks(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("fluoxetine", "20 mg", "once daily", stopped_days_ago=20),
            rx("metoprolol", "50 mg", "twice daily", role=NEU),
        ],
    )
    finding = one(findings, "PK-39")
    assert finding.severity is T2
    assert finding.kind is ConflictKind.PHARMACOKINETIC  # not a washout conflict
    assert finding.lapses_at == NOW + timedelta(days=15)
    # Paroxetine's inhibition is not carried past its stop (no such convention for it).
    paroxetine = rx("paroxetine", "20 mg", "once daily", stopped_days_ago=3)
    assert by_rule(evaluate(engine, [paroxetine, rx("metoprolol", "50 mg", "bid")]), "PK-39") == []


def test_stopped_drugs_do_not_count_for_rules_without_washouts(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("sertraline", "100 mg", "once daily", stopped_days_ago=2),
            rx("sumatriptan", "50 mg", "as needed", role=NEU),
        ],
    )
    assert findings == []


def test_two_stopped_drugs_alone_make_no_conflict(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("fluoxetine", "20 mg", "once daily", stopped_days_ago=3),
            rx("phenelzine", "15 mg", "three times daily", stopped_days_ago=3),
        ],
    )
    assert findings == []


def test_a_restarted_drug_is_simply_active(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("fluoxetine", "20 mg", "once daily", stopped_days_ago=3, rx_id="rx-old"),
            rx("fluoxetine", "40 mg", "once daily", rx_id="rx-new"),
            rx("phenelzine", "15 mg", "three times daily"),
        ],
    )
    finding = one(findings, "SER-05")
    assert finding.lapses_at is None
    assert finding.kind is ConflictKind.SEROTONIN_TOXICITY
    assert "rx-old" not in finding.prescription_ids


def test_a_finding_holds_while_any_of_its_matches_holds(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("fluoxetine", "20 mg", "once daily", stopped_days_ago=30, rx_id="rx-a"),
            rx("fluoxetine", "10 mg", "once daily", stopped_days_ago=10, rx_id="rx-b"),
            rx("phenelzine", "15 mg", "three times daily"),
        ],
    )
    finding = one(findings, "SER-05")
    assert finding.lapses_at == NOW + timedelta(days=25)
    assert {"rx-a", "rx-b"} <= set(finding.prescription_ids)


def test_stopped_dual_purpose_antidepressant_ends_migraine_prevention(
    engine: ConflictEngine,
) -> None:
    recently = evaluate(engine, [rx("amitriptyline", "25 mg", "at night", stopped_days_ago=10)])
    finding = one(recently, "INS-03")
    assert finding.severity is T4
    assert finding.lapses_at == NOW + timedelta(days=18)
    assert evaluate(engine, [rx("amitriptyline", "25 mg", "qhs", stopped_days_ago=29)]) == []
    switched = evaluate(
        engine,
        [
            rx("venlafaxine", "75 mg", "once daily", stopped_days_ago=5, role=NEU),
            rx("sertraline", "50 mg", "once daily", indication="depression"),
        ],
    )
    assert ("INS-03", T4) in flagged(switched)


def test_max_washout_is_how_far_back_stopped_drugs_matter(engine: ConflictEngine) -> None:
    assert engine.max_washout == timedelta(days=35)


def test_washout_until_tells_how_long_a_stopped_drug_still_counts() -> None:
    from datetime import UTC, datetime, timedelta

    from services.care_team.domain.engine import ConflictEngine, MedicationEntry

    engine = ConflictEngine.load()
    stopped = datetime(2026, 10, 1, tzinfo=UTC)

    def entry(name: str, active: bool = False) -> MedicationEntry:
        return MedicationEntry(
            prescription_id=f"rx-{name}",
            name=name,
            rxcui=None,
            dose=None,
            frequency=None,
            route=None,
            indication=None,
            prescriber_id="dr",
            prescriber_role="psychiatrist",
            active=active,
            stopped_at=None if active else stopped,
        )

    assert engine.washout_until(entry("fluoxetine")) == stopped + timedelta(days=35)
    assert engine.washout_until(entry("phenelzine")) == stopped + timedelta(days=14)
    assert engine.washout_until(entry("fluoxetine", active=True)) is None
    assert engine.washout_until(entry("ibuprofen")) is None
