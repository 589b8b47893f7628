"""Benchmark sections and their registry.

A section is one idea measured (the raw Kafka limit, the FastStream loop, the conflict
engine, ...): an async function taking the run's context and returning a SectionResult.
Sections register themselves at import (bench/sections/__init__.py imports them) and run
in the order of the issue's parts; `make bench ONLY=limits` selects by name or group.
A later section adds a module with one `register(Section(...))` and its import in
bench/sections/__init__.py.
"""

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bench.core.model import Figure, SectionResult
from bench.core.progress import Progress

Need = Literal["kafka", "postgres"]


@dataclass(frozen=True)
class BenchContext:
    """What a section gets: where Kafka and PostgreSQL are (empty when not needed), a
    scale for its workload (1.0 = the full run; `--quick` passes less), the results
    folder, the progress line to tell what it is doing, and the figures of the sections
    run before it (by key), for plots that compare across sections."""

    kafka_bootstrap_servers: str
    database_url: str
    scale: float
    out_dir: Path
    progress: Progress
    measured: dict[str, Figure] = field(default_factory=dict)

    def scaled(self, full: int, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))

    def step(self, what: str) -> None:
        self.progress.step(what)


@dataclass(frozen=True)
class Section:
    name: str  # "kafka-limit": what ONLY= and the JSON use
    group: str  # "limits", "faststream", "micro", ...: ONLY= selects a whole group
    part: int  # the numbered part (1 limits ... 6 scale-out): orders the table
    title: str
    run: Callable[[BenchContext], Coroutine[Any, Any, SectionResult]]
    needs: frozenset[Need] = field(default_factory=frozenset)
    # Sections whose figures this one's ratios refer to: selected along with it.
    after: tuple[str, ...] = ()
    budget_s: float = 60.0  # what the section is expected to take at scale 1.0


REGISTRY: dict[str, Section] = {}


def register(section: Section) -> Section:
    if section.name in REGISTRY:
        raise ValueError(f"bench section {section.name!r} registered twice")
    REGISTRY[section.name] = section
    return section


def ordered(sections: Iterable[Section]) -> list[Section]:
    """By the issue's part, then in registration order (sorted() is stable)."""
    return sorted(sections, key=lambda s: s.part)


def select(only: Iterable[str], registry: dict[str, Section] | None = None) -> list[Section]:
    """The sections named (by name or group) plus those they come `after`, in registry
    order; every section when `only` is empty."""
    sections = REGISTRY if registry is None else registry
    wanted = {w.strip() for w in only if w.strip()}
    if not wanted:
        return ordered(sections.values())
    unknown = {
        w for w in wanted if w not in sections and all(s.group != w for s in sections.values())
    }
    if unknown:
        known = sorted({*sections, *(s.group for s in sections.values())})
        raise ValueError(f"unknown bench section(s) {sorted(unknown)}; known: {known}")
    chosen = {s.name for s in sections.values() if s.name in wanted or s.group in wanted}
    pending = list(chosen)
    while pending:
        for dependency in sections[pending.pop()].after:
            if dependency not in chosen:
                chosen.add(dependency)
                pending.append(dependency)
    return ordered(s for s in sections.values() if s.name in chosen)
