"""Conditions from rules.yaml (`when`, modifiers, caps), compiled once at load time.

A condition looks at the patient, the matched medications (a/b/c) or the rest
of the list; it compiles to a function of (list, matched medications).
"""

from collections.abc import Callable, Mapping, Sequence

from services.care_team.domain.engine.medlist import Med, MedList, Patient, tristate
from services.care_team.domain.engine.selectors import Selector, SelectorCompiler
from services.care_team.domain.engine.spec import Node

POSITIONS = ("a", "b", "c")
_FEW = 16  # ingredients: see _on_list
_PATIENT_FIELDS = (
    "pregnant", "childbearing_potential", "effective_contraception", "sex", "age_above",
    "age_below", "conditions",
)  # fmt: skip

Condition = Callable[[MedList, Sequence[Med]], bool]
PatientTest = Callable[[Patient], bool]


class ConditionCompiler:
    def __init__(self, selectors: SelectorCompiler, conditions: frozenset[str]) -> None:
        self.selectors = selectors
        self.conditions = conditions  # the patient condition codes (rules.yaml)
        self.names = {drug.bit: name for name, drug in selectors.catalogue.drugs.items()}

    def condition(self, node: Node, positions: int) -> Condition:
        """A condition over the list and the `positions` matched medications."""
        allowed = (*POSITIONS[:positions], "patient", "list_has", "list_lacks", "count")
        parts: list[Condition] = []
        for name, field in node.mapping(allowed=(*allowed, "any", "all", "not")).items():
            if name in POSITIONS:
                parts.append(_position(POSITIONS.index(name), self.selectors.selector(field)))
            elif name == "patient":
                parts.append(_on_patient(self._patient(field)))
            elif name in ("list_has", "list_lacks"):
                selector = self.selectors.selector(field)
                parts.append(_on_list(selector, self.names, wanted=name == "list_has"))
            elif name == "count":
                spec = field.mapping(allowed=("of", "at_least"), required=("of", "at_least"))
                selector, at_least = self.selectors.selector(spec["of"]), spec["at_least"]
                parts.append(_count(selector, self.names, at_least.integer(minimum=1)))
            elif name == "not":
                parts.append(_negate(self.condition(field, positions)))
            else:
                subs = [self.condition(item, positions) for item in field.items()]
                parts.append(_any(subs) if name == "any" else _every(subs))
        if not parts:
            node.fail("an empty condition")
        return parts[0] if len(parts) == 1 else _every(parts)

    def patient_test(self, node: Node) -> PatientTest | None:
        """The condition as a test of the patient alone; None if it looks at medications.

        `node` must be a valid condition (`condition` checked it)."""
        if not _patient_only(node.value):
            return None
        tests: list[PatientTest] = []
        for name, field in node.mapping().items():
            if name == "patient":
                tests.append(self._patient(field))
            elif name == "not":
                inner = self.patient_test(field)
                assert inner is not None
                tests.append(_not_patient(inner))
            else:
                subs = [self.patient_test(item) for item in field.items()]
                alternatives = [sub for sub in subs if sub is not None]
                tests.append(_any_of(alternatives) if name == "any" else _all_of(alternatives))
        return tests[0] if len(tests) == 1 else _all_of(tests)

    def _patient(self, node: Node) -> PatientTest:
        tests: list[PatientTest] = []
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
        return tests[0] if len(tests) == 1 else _all_of(tests)


def _patient_only(value: object) -> bool:
    """Whether a condition (as in the YAML) only looks at the patient."""
    if not isinstance(value, dict):
        return False
    for key, inner in value.items():
        if key == "not" and not _patient_only(inner):
            return False
        if key in ("any", "all") and not (
            isinstance(inner, list) and all(_patient_only(item) for item in inner)
        ):
            return False
        if key not in ("patient", "not", "any", "all"):
            return False
    return True


def _all_of(tests: list[PatientTest]) -> PatientTest:
    return lambda patient: all(test(patient) for test in tests)


def _any_of(tests: list[PatientTest]) -> PatientTest:
    return lambda patient: any(test(patient) for test in tests)


def _not_patient(test: PatientTest) -> PatientTest:
    return lambda patient: not test(patient)


def _on_patient(test: PatientTest) -> Condition:
    return lambda medlist, bound: test(medlist.patient)


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


