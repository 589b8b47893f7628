"""The drug catalogue (knowledge/drugs.yaml): what each ingredient is, and name resolution.

Names resolve case-insensitively from generic names, synonyms, brands and RxCUIs
(an RxCUI wins over the name). A combination product resolves to its components.
A name the catalogue does not know is not an error: it resolves to nothing and
so matches no rule.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from services.care_team.domain.engine.spec import Node

SEROTONERGIC = ("Y", "W", "N")
MAO_A_SUBSTRATE = ("full", "partial", "none")
QT = ("none", "label", "known_risk")
_CACHE_SIZE = 4096
_SEPARATORS = re.compile(r"\s*(?:/|\+|&|\band\b|\bwith\b)\s*")

_DRUG_FIELDS = frozenset(
    {
        "synonyms", "brands", "rxcui", "classes", "serotonergic", "mao_a_substrate",
        "substrates", "inhibits", "induces", "qt", "qt_verified", "bleeding",
        "lowers_seizure_threshold", "lowers_heart_rate", "narrow_therapeutic_index",
        "pregnancy", "roles", "washout_days", "inhibition_persists_days", "default_route",
        "note",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)  # identity: one object per ingredient
class Drug:
    """One ingredient and the attributes the rules select on (drugs.yaml)."""

    name: str
    classes: frozenset[str]
    serotonergic: str  # Y / W / N
    mao_a_substrate: str  # full / partial / none
    substrates: frozenset[str]
    inhibits: Mapping[str, str]  # enzyme -> strength
    induces: Mapping[str, str]
    qt: str  # none / label / known_risk
    qt_verified: bool
    bleeding: bool
    lowers_seizure_threshold: bool
    lowers_heart_rate: bool
    narrow_therapeutic_index: bool
    pregnancy: frozenset[str]
    roles: frozenset[str]
    washout_days: int | None
    inhibition_persists_days: int | None
    default_route: str | None
    rxcui: str | None
    rxcui_verified: bool
    note: str | None
    bit: int  # 1 << its position in drugs.yaml: sets of ingredients as int bit masks


@dataclass(frozen=True, slots=True, eq=False)
class Product:
    """What a name resolves to: one ingredient, or the components of a combination."""

    name: str
    components: tuple[Drug, ...]
    route: str | None = None  # implied by a brand (Emsam: transdermal)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    classes: frozenset[str]
    roles: frozenset[str]
    pregnancy_flags: frozenset[str]
    enzymes: frozenset[str]
    strengths: frozenset[str]
    routes: frozenset[str]


class Catalogue:
    def __init__(self, root: Node) -> None:
        required = (
            "version", "date", "classes", "roles", "pregnancy_flags", "enzymes", "strengths",
            "routes", "name_noise", "drugs",
        )  # fmt: skip
        fields = root.mapping(required=required, allowed=(*required, "combinations"))
        self.version = fields["version"].text()
        self.vocabulary = Vocabulary(
            classes=frozenset(fields["classes"].mapping()),
            roles=frozenset(fields["roles"].mapping()),
            pregnancy_flags=frozenset(fields["pregnancy_flags"].mapping()),
            enzymes=frozenset(fields["enzymes"].texts()),
            strengths=frozenset(fields["strengths"].texts()),
            routes=frozenset(fields["routes"].mapping()),
        )
        self._route_words: dict[str, str] = {}
        for route, words in fields["routes"].entries():
            for word in (route, *words.texts()):
                self._route_words[word.lower()] = route
        self._route_pattern = re.compile(
            r"\b("
            + "|".join(re.escape(w) for w in sorted(self._route_words, key=len, reverse=True))
            + r")\b"
        )
        self._noise = frozenset(word.lower() for word in fields["name_noise"].texts())
        self.drugs: dict[str, Drug] = {}
        self._names: dict[str, Product] = {}
        self._rxcuis: dict[str, Product] = {}
        bits: dict[str, int] = {}  # one bit per ingredient name
        for name, node in fields["drugs"].entries():
            bit = bits.setdefault(name.lower(), 1 << len(bits))
            drug = self._drug(name.lower(), node, bit)
            self.drugs[drug.name] = drug
            product = Product(drug.name, (drug,))
            self._register(node, product)
            if drug.rxcui:
                # Public lists mislabel codes (KB §5.2): one code, one ingredient.
                if drug.rxcui in self._rxcuis:
                    node.fail(f"rxcui {drug.rxcui} is also {self._rxcuis[drug.rxcui].name!r}")
                self._rxcuis[drug.rxcui] = product
        self._combinations: dict[frozenset[str], Product] = {}
        self._resolved: dict[tuple[str, str | None], Product | None] = {}
        self._routes: dict[str, str | None] = {}
        if "combinations" in fields:
            for name, node in fields["combinations"].entries():
                spec = node.mapping(
                    allowed=("synonyms", "brands", "components", "note"), required=("components",)
                )
                parts = spec["components"]
                components = tuple(self._known(c, parts) for c in parts.texts())
                product = Product(name.lower(), components)
                self._combinations[frozenset(c.name for c in components)] = product
                self._register(node, product)

    # -- parsing ------------------------------------------------------------------
    def _drug(self, name: str, node: Node, bit: int) -> Drug:
        f = node.mapping(allowed=_DRUG_FIELDS, required=("classes",))
        vocab = self.vocabulary
        rxcui, verified = None, False
        if "rxcui" in f:
            code = f["rxcui"].mapping(
                allowed=("code", "verified", "corroboration"), required=("code", "verified")
            )
            rxcui, verified = code["code"].text(), code["verified"].boolean()
        return Drug(
            name=name,
            classes=f["classes"].choices(vocab.classes),
            serotonergic=f["serotonergic"].choice(SEROTONERGIC) if "serotonergic" in f else "N",
            mao_a_substrate=(
                f["mao_a_substrate"].choice(MAO_A_SUBSTRATE) if "mao_a_substrate" in f else "none"
            ),
            substrates=f["substrates"].choices(vocab.enzymes) if "substrates" in f else frozenset(),
            inhibits=self._strengths(f.get("inhibits")),
            induces=self._strengths(f.get("induces")),
            qt=f["qt"].choice(QT) if "qt" in f else "none",
            qt_verified=_flag(f, "qt_verified"),
            bleeding=_flag(f, "bleeding"),
            lowers_seizure_threshold=_flag(f, "lowers_seizure_threshold"),
            lowers_heart_rate=_flag(f, "lowers_heart_rate"),
            narrow_therapeutic_index=_flag(f, "narrow_therapeutic_index"),
            pregnancy=f["pregnancy"].choices(vocab.pregnancy_flags)
            if "pregnancy" in f
            else frozenset(),
            roles=f["roles"].choices(vocab.roles) if "roles" in f else frozenset(),
            washout_days=f["washout_days"].integer() if "washout_days" in f else None,
            inhibition_persists_days=(
                f["inhibition_persists_days"].integer() if "inhibition_persists_days" in f else None
            ),
            default_route=f["default_route"].choice(vocab.routes) if "default_route" in f else None,
            rxcui=rxcui,
            rxcui_verified=verified,
            note=f["note"].text() if "note" in f else None,
            bit=bit,
        )

    def mask(self, ingredients: Iterable[str]) -> int:
        """The bit mask of a set of ingredient names."""
        mask = 0
        for name in ingredients:
            mask |= self.drugs[name].bit
        return mask

    def _strengths(self, node: Node | None) -> Mapping[str, str]:
        if node is None:
            return MappingProxyType({})
        strengths: dict[str, str] = {}
        for enzyme, value in node.mapping().items():
            if enzyme not in self.vocabulary.enzymes:
                node.fail(f"unknown enzyme {enzyme!r} (see `enzymes`)")
            strengths[enzyme] = value.choice(self.vocabulary.strengths)
        return MappingProxyType(strengths)

    def _register(self, node: Node, product: Product) -> None:
        fields = node.mapping()
        self._add_name(product.name, product, node)
        for synonym in fields["synonyms"].texts() if "synonyms" in fields else ():
            self._add_name(synonym, product, fields["synonyms"])
        for brand in fields["brands"].items() if "brands" in fields else ():
            if isinstance(brand.value, dict):
                spec = brand.mapping(allowed=("name", "route"), required=("name",))
                route = spec["route"].choice(self.vocabulary.routes) if "route" in spec else None
                implied = Product(product.name, product.components, route)
                self._add_name(spec["name"].text(), implied, brand)
            else:
                self._add_name(brand.text(), product, brand)

    def _add_name(self, name: str, product: Product, node: Node) -> None:
        key = normalise_name(name)
        if key in self._names and self._names[key].name != product.name:
            node.fail(f"name {name!r} already resolves to {self._names[key].name!r}")
        self._names[key] = product

    def _known(self, name: str, node: Node) -> Drug:
        drug = self.drugs.get(name.lower())
        if drug is None:
            node.fail(f"unknown ingredient {name!r}")
        return drug

    # -- resolution -----------------------------------------------------------------
    def product(self, name: str, rxcui: str | None) -> Product | None:
        """What a prescribed name (and optional RxCUI) is; None when not recognised."""
        key = (name, rxcui)
        try:
            return self._resolved[key]
        except KeyError:
            pass
        if len(self._resolved) >= _CACHE_SIZE:  # unknown free-text names must not grow it forever
            self._resolved.clear()
        found = self._resolved[key] = self._resolve(name, rxcui.strip() if rxcui else None)
        return found

    def _resolve(self, name: str, rxcui: str | None) -> Product | None:
        if rxcui and rxcui in self._rxcuis:
            return self._rxcuis[rxcui]
        key = normalise_name(name)
        found = self._lookup(key)
        if found is not None:
            return found
        parts = [part for part in _SEPARATORS.split(key) if part]
        if len(parts) < 2:
            return None
        components: list[Drug] = []
        for part in parts:
            single = self._lookup(part)
            if single is None:
                return None
            components.extend(c for c in single.components if c not in components)
        known = self._combinations.get(frozenset(c.name for c in components))
        return known or Product("/".join(c.name for c in components), tuple(components))

    def _lookup(self, key: str) -> Product | None:
        found = self._names.get(key)
        if found is None:
            # "Sertraline HCl 50 mg tablet": drop salts, forms, strengths.
            words = [w for w in key.split() if w not in self._noise and not _has_digit(w)]
            found = self._names.get(" ".join(words)) if words else None
        return found

    def route(self, text: str | None) -> str | None:
        """The route code of a free-text route ("eye drops" -> ophthalmic), or None."""
        if not text:
            return None
        try:
            return self._routes[text]
        except KeyError:
            pass
        if len(self._routes) >= _CACHE_SIZE:
            self._routes.clear()
        found = self._routes[text] = self._route(text)
        return found

    def _route(self, text: str) -> str | None:
        clean = " ".join(text.lower().split())
        if clean in self._route_words:
            return self._route_words[clean]
        match = self._route_pattern.search(clean)
        return self._route_words[match.group(1)] if match else None


def normalise_name(name: str) -> str:
    # A typographic apostrophe (St John\u2019s wort) reads as a plain one.
    return " ".join(name.lower().replace("\u2019", "'").split())


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _flag(fields: dict[str, Node], name: str) -> bool:
    return fields[name].boolean() if name in fields else False
