from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter
from pydantic import BaseModel, field_validator

from services.diary.adapters import repository
from services.diary.api.access import authorize_read, authorize_write
from shared.auth import CurrentPrincipal
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}/diary-settings", tags=["settings"])


class DiarySettingsBody(BaseModel):
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone, e.g. Europe/Oslo") from None
        return value


@router.put("", summary="The patient's time zone: headache days are the patient's local days")
async def put_settings(
    patient_id: str, body: DiarySettingsBody, principal: CurrentPrincipal, pool: PoolDep
) -> DiarySettingsBody:
    async with pool.acquire() as conn:
        await authorize_write(conn, principal, patient_id, resource="settings")
        await repository.set_timezone(conn, patient_id, body.timezone)
    return body


@router.get("", summary="The patient's diary settings")
async def get_settings(
    patient_id: str, principal: CurrentPrincipal, pool: PoolDep
) -> DiarySettingsBody:
    async with pool.acquire() as conn:
        await authorize_read(conn, principal, patient_id, resource="settings")
        return DiarySettingsBody(timezone=await repository.timezone(conn, patient_id))
