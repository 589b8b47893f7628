"""The machine-readable results: one JSON file per run, figures joined by their `key`."""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.core.model import SectionResult
from bench.core.table import Row

SCHEMA_VERSION = 1


@dataclass
class SectionOutcome:
    name: str
    group: str
    title: str
    duration_s: float
    budget_s: float
    result: SectionResult
    error: str | None = None  # the exception, when the section failed
    plot_files: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    started_at: datetime
    machine: dict[str, str | int]
    versions: dict[str, str]
    infrastructure: str  # how Kafka/PostgreSQL were found: "environment", "devstack", "none"
    scale: float
    sections: list[SectionOutcome] = field(default_factory=list)
    duration_s: float = 0.0

    def to_json(self, rows: list[Row]) -> dict[str, Any]:
        by_section: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            figure = asdict(row.figure)
            figure.update(ratio=row.ratio, met=row.met)
            by_section.setdefault(row.section, []).append(figure)
        return {
            "schema_version": SCHEMA_VERSION,
            "started_at": self.started_at.isoformat(),
            "duration_s": round(self.duration_s, 1),
            "machine": self.machine,
            "versions": self.versions,
            "infrastructure": self.infrastructure,
            "scale": self.scale,
            "sections": [
                {
                    "name": s.name,
                    "group": s.group,
                    "title": s.title,
                    "status": "failed" if s.error else "ok",
                    "error": s.error,
                    "duration_s": round(s.duration_s, 1),
                    "budget_s": s.budget_s,
                    "figures": by_section.get(s.name, []),
                    "notes": s.result.notes,
                    "plots": s.plot_files,
                    "series": [asdict(p) for p in s.result.plots],
                }
                for s in self.sections
            ],
        }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
