"""The rules of knowledge/rules.yaml: validated, compiled, with their public metadata.

A rule is one row of clinical-kb.md §1 (or a product insight): what it matches
(clauses), how severe it is (tier plus modifiers, cap), whether stopped drugs
count (washouts), and what the finding says. T0 rules suppress named rules for
the drugs they match; modifier rules (QT-03) adjust other rules' tiers.
"""

import string
from dataclasses import dataclass, field
from types import MappingProxyType

from services.care_team.domain.engine.conditions import (
    POSITIONS,
    Condition,
    ConditionCompiler,
    PatientTest,
    condition_codes,
)
from services.care_team.domain.engine.facts import IndicationCodes
from services.care_team.domain.engine.medlist import Predicate
from services.care_team.domain.engine.model import ConflictKind, Evidence, Severity
from services.care_team.domain.engine.selectors import Selector
from services.care_team.domain.engine.spec import KnowledgeError, Node
from services.care_team.domain.engine.summaries import Template

TIERS = {"T0": 0, "T1": 1, "T2": 2, "T3": 3, "T4": 4}
SEVERITY = {1: Severity.CONTRAINDICATED, 2: Severity.MAJOR, 3: Severity.MODERATE, 4: Severity.MINOR}
_COMMON = ("id", "title", "kind", "source_severity", "sources", "recommendation", "note")
_RULE_FIELDS = (*_COMMON, "tier", "summary", "match", "modifiers", "cap", "stopped", "suppresses")
_MODIFIER_RULE_FIELDS = (*_COMMON, "modifies", "raise", "when")
_CLAUSE_FIELDS = (*POSITIONS, "when", "different_prescribers", "same_ingredient", "summary")
_COUNT_FIELDS = ("count", "at_least", "distinct", "summary")


@dataclass(frozen=True, slots=True)
class Vocab:
    conditions: frozenset[str]
    condition_names: MappingProxyType[str, str]
    indications: IndicationCodes
    childbearing_ages: tuple[int, int]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule's metadata (`ConflictEngine.rule`)."""

    rule_id: str
    title: str
    kind: ConflictKind
    tier: str  # "T0".."T4"; "modifier" for a rule that only adjusts others' tiers
    severity: Severity | None  # None for T0 and modifier rules
    source_severity: str
    sources: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    recommendation: str
    summary: str | None
    note: str | None
    suppresses: tuple[str, ...] = ()
    modifies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Modifier:
    when: Condition
    tier: int | None  # set the tier...
    raise_by: int = 0  # ...or raise it by this many tiers


@dataclass(eq=False)
class Rule:
    info: RuleInfo
    tier: int  # 0 = suppression; 1..4; -1 for a modifier rule
    clauses: list["Clause"] = field(default_factory=list)
    modifiers: list[Modifier] = field(default_factory=list)  # own, then modifier rules'
    cap: tuple[int, Condition | None] | None = None
    stopped: str | int | None = None  # washout | inhibition | days


@dataclass(eq=False)
class Clause:
    rule: Rule
    positions: tuple[Selector, ...]  # a, b, c (empty for a count clause)
    when: Condition | None = None
    gate: PatientTest | None = None  # a `when` on the patient alone...
    gate_bit: int = 0  # ...and its bit in `RuleIndex.blocked`
    different_prescribers: bool = False
    same_ingredient: bool = False
    count: Selector | None = None
    at_least: int = 0
    distinct_prescriptions: bool = False
    condition_codes: frozenset[str] = frozenset()
    symmetric: bool = False  # a and b are the same selector: evaluate each pair once
    template: Template = field(default_factory=lambda: Template(""))  # the summary, split
    # Derived from the complete rule book by `matching.RuleIndex`, for the hot loops.
    rule_id: str = ""
    # Per tier (index 0..4), an int that sorts as (tier, rule id): its matches sort by it.
    order: tuple[int, ...] = ()
    key_prefix: str = ""  # "<rule id>:", which a finding's key continues with its drugs
    kind: ConflictKind = ConflictKind.CONTRAINDICATED  # its findings' kind...
    lapse_kind: ConflictKind = ConflictKind.CONTRAINDICATED  # ...if a washout holds them
    recommendation: str = ""
    evidence: tuple[Evidence, ...] = ()
    tier: int = 0  # the rule's tier...
    adjusted: bool = False  # ...unless modifiers or a cap may change it
    plain: bool = False  # no condition, prescriber test or tier change: matched is found
    check_a: Predicate | None = None  # the prescription-level checks at a and b
    check_b: Predicate | None = None
    third: Selector | None = None  # the selector at c, if any


