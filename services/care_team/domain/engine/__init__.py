"""The clinical conflict engine: medication list + patient profile -> findings.

    engine = ConflictEngine.load()          # validates knowledge/*.yaml once
    findings = engine.evaluate(medications, profile, now)

Pure domain code: the only I/O is reading the knowledge files at load time.
"""

from services.care_team.domain.engine.doses import daily_dose_mg
from services.care_team.domain.engine.evaluator import ConflictEngine
from services.care_team.domain.engine.model import (
    ConflictKind,
    Evidence,
    Finding,
    MedicationEntry,
    PatientProfile,
    ResolvedDrug,
    Severity,
)
from services.care_team.domain.engine.rulebook import RuleInfo
from services.care_team.domain.engine.spec import KnowledgeError

__all__ = [
    "ConflictEngine",
    "ConflictKind",
    "Evidence",
    "Finding",
    "KnowledgeError",
    "MedicationEntry",
    "PatientProfile",
    "ResolvedDrug",
    "RuleInfo",
    "Severity",
    "daily_dose_mg",
]