def _on_list(selector: Selector, names: Mapping[int, str], *, wanted: bool) -> Condition:
    mask, static, check = selector.mask, selector.static, selector.check
    # A selector of few ingredients visits just those on the list; one of many (a test of
    # the prescription only, such as its indication) walks the list's active drugs.
    few = mask.bit_count() <= _FEW

    def test(medlist: MedList, bound: Sequence[Med]) -> bool:
        # Which active drugs match depends only on the list: kept once all are known.
        matching: list[Med] | None = medlist.memo.get(selector)
        if matching is not None:
            for med in matching:
                if not _is_bound(med, bound):
                    return wanted
            return not wanted
        matching = []
        if few:
            by_ingredient = medlist.by_ingredient
            hits = mask & medlist.present  # the ingredients on the list it can match
            while hits:
                low = hits & -hits
                hits ^= low
                for med in by_ingredient[names[low]]:
                    if med.active and (check is None or check(med)):
                        if not _is_bound(med, bound):
                            return wanted  # one drug besides the matched ones is enough
                        matching.append(med)
        else:
            for med in medlist.active:
                if med.ingredient in static and (check is None or check(med)):
                    if not _is_bound(med, bound):
                        return wanted
                    matching.append(med)
        medlist.memo[selector] = matching
        return not wanted

    return test


def _is_bound(med: Med, bound: Sequence[Med]) -> bool:
    uid = med.uid
    for other in bound:  # not any(): no generator on this hot path
        if other.uid == uid:
            break
    else:
        return False
    return True


def _negate(inner: Condition) -> Condition:
    return lambda medlist, bound: not inner(medlist, bound)


def _any(conditions: list[Condition]) -> Condition:
    if len(conditions) == 2:
        first, second = conditions
        return lambda medlist, bound: first(medlist, bound) or second(medlist, bound)

    return lambda medlist, bound: any(condition(medlist, bound) for condition in conditions)


def _every(conditions: list[Condition]) -> Condition:
    if len(conditions) == 2:
        first, second = conditions
        return lambda medlist, bound: first(medlist, bound) and second(medlist, bound)

    return lambda medlist, bound: all(condition(medlist, bound) for condition in conditions)


def _patient_flag(name: str, values: frozenset[str]) -> PatientTest:
    return lambda patient: tristate(getattr(patient, name)) in values


def _patient_sex(sexes: frozenset[str]) -> PatientTest:
    return lambda patient: patient.sex in sexes


def _patient_age(limit: float, *, above: bool) -> PatientTest:
    def check(patient: Patient) -> bool:
        if patient.age is None:
            return False
        return patient.age > limit if above else patient.age < limit

    return check


def _patient_conditions(codes: frozenset[str]) -> PatientTest:
    return lambda patient: not patient.conditions.isdisjoint(codes)


def _position(index: int, selector: Selector) -> Condition:
    # A rule's clauses may bind fewer drugs than its modifiers name: no drug, no match.
    static, check = selector.static, selector.check
    if check is None:
        return lambda ml, bound: index < len(bound) and bound[index].ingredient in static
    return lambda ml, bound: (
        index < len(bound) and bound[index].ingredient in static and check(bound[index])
    )


def _count(selector: Selector, names: Mapping[int, str], at_least: int) -> Condition:
    key = (selector, at_least)
    mask, static, check = selector.mask, selector.static, selector.check
    few = mask.bit_count() <= _FEW  # see _on_list

    def test(medlist: MedList, bound: Sequence[Med]) -> bool:
        # Counts the whole list, whatever the rule matched: once per evaluation.
        found: bool | None = medlist.memo.get(key)
        if found is None:
            hits = mask & medlist.present
            if hits.bit_count() < at_least:  # fewer of its ingredients on the list
                found = False
            elif few:
                count = 0
                by_ingredient = medlist.by_ingredient
                while hits and count < at_least:
                    low = hits & -hits
                    hits ^= low
                    for med in by_ingredient[names[low]]:
                        if med.active and (check is None or check(med)):
                            count += 1  # distinct ingredients
                            break
                found = count >= at_least
            else:
                seen: set[str] = set()
                for med in medlist.active:
                    if med.ingredient in static and (check is None or check(med)):
                        seen.add(med.ingredient)
                found = len(seen) >= at_least
            medlist.memo[key] = found
        return found

    return test
