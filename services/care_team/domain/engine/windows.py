"""knowledge/windows.yaml: the time-window rules, validated and compiled at load time.

Each window belongs to a list-level rule (by id or alias) and names, as static
selectors, which doses open and close it. Selectors on a window may use drug attributes
only: a dose in the diary has no prescriber, route or indication to test.
"""

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType

from services.care_team.domain.engine.model import Evidence
from services.care_team.domain.engine.rulebook import TIERS, Rule
from services.care_team.domain.engine.selectors import SelectorCompiler
from services.care_team.domain.engine.spec import Node

_FIELDS = (
    "rule", "first", "first_on_list", "then", "ingredients", "within_hours", "tier", "sources",
    "summary", "recommendation",
)  # fmt: skip
_REQUIRED = ("rule", "first", "then", "within_hours", "tier", "sources", "summary")
_PLACEHOLDERS = frozenset({"first", "then", "first_at", "then_at", "gap", "within"})


@dataclass(frozen=True, slots=True)
class Window:
    rule_id: str  # the list-level rule's own id (an alias resolved)
    first: frozenset[str]  # ingredients that open the window
    first_on_list: bool  # opened by the drug's course on the list, not by a dose
    then: frozenset[str]  # ingredients whose dose inside it is a violation
    ingredients: str  # any | different | same
    within: timedelta
    tier: int
    evidence: tuple[Evidence, ...]
    summary: str
    recommendation: str | None


@dataclass(frozen=True, slots=True)
class WindowBook:
    version: str
    exposure: timedelta  # how long a logged dose counts, and the span doses are counted over
    by_rule: Mapping[str, tuple[Window, ...]]

    @property
    def lookback(self) -> timedelta:
        """How far back doses matter: the exposure span plus the widest window before it."""
        widest = max(
            (w.within for windows in self.by_rule.values() for w in windows), default=timedelta(0)
        )
        return self.exposure + widest


def parse_windows(
    root: Node,
    selectors: SelectorCompiler,
    sources: Mapping[str, Evidence],
    rules: Mapping[str, Rule],
    aliases: Mapping[str, str],
) -> WindowBook:
    top = ("version", "date", "exposure_days", "windows")
    fields = root.mapping(allowed=top, required=top)
    by_rule: dict[str, list[Window]] = {}
    for node in fields["windows"].items():
        window = _window(node, selectors, sources, rules, aliases)
        by_rule.setdefault(window.rule_id, []).append(window)
    return WindowBook(
        version=fields["version"].text(),
        exposure=timedelta(days=fields["exposure_days"].integer(minimum=1)),
        by_rule=MappingProxyType({rule: tuple(ws) for rule, ws in by_rule.items()}),
    )


def _window(
    node: Node,
    selectors: SelectorCompiler,
    sources: Mapping[str, Evidence],
    rules: Mapping[str, Rule],
    aliases: Mapping[str, str],
) -> Window:
    spec = node.mapping(allowed=_FIELDS, required=_REQUIRED)
    named = spec["rule"].text()
    rule_id = aliases.get(named, named)
    if rule_id not in rules or rules[rule_id].tier <= 0:
        spec["rule"].fail(f"{named!r} is not a rule of rules.yaml that makes findings")
    source_ids = spec["sources"].texts()
    for source in source_ids:
        if source not in sources:
            spec["sources"].fail(f"unknown source {source!r} (not in sources.yaml)")
    tier_name = spec["tier"].choice(("T1", "T2", "T3", "T4"))
    hours = spec["within_hours"].number()
    if hours <= 0:
        spec["within_hours"].fail("must be above 0")
    summary = spec["summary"].text()
    _check_placeholders(summary, spec["summary"])
    recommendation = spec["recommendation"].text() if "recommendation" in spec else None
    return Window(
        rule_id=rule_id,
        first=_static(selectors, spec["first"]),
        first_on_list=spec["first_on_list"].boolean() if "first_on_list" in spec else False,
        then=_static(selectors, spec["then"]),
        ingredients=(
            spec["ingredients"].choice(("any", "different", "same"))
            if "ingredients" in spec
            else "any"
        ),
        within=timedelta(hours=hours),
        tier=TIERS[tier_name],
        evidence=tuple(sources[s] for s in source_ids),
        summary=summary,
        recommendation=recommendation,
    )


def _static(selectors: SelectorCompiler, node: Node) -> frozenset[str]:
    selector = selectors.selector(node)
    if selector.check is not None:
        node.fail("a window selector may test drug attributes only (a dose has no route etc.)")
    return selector.static


def _check_placeholders(template: str, node: Node) -> None:
    try:
        names = {n for _, n, _, _ in string.Formatter().parse(template) if n is not None}
    except ValueError as error:
        node.fail(f"bad summary template: {error}")
    unknown = names - _PLACEHOLDERS
    if unknown:
        node.fail(
            f"unknown placeholder(s) {', '.join(sorted(unknown))} "
            f"(expected: {', '.join(sorted(_PLACEHOLDERS))})"
        )
