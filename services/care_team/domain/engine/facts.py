"""What the engine reads from one prescription's text, parsed once and kept.

A prescription's free text (name, RxCUI, dose, frequency, route, indication) decides
which ingredients it is and what the selectors and summaries read from each: route,
dosing, mg, indication codes, display name. The same texts recur across evaluations
(the service re-evaluates the same patients), so `FactsCache` keeps the parsed facts
keyed by those texts: a bounded cache of per-entry facts, never of evaluation results.
"""

import re
from collections.abc import Mapping
from datetime import timedelta

from services.care_team.domain.engine.catalogue import Catalogue, Drug, normalise_name
from services.care_team.domain.engine.doses import Dosing, daily_dose_mg, dose_mg, dosing
from services.care_team.domain.engine.model import MedicationEntry
from services.care_team.domain.engine.spec import Node

_CACHE_SIZE = 4096
# (name, rxcui, dose, frequency, route, indication): everything the facts depend on.
FactsKey = tuple[str, str | None, str | None, str | None, str | None, str | None]


class IndicationCodes:
    """Indication text -> codes (rules.yaml `indications`), by contained words."""

    def __init__(self, node: Node) -> None:
        self._codes: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
        for code, alternatives in node.entries():
            words: list[tuple[str, ...]] = []
            for alternative in alternatives.items():
                words.append(alternative.texts())
            self._codes.append((code, tuple(words)))
        self.codes = frozenset(code for code, _ in self._codes)
        self._cache: dict[str, frozenset[str]] = {}

    def of(self, text: str | None) -> frozenset[str]:
        if not text:
            return frozenset()
        found = self._cache.get(text)
        if found is None:
            clean = " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())
            found = frozenset(
                code
                for code, alternatives in self._codes
                if any(all(word in clean for word in words) for words in alternatives)
            )
            if len(self._cache) < _CACHE_SIZE:
                self._cache[text] = found
        return found


class Facts:
    """One ingredient of a prescription, as the selectors and summaries read it (immutable)."""

    __slots__ = (
        "bit", "daily_mg", "display", "dose_mg", "dosing", "drug", "in_combination",
        "indications", "ingredient", "prescribed", "relevance", "route", "texts",
    )  # fmt: skip

    def __init__(
        self,
        drug: Drug,
        key: FactsKey,
        route: str | None,
        in_combination: bool,
        indications: frozenset[str],
        relevance: timedelta | None,
    ) -> None:
        name, _, dose, frequency, _, _ = key
        self.drug = drug
        self.ingredient = drug.name
        self.bit = drug.bit
        self.route = route
        self.in_combination = in_combination
        self.dosing: Dosing = dosing(dose, frequency)
        self.daily_mg = daily_dose_mg(dose, frequency)
        self.dose_mg = dose_mg(dose)
        self.indications = indications
        # How long after a stop this ingredient can still count for some rule (None: never).
        self.relevance = relevance
        # The ingredient, plus the name as prescribed when that reads differently.
        given = normalise_name(name)
        if not given or drug.name in given:
            self.display = drug.name
        elif in_combination:
            self.display = f"{drug.name} (in {name})"
        else:
            self.display = f"{drug.name} ({name})"
        if dose and frequency:
            self.prescribed = f"{dose} {frequency}"
        else:
            self.prescribed = dose or frequency or "dose not recorded"
        # What summaries show: as is, and capitalised as the first word (see summaries).
        self.texts = (
            self.display,
            _capitalised(self.display),
            self.prescribed,
            _capitalised(self.prescribed),
        )


class FactsCache:
    """Prescription texts -> the `Facts` of each ingredient (empty: not in the catalogue)."""

    def __init__(
        self,
        catalogue: Catalogue,
        indications: IndicationCodes,
        relevance: Mapping[str, timedelta],
    ) -> None:
        self._catalogue = catalogue
        self._indications = indications
        self._relevance = relevance
        # Read without a lock: a miss (or a clear from another thread) only parses again.
        self.parsed: dict[FactsKey, tuple[Facts, ...]] = {}

    def of(self, entry: MedicationEntry) -> tuple[Facts, ...]:
        key = (entry.name, entry.rxcui, entry.dose, entry.frequency, entry.route, entry.indication)
        found = self.parsed.get(key)
        return self.parse(key) if found is None else found

    def parse(self, key: FactsKey) -> tuple[Facts, ...]:
        name, rxcui, _, _, route_text, indication = key
        catalogue = self._catalogue
        product = catalogue.product(name, rxcui)
        found: tuple[Facts, ...] = ()
        if product is not None:
            route = catalogue.route(route_text) or product.route
            combined = len(product.components) > 1
            codes = self._indications.of(indication)
            found = tuple(
                Facts(
                    drug,
                    key,
                    route or drug.default_route,
                    combined,
                    codes,
                    self._relevance.get(drug.name),
                )
                for drug in product.components
            )
        if len(self.parsed) >= _CACHE_SIZE:  # free-text variants must not grow it forever
            self.parsed.clear()
        self.parsed[key] = found
        return found


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