def parse_vocab(fields: dict[str, Node]) -> Vocab:
    names = {code: node.text() for code, node in fields["conditions"].entries()}
    patient = fields["patient"].mapping(allowed=("childbearing_potential_ages",))
    ages = patient["childbearing_potential_ages"].items()
    if len(ages) != 2:
        patient["childbearing_potential_ages"].fail("expected [from, to]")
    return Vocab(
        conditions=frozenset(names),
        condition_names=MappingProxyType(names),
        indications=IndicationCodes(fields["indications"]),
        childbearing_ages=(ages[0].integer(), ages[1].integer()),
    )


def parse_rules(
    node: Node, compiler: ConditionCompiler, sources: dict[str, Evidence], kinds: frozenset[str]
) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    modifier_nodes: list[tuple[Rule, dict[str, Node]]] = []
    for index, item in enumerate(node.items()):
        raw = item.value if isinstance(item.value, dict) else {}
        rule_id = raw.get("id") if isinstance(raw.get("id"), str) else f"#{index}"
        rule_node = Node(item.value, f"rules.yaml: rule {rule_id}:")
        modifier = isinstance(raw, dict) and "modifies" in raw
        fields = rule_node.mapping(
            allowed=_MODIFIER_RULE_FIELDS if modifier else _RULE_FIELDS,
            required=("id", "title", "kind", "source_severity", "sources", "recommendation")
            + (("modifies", "raise", "when") if modifier else ("tier", "match")),
        )
        rule = _rule(fields, sources, kinds, modifier)
        if rule.info.rule_id in rules:
            rule_node.fail("duplicate rule id")
        rules[rule.info.rule_id] = rule
        if modifier:
            modifier_nodes.append((rule, fields))
        else:
            _compile_rule(rule, fields, compiler)
    for rule in rules.values():
        for target in (*rule.info.suppresses, *rule.info.modifies):
            if target not in rules:
                raise KnowledgeError(
                    f"rules.yaml: rule {rule.info.rule_id}: unknown rule {target!r}"
                )
    for rule, fields in modifier_nodes:
        raise_by = fields["raise"].integer(minimum=1)
        for target in rule.info.modifies:
            arity = max((len(c.positions) for c in rules[target].clauses), default=0)
            when = compiler.condition(fields["when"], arity)
            rules[target].modifiers.append(Modifier(when, None, raise_by))
    return rules


def _rule(
    fields: dict[str, Node], sources: dict[str, Evidence], kinds: frozenset[str], modifier: bool
) -> Rule:
    rule_id = fields["id"].text()
    source_ids = fields["sources"].texts()
    if not source_ids:
        fields["sources"].fail("a rule needs at least one source")
    for source in source_ids:
        if source not in sources:
            fields["sources"].fail(f"unknown source {source!r} (not in sources.yaml)")
    tier = -1 if modifier else TIERS[fields["tier"].choice(TIERS)]
    info = RuleInfo(
        rule_id=rule_id,
        title=fields["title"].text(),
        kind=ConflictKind(fields["kind"].choice(kinds)),
        tier="modifier" if modifier else fields["tier"].text(),
        severity=SEVERITY.get(tier),
        source_severity=fields["source_severity"].text(),
        sources=source_ids,
        evidence=tuple(sources[s] for s in source_ids),
        recommendation=fields["recommendation"].text(),
        summary=fields["summary"].text() if "summary" in fields else None,
        note=fields["note"].text() if "note" in fields else None,
        suppresses=fields["suppresses"].texts() if "suppresses" in fields else (),
        modifies=fields["modifies"].texts() if modifier else (),
    )
    if tier == 0 and not info.suppresses:
        fields["tier"].fail("a T0 rule must name the rules it `suppresses`")
    if tier != 0 and info.suppresses:
        fields["suppresses"].fail("only T0 rules suppress")
    if tier > 0 and info.summary is None and "match" in fields:
        fields["match"].fail("a rule that makes findings needs a `summary`")
    return Rule(info, tier)


