"""How a clinician wants to hear: push channels, the daily digest, quiet hours.

A clinician reads and sets their own (`/clinicians/me/...`); an integration (a service
principal) may set them for a named clinician. Nobody else sees them."""

from datetime import datetime, time
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, field_validator, model_validator

from services.care_team.adapters import preference_repository as repository
from services.care_team.api.deps import ContextDep
from services.care_team.domain.delivery import Preferences, QuietHours
from shared.auth import CurrentPrincipal, Principal, PrincipalKind
from shared.http import PoolDep

router = APIRouter(tags=["notification preferences"])
Channel = Literal["stream", "webhook", "kafka"]


class QuietHoursIn(BaseModel):
    start: time = Field(description="Local time quiet hours begin (e.g. 22:00)")
    end: time = Field(description="Local time they end; earlier than start: crosses midnight")

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("local times, without an offset (the zone is time_zone)")
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


class PreferencesIn(BaseModel):
    channels: list[Channel] = Field(
        default=["stream", "webhook", "kafka"],
        description="Channels that push notifications; the inbox always gets every one",
    )
    time_zone: str = Field(default="UTC", description="IANA zone of the digest hour and quiet "
                           "hours, e.g. Europe/Oslo")  # fmt: skip
    digest_hour: int = Field(default=8, ge=0, le=23, description="Local hour of the daily digest")
    quiet_hours: QuietHoursIn | None = Field(
        default=None, description="Non-urgent pushes wait until they end; urgent ones never do"
    )
    normal_in_digest: bool = Field(
        default=False, description="Normal-priority items only in the digest, never pushed"
    )

    @field_validator("time_zone")
    @classmethod
    def _iana(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"not an IANA time zone: {value!r}") from exc
        return value

    @field_validator("channels")
    @classmethod
    def _distinct(cls, value: list[Channel]) -> list[Channel]:
        if len(set(value)) != len(value):
            raise ValueError("each channel at most once")
        return value

    def to_domain(self) -> Preferences:
        quiet = self.quiet_hours
        return Preferences(
            channels=frozenset(self.channels),
            time_zone=self.time_zone,
            digest_hour=self.digest_hour,
            quiet_hours=QuietHours(quiet.start, quiet.end) if quiet else None,
            normal_in_digest=self.normal_in_digest,
        )


class PreferencesOut(PreferencesIn):
    clinician_id: str
    updated_at: datetime | None = Field(description="None: never set (these are the defaults)")


def _out(clinician_id: str, row: asyncpg.Record | None) -> PreferencesOut:
    prefs = repository.to_preferences(row) if row is not None else Preferences()
    quiet = prefs.quiet_hours
    return PreferencesOut(
        clinician_id=clinician_id,
        channels=sorted(prefs.channels),
        time_zone=prefs.time_zone,
        digest_hour=prefs.digest_hour,
        quiet_hours=QuietHoursIn(start=quiet.start, end=quiet.end) if quiet else None,
        normal_in_digest=prefs.normal_in_digest,
        updated_at=row["updated_at"] if row is not None else None,
    )


def _own(principal: Principal) -> str:
    if principal.kind is not PrincipalKind.CLINICIAN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only a clinician has preferences")
    return principal.subject


def _for(principal: Principal, clinician_id: str) -> str:
    """An integration may manage anyone's; a clinician only their own."""
    if principal.kind is PrincipalKind.SERVICE or (
        principal.kind is PrincipalKind.CLINICIAN and principal.subject == clinician_id
    ):
        return clinician_id
    raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not your notification preferences")


async def _read(pool: asyncpg.Pool, clinician_id: str) -> PreferencesOut:
    async with pool.acquire() as conn:
        return _out(clinician_id, await repository.get(conn, clinician_id))


async def _write(
    pool: asyncpg.Pool, ctx: ContextDep, clinician_id: str, body: PreferencesIn
) -> PreferencesOut:
    async with pool.acquire() as conn:
        row = await repository.put(conn, clinician_id, body.to_domain(), ctx.clock())
    return _out(clinician_id, row)


@router.get("/clinicians/me/notification-preferences", summary="My notification preferences")
async def get_mine(principal: CurrentPrincipal, pool: PoolDep) -> PreferencesOut:
    return await _read(pool, _own(principal))


@router.put("/clinicians/me/notification-preferences", summary="Set my notification preferences")
async def put_mine(
    body: PreferencesIn, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> PreferencesOut:
    return await _write(pool, ctx, _own(principal), body)


@router.get(
    "/clinicians/{clinician_id}/notification-preferences",
    summary="A clinician's notification preferences (an integration, or the clinician)",
)
async def get_for(clinician_id: str, principal: CurrentPrincipal, pool: PoolDep) -> PreferencesOut:
    return await _read(pool, _for(principal, clinician_id))


@router.put(
    "/clinicians/{clinician_id}/notification-preferences",
    summary="Set a clinician's notification preferences (an integration, or the clinician)",
)
async def put_for(
    clinician_id: str,
    body: PreferencesIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
) -> PreferencesOut:
    return await _write(pool, ctx, _for(principal, clinician_id), body)
