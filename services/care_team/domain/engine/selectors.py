"""Selectors from rules.yaml, compiled once at load time.

A selector matches one medication. Its drug-attribute part (class, serotonergic,
CYP strengths, ...) depends only on the catalogue, so it is evaluated at load
time into the set of ingredients that can match (`Selector.static`); the
evaluator indexes rules by those sets. What depends on the prescription (route,
PRN, dose, indication, prescriber, stopped) stays a small predicate (`check`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from services.care_team.domain.engine.catalogue import (
    MAO_A_SUBSTRATE,
    QT,
    SEROTONERGIC,
    Catalogue,
    Drug,
)
from services.care_team.domain.engine.facts import IndicationCodes
from services.care_team.domain.engine.medlist import Med, MedList, Predicate
from services.care_team.domain.engine.spec import Node

DOSING = ("prn", "scheduled", "unknown")
_BOUNDS = ("above", "at_most", "if_unknown")
_ATTRIBUTE_FIELDS = (
    "ingredient", "class", "serotonergic", "mao_a_substrate", "substrate", "inhibits", "induces",
    "qt", "bleeding", "lowers_seizure_threshold", "lowers_heart_rate", "narrow_therapeutic_index",
    "role",
)  # fmt: skip
_PRESCRIPTION_FIELDS = (
    "route",
    "dosing",
    "daily_mg",
    "dose_mg",
    "indication",
    "prescriber_role",
    "status",
)
SELECTOR_FIELDS = frozenset((*_ATTRIBUTE_FIELDS, *_PRESCRIPTION_FIELDS, "any_of", "not", "ref"))
_FLAGS = ("bleeding", "lowers_seizure_threshold", "lowers_heart_rate", "narrow_therapeutic_index")


@dataclass(frozen=True, slots=True, eq=False)  # identity: a memo key per evaluation
class Selector:
    static: frozenset[str]  # ingredients whose drug attributes match
    mask: int  # the same set as a bit mask (`Drug.bit`)
    check: Predicate | None = None  # prescription-level test, when there is one

    def matches(self, med: Med) -> bool:
        return med.ingredient in self.static and (self.check is None or self.check(med))


def active_matching(selector: Selector, medlist: MedList) -> list[Med]:
    """The active medications on the list a selector matches, in list order."""
    static, check = selector.static, selector.check
    if not selector.mask & medlist.present:
        return []
    if check is None:
        return [m for m in medlist.active if m.ingredient in static]
    return [m for m in medlist.active if m.ingredient in static and check(m)]


class SelectorCompiler:
    """Compiles selector nodes against the catalogue and vocabularies (named ones once)."""

    def __init__(self, catalogue: Catalogue, indications: IndicationCodes, named: Node) -> None:
        self.catalogue = catalogue
        self.indications = indications
        self.everything = frozenset(catalogue.drugs)
        self._all = catalogue.mask(self.everything)
        self._named_nodes = dict(named.entries())
        self._named: dict[str, Selector] = {}
        self._compiling: set[str] = set()
        for name in self._named_nodes:
            self._ref(name, named)

    # -- selectors ------------------------------------------------------------------
    def selector(self, node: Node) -> Selector:
        fields = node.mapping(allowed=SELECTOR_FIELDS)
        if not fields:
            node.fail("an empty selector would match every drug")
        static = self.everything
        checks: list[Predicate] = []
        for name, field in fields.items():
            if name == "ref":
                part = self._ref(field.text(), field)
            elif name == "any_of":
                part = self._any_of([self.selector(item) for item in field.items()])
            elif name == "not":
                part = self._not(self.selector(field))
            elif name in _ATTRIBUTE_FIELDS:
                part = self._static(self._attribute(name, field))
            else:
                part = Selector(self.everything, self._all, self._prescription(name, field))
            static = static & part.static
            if part.check is not None:
                checks.append(part.check)
        if not static:
            node.fail("matches no drug in drugs.yaml")
        return self._static(static, _all(checks))

    def _static(self, static: frozenset[str], check: Predicate | None = None) -> Selector:
        return Selector(static, self.catalogue.mask(static), check)

    def _ref(self, name: str, node: Node) -> Selector:
        if name in self._named:
            return self._named[name]
        if name not in self._named_nodes:
            node.fail(f"unknown named selector {name!r}")
        if name in self._compiling:
            node.fail(f"named selector {name!r} refers to itself")
        self._compiling.add(name)
        selector = self._named[name] = self.selector(self._named_nodes[name])
        return selector

    def _any_of(self, parts: list[Selector]) -> Selector:
        static = frozenset().union(*(p.static for p in parts))
        if all(p.check is None for p in parts):
            return self._static(static)
        alternatives = tuple((p.static, p.check) for p in parts)

        def check(med: Med) -> bool:
            for static, check in alternatives:
                if med.ingredient in static and (check is None or check(med)):
                    return True
            return False

        return self._static(static, check)

    def _not(self, inner: Selector) -> Selector:
        if inner.check is None:
            return self._static(self.everything - inner.static)
        static, check = inner.static, inner.check
        return Selector(
            self.everything, self._all, lambda med: not (med.ingredient in static and check(med))
        )

    def _attribute(self, name: str, node: Node) -> frozenset[str]:
        vocab, drugs = self.catalogue.vocabulary, self.catalogue.drugs.values()
        test: Callable[[Drug], bool]
        if name == "ingredient":
            wanted = node.texts()
            for ingredient in wanted:
                if ingredient not in self.catalogue.drugs:
                    node.fail(f"unknown ingredient {ingredient!r}")
            return frozenset(wanted)
        if name == "class":
            classes = node.choices(vocab.classes)
            test = lambda d: not d.classes.isdisjoint(classes)  # noqa: E731
        elif name == "role":
            roles = node.choices(vocab.roles)
            test = lambda d: not d.roles.isdisjoint(roles)  # noqa: E731
        elif name == "substrate":
            enzymes = node.choices(vocab.enzymes)
            test = lambda d: not d.substrates.isdisjoint(enzymes)  # noqa: E731
        elif name in ("inhibits", "induces"):
            wanted_strengths = {
                _enzyme(enzyme, vocab.enzymes, node): value.choices(vocab.strengths)
                for enzyme, value in node.mapping().items()
            }
            test = lambda d: _perpetrates(getattr(d, name), wanted_strengths)  # noqa: E731
        elif name in _FLAGS:
            flag = node.boolean()
            test = lambda d: getattr(d, name) is flag  # noqa: E731
        else:
            options = {"serotonergic": SEROTONERGIC, "mao_a_substrate": MAO_A_SUBSTRATE, "qt": QT}
            values = node.choices(options[name])
            test = lambda d: getattr(d, name) in values  # noqa: E731
        return frozenset(d.name for d in drugs if test(d))

    def _prescription(self, name: str, node: Node) -> Predicate:
        if name == "route":
            routes = node.choices(self.catalogue.vocabulary.routes)
            return lambda med: med.facts.route in routes
        if name == "dosing":
            kinds = node.choices(DOSING)
            return lambda med: med.facts.dosing in kinds
        if name in ("daily_mg", "dose_mg"):
            return _bounds(name, node)
        if name == "indication":
            # `Facts.indications` are read with this same table (the engine's vocabulary).
            codes = node.choices(self.indications.codes)
            return lambda med: not med.facts.indications.isdisjoint(codes)
        if name == "prescriber_role":
            roles = frozenset(node.texts())
            return lambda med: med.entry.prescriber_role in roles
        statuses = node.choices(("active", "stopped"))
        return lambda med: ("active" if med.active else "stopped") in statuses


def _all(checks: list[Predicate]) -> Predicate | None:
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda med: first(med) and second(med)

    return lambda med: all(check(med) for check in checks)


def _enzyme(name: str, enzymes: frozenset[str], node: Node) -> str:
    if name not in enzymes:
        node.fail(f"unknown enzyme {name!r} (see drugs.yaml `enzymes`)")
    return name


def _perpetrates(drug_strengths: Mapping[str, str], wanted: Mapping[str, frozenset[str]]) -> bool:
    return any(drug_strengths.get(enzyme) in strengths for enzyme, strengths in wanted.items())


def _bounds(name: str, node: Node) -> Predicate:
    fields = node.mapping(allowed=_BOUNDS)
    if "above" not in fields and "at_most" not in fields:
        node.fail("needs `above` and/or `at_most`")
    above = fields["above"].number() if "above" in fields else None
    at_most = fields["at_most"].number() if "at_most" in fields else None
    if_unknown = fields["if_unknown"].boolean() if "if_unknown" in fields else False
    daily = name == "daily_mg"

    def check(med: Med) -> bool:
        mg = med.facts.daily_mg if daily else med.facts.dose_mg
        if mg is None:
            return if_unknown
        return (above is None or mg > above) and (at_most is None or mg <= at_most)

    return check