def _compile_rule(rule: Rule, fields: dict[str, Node], compiler: ConditionCompiler) -> None:
    match = fields["match"]
    clause_nodes = match.items() if isinstance(match.value, list) else [match]
    for clause_node in clause_nodes:
        rule.clauses.append(_clause(rule, clause_node, compiler, fields.get("summary")))
    arity = max(len(c.positions) for c in rule.clauses)
    if "stopped" in fields:
        value = fields["stopped"].value
        rule.stopped = (
            fields["stopped"].integer(1)
            if isinstance(value, int)
            else fields["stopped"].choice(("washout", "inhibition"))
        )
    for item in fields["modifiers"].items() if "modifiers" in fields else ():
        spec = item.mapping(allowed=("when", "tier", "raise"), required=("when",))
        if ("tier" in spec) == ("raise" in spec):
            item.fail("a modifier needs exactly one of `tier` or `raise`")
        when = compiler.condition(spec["when"], arity)
        if "tier" in spec:
            rule.modifiers.append(Modifier(when, _finding_tier(spec["tier"])))
        else:
            rule.modifiers.append(Modifier(when, None, spec["raise"].integer(minimum=1)))
    if "cap" in fields:
        cap = fields["cap"].mapping(allowed=("tier", "unless"), required=("tier",))
        unless = compiler.condition(cap["unless"], arity) if "unless" in cap else None
        rule.cap = (_finding_tier(cap["tier"]), unless)


def _clause(
    rule: Rule, node: Node, compiler: ConditionCompiler, rule_summary: Node | None
) -> Clause:
    raw = node.value if isinstance(node.value, dict) else {}
    summary_node = node.mapping().get("summary") or rule_summary
    template = summary_node.text() if summary_node else ""
    if "count" in raw:
        fields = node.mapping(allowed=_COUNT_FIELDS, required=("count", "at_least"))
        distinct = (
            fields["distinct"].choice(("ingredients", "prescriptions"))
            if "distinct" in fields
            else "ingredients"
        )
        _check_template(template, {"drugs", "count"}, summary_node or node)
        return Clause(
            rule,
            (),
            count=compiler.selectors.selector(fields["count"]),
            at_least=fields["at_least"].integer(minimum=2),
            distinct_prescriptions=distinct == "prescriptions",
            template=Template(template),
        )
    fields = node.mapping(allowed=_CLAUSE_FIELDS, required=("a",))
    names = [p for p in POSITIONS if p in fields]
    if names != list(POSITIONS[: len(names)]):
        node.fail("positions must be a, then b, then c")
    positions = tuple(compiler.selectors.selector(fields[p]) for p in names)
    when = compiler.condition(fields["when"], len(positions)) if "when" in fields else None
    # A condition on the patient alone is decided once per patient (`PatientGates`).
    gate = compiler.patient_test(fields["when"]) if "when" in fields else None
    available = {"drugs", "conditions", "age", *names, *(f"{p}_dose" for p in names)}
    if rule.tier:
        _check_template(template, available, summary_node or node)
    same = fields["same_ingredient"].boolean() if "same_ingredient" in fields else False
    if same and len(positions) != 2:
        node.fail("same_ingredient needs exactly a and b")
    return Clause(
        rule,
        positions,
        when=None if gate else when,
        gate=gate,
        different_prescribers=(
            fields["different_prescribers"].boolean()
            if "different_prescribers" in fields
            else False
        ),
        same_ingredient=same,
        condition_codes=condition_codes(fields.get("when")),
        symmetric=len(names) == 2 and fields["a"].value == fields["b"].value,
        template=Template(template if rule.tier else ""),  # T0 rules make no findings
    )


def _finding_tier(node: Node) -> int:
    tier = TIERS[node.choice(TIERS)]
    if tier == 0:
        node.fail("T0 is for suppression rules, not a finding's tier")
    return tier


def _check_template(template: str, available: set[str], node: Node) -> frozenset[str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        node.fail(f"bad summary template: {error}")
    unknown = names - available
    if unknown:
        names_used, names_available = ", ".join(sorted(unknown)), ", ".join(sorted(available))
        node.fail(f"uses placeholder(s) {names_used}; available here: {names_available}")
    return frozenset(names)
