"""The prescriber's question before prescribing: what would conflict if I add X at dose D?
Evaluated on a copy of the list; nothing is stored or published (CDS-Hooks-like)."""

from typing import Literal

from fastapi import APIRouter

from services.care_team.adapters import team_repository
from services.care_team.api.access import authorize_patient
from services.care_team.api.deps import ContextDep
from services.care_team.api.schemas import Card, FindingOut, MedicationCheckIn, MedicationCheckOut
from services.care_team.domain.engine.model import Finding, MedicationEntry, Severity
from services.care_team.evaluation import current_entries
from shared.auth import CurrentPrincipal, PrincipalKind
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}", tags=["medication checks"])

PROPOSED = "proposed"
_INDICATOR: dict[Severity, Literal["info", "warning", "critical"]] = {
    Severity.CONTRAINDICATED: "critical",
    Severity.MAJOR: "warning",
    Severity.MODERATE: "info",
    Severity.MINOR: "info",
}


def card(finding: Finding) -> Card:
    source = finding.evidence[0] if finding.evidence else None
    return Card(
        summary=finding.summary[:140],  # CDS Hooks asks for <140 characters
        detail=finding.recommendation,
        indicator=_INDICATOR[finding.severity],
        source={
            "label": source.source if source else f"carecoord rule {finding.rule_id}",
            **({"url": source.url} if source and source.url else {}),
        },
    )


@router.post(
    "/medication-checks",
    summary="What would conflict if this medication were added (no side effects)",
)
async def check_medication(
    patient_id: str,
    body: MedicationCheckIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
) -> MedicationCheckOut:
    async with pool.acquire() as conn:
        await authorize_patient(
            conn, principal, patient_id, action="read", resource="medication_check"
        )
        entries = await current_entries(conn, ctx, patient_id)
        profile = await team_repository.profile(conn, patient_id)
    proposed = MedicationEntry(
        prescription_id=PROPOSED,
        name=" ".join(body.medication.name.split()).lower(),
        rxcui=body.medication.rxcui,
        dose=body.dose,
        frequency=body.frequency,
        route=body.route,
        indication=body.indication,
        prescriber_id=principal.subject if principal.kind is PrincipalKind.CLINICIAN else "",
        prescriber_role="",
        active=True,
    )
    now = ctx.clock()
    before = {f.key for f in ctx.engine.evaluate(entries, profile, now)}
    after = ctx.engine.evaluate([*entries, proposed], profile, now)
    new = [f for f in after if PROPOSED in f.prescription_ids or f.key not in before]
    new.sort(key=lambda f: -f.severity.rank)
    drug = ctx.engine.resolve(proposed.name, proposed.rxcui)
    return MedicationCheckOut(
        medication=drug.ingredient,
        recognised=drug.recognised,
        findings=[FindingOut.of(f) for f in new],
        cards=[card(f) for f in new],
    )
