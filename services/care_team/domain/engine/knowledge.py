"""Loading the versioned knowledge files (the engine's only I/O, done once at load).

`knowledge/` holds sources.yaml, drugs.yaml, rules.yaml and windows.yaml, each with a version
and date at the top. Loading validates everything and raises `KnowledgeError`
naming the file, rule and field at fault.
"""

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from services.care_team.domain.engine.catalogue import Catalogue
from services.care_team.domain.engine.conditions import ConditionCompiler
from services.care_team.domain.engine.model import ConflictKind, Evidence
from services.care_team.domain.engine.rulebook import Rule, Vocab, parse_rules, parse_vocab
from services.care_team.domain.engine.selectors import SelectorCompiler
from services.care_team.domain.engine.spec import KnowledgeError, Node
from services.care_team.domain.engine.windows import WindowBook, parse_windows

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "knowledge"
FILES = ("sources.yaml", "drugs.yaml", "rules.yaml", "windows.yaml")
_RULES_FIELDS = (
    "version", "date", "conditions", "indications", "patient", "aliases", "selectors", "rules",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Knowledge:
    version: str
    sources: MappingProxyType[str, Evidence]
    catalogue: Catalogue
    vocab: Vocab
    rules: dict[str, Rule]
    aliases: MappingProxyType[str, str]
    windows: WindowBook


def load_knowledge(directory: Path | None = None) -> Knowledge:
    directory = directory or DEFAULT_DIRECTORY
    roots = {name: Node(_read(directory / name), name) for name in FILES}
    sources, sources_version = _sources(roots["sources.yaml"])
    catalogue = Catalogue(roots["drugs.yaml"])
    fields = roots["rules.yaml"].mapping(allowed=_RULES_FIELDS, required=_RULES_FIELDS)
    vocab = parse_vocab(fields)
    selectors = SelectorCompiler(catalogue, vocab.indications, fields["selectors"])
    compiler = ConditionCompiler(selectors, vocab.conditions)
    kinds = frozenset(kind.value for kind in ConflictKind)
    rules = parse_rules(fields["rules"], compiler, sources, kinds)
    aliases = {alias: node.text() for alias, node in fields["aliases"].entries()}
    for alias, target in aliases.items():
        if target not in rules:
            fields["aliases"].fail(f"{alias} points to unknown rule {target!r}")
    windows = parse_windows(roots["windows.yaml"], selectors, sources, rules, aliases)
    version = "+".join(
        (
            f"rules-{fields['version'].text()}",
            f"drugs-{catalogue.version}",
            f"sources-{sources_version}",
            f"windows-{windows.version}",
        )
    )
    return Knowledge(
        version=version,
        sources=MappingProxyType(sources),
        catalogue=catalogue,
        vocab=vocab,
        rules=rules,
        aliases=MappingProxyType(aliases),
        windows=windows,
    )


def _read(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KnowledgeError(f"{path.name}: cannot read {path}: {error}") from error
    try:
        # The C loader when present: loading the knowledge is then ~10x faster.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path.name}: not valid YAML: {error}") from error


def _sources(root: Node) -> tuple[dict[str, Evidence], str]:
    fields = root.mapping(
        allowed=("version", "date", "sources"), required=("version", "date", "sources")
    )
    sources: dict[str, Evidence] = {}
    for source_id, node in fields["sources"].entries():
        spec = node.mapping(allowed=("citation", "url", "link"), required=("citation", "url"))
        sources[source_id] = Evidence(
            source=" ".join(spec["citation"].text().split()), url=spec["url"].optional_text()
        )
    return sources, fields["version"].text()
