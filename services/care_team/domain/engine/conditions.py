"""Conditions from rules.yaml (`when`, modifiers, caps), compiled once at load time.

A condition looks at the patient, the matched medications (a/b/c) or the rest
of the list; it compiles to a function of (list, matched medications).
"""

from collections.abc import Callable, Sequence

from services.care_team.domain.engine.medlist import Med, MedList, Patient, tristate
from services.care_team.domain.engine.selectors import Selector, SelectorCompiler
from services.care_team.domain.engine.spec import Node

POSITIONS = ("a", "b", "c")
_PATIENT_FIELDS = (
    "pregnant", "childbearing_potential", "effective_contraception", "sex", "age_above",
    "age_below", "conditions",
)  # fmt: skip

Condition = Callable[[MedList, Sequence[Med]], bool]


class ConditionCompiler:
    def __init__(self, selectors: SelectorCompiler, conditions: frozenset[str]) -> None:
        self.selectors = selectors
        self.conditions = conditions  # the patient condition codes (rules.yaml)

    def condition(self, node: Node, positions: int) -> Condition:
        """A condition over the list and the `positions` matched medications."""
        allowed = (*POSITIONS[:positions], "patient", "list_has", "list_lacks", "count")
        parts: list[Condition] = []
        for name, field in node.mapping(allowed=(*allowed, "any", "all", "not")).items():
            if name in POSITIONS:
                parts.append(_position(POSITIONS.index(name), self.selectors.selector(field)))
            elif name == "patient":
                parts.append(self._patient(field))
            elif name in ("list_has", "list_lacks"):
                parts.append(_on_list(self.selectors.selector(field), wanted=name == "list_has"))
            elif name == "count":
                spec = field.mapping(allowed=("of", "at_least"), required=("of", "at_least"))
                parts.append(
                    _count(self.selectors.selector(spec["of"]), spec["at_least"].integer(minimum=1))
                )
            elif name == "not":
                parts.append(_negate(self.condition(field, positions)))
            else:
                subs = [self.condition(item, positions) for item in field.items()]
                parts.append(_any(subs) if name == "any" else _every(subs))
        if not parts:
            node.fail("an empty condition")
        return parts[0] if len(parts) == 1 else _every(parts)

    def _patient(self, node: Node) -> Condition:
        tests: list[Callable[[Patient], bool]] = []
        for name, field in node.mapping(allowed=_PATIENT_FIELDS).items():
            if name in ("pregnant", "childbearing_potential", "effective_contraception"):
                tests.append(_patient_flag(name, _tristates(field)))
            elif name == "sex":
                tests.append(_patient_sex(frozenset(s.lower() for s in field.texts())))
            elif name in ("age_above", "age_below"):
                tests.append(_patient_age(field.number(), above=name == "age_above"))
            else:
                tests.append(_patient_conditions(field.choices(self.conditions)))
        if not tests:
            node.fail("an empty patient condition")
        if len(tests) == 1:
            test = tests[0]
            return lambda medlist, bound: test(medlist.patient)
        return lambda medlist, bound: all(test(medlist.patient) for test in tests)


def condition_codes(node: Node | None) -> frozenset[str]:
    """Every patient condition code a condition mentions (to name them in summaries)."""
    found: set[str] = set()

    def walk(value: object, key: str | None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key == "conditions" and isinstance(value, str):
            found.add(value)

    if node is not None:
        walk(node.value, None)
    return frozenset(found)


def _tristates(node: Node) -> frozenset[str]:
    """`true`, `[false, unknown]`: YAML booleans mixed with the word unknown."""
    items = node.items() if isinstance(node.value, list) else [node]
    values: set[str] = set()
    for item in items:
        if isinstance(item.value, bool):
            values.add(tristate(item.value))
        else:
            values.add(item.choice(("unknown",)))
    return frozenset(values)


def _on_list(selector: Selector, *, wanted: bool) -> Condition:
    def check(medlist: MedList, bound: Sequence[Med]) -> bool:
        # Which active drugs match depends only on the list: found once per evaluation.
        matching = medlist.memo.get(selector)
        if matching is None:
            matching = medlist.memo[selector] = [m for m in medlist.active if selector.matches(m)]
        for med in matching:
            if all(med.uid != other.uid for other in bound):
                return wanted
        return not wanted

    return check


def _negate(inner: Condition) -> Condition:
    return lambda medlist, bound: not inner(medlist, bound)


def _any(conditions: list[Condition]) -> Condition:
    def check(medlist: MedList, bound: Sequence[Med]) -> bool:
        return any(condition(medlist, bound) for condition in conditions)

    return check


def _every(conditions: list[Condition]) -> Condition:
    def check(medlist: MedList, bound: Sequence[Med]) -> bool:
        return all(condition(medlist, bound) for condition in conditions)

    return check


def _patient_flag(name: str, values: frozenset[str]) -> Callable[[Patient], bool]:
    return lambda patient: tristate(getattr(patient, name)) in values


def _patient_sex(sexes: frozenset[str]) -> Callable[[Patient], bool]:
    return lambda patient: patient.sex in sexes


def _patient_age(limit: float, *, above: bool) -> Callable[[Patient], bool]:
    def check(patient: Patient) -> bool:
        if patient.age is None:
            return False
        return patient.age > limit if above else patient.age < limit

    return check


def _patient_conditions(codes: frozenset[str]) -> Callable[[Patient], bool]:
    return lambda patient: not patient.conditions.isdisjoint(codes)


def _position(index: int, selector: Selector) -> Condition:
    # A rule's clauses may bind fewer drugs than its modifiers name: no drug, no match.
    return lambda ml, bound: index < len(bound) and selector.matches(bound[index])


def _count(selector: Selector, at_least: int) -> Condition:
    key = (selector, at_least)

    def check(medlist: MedList, bound: Sequence[Med]) -> bool:
        # Counts the whole list, whatever the rule matched: once per evaluation.
        found = medlist.memo.get(key)
        if found is None:
            count = len({m.ingredient for m in medlist.active if selector.matches(m)})
            found = medlist.memo[key] = count >= at_least
        return bool(found)

    return check
