"""Every migraine preventive the patient started, judged: baseline vs weeks 9-12, and whether
another specialty's medication change makes the difference not attributable to it."""

from fastapi import APIRouter

from services.diary.api.access import authorize_team_read
from services.diary.api.deps import NowDep
from services.diary.api.schemas import PreventiveEffectOut, PreventiveEffectsOut
from services.diary.reports import all_preventive_effects
from shared.auth import CurrentPrincipal
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}/preventive-effects", tags=["summary"])


@router.get(
    "",
    summary="Effect of each migraine preventive started (IHS: baseline vs weeks 9-12)",
    description="Status `pending` (week 12 not over; the baseline is shown), "
    "`insufficient_data` (too few documented days), `attributable`, or `not_attributable` "
    "(a prescriber of another role changed medication in the window; listed as `reasons`).",
    responses={
        403: {"description": "The patient themself: this view is for the care team"},
        404: {"description": "No such patient, or not on the patient's care team"},
    },
)
async def get_preventive_effects(
    patient_id: str, principal: CurrentPrincipal, pool: PoolDep, now: NowDep
) -> PreventiveEffectsOut:
    async with pool.acquire() as conn:
        await authorize_team_read(conn, principal, patient_id, resource="preventive_effects")
        today, effects = await all_preventive_effects(conn, patient_id, now=now)
    return PreventiveEffectsOut(
        patient_id=patient_id,
        as_of=today,
        effects=[PreventiveEffectOut.of(e) for e in effects],
    )
