"""Prescription changes over HTTP, committed in groups (shared/group_commit.py): requests
that arrive together share one transaction: their access checks and audit rows in one
statement, then one locked working set of their patients (prescriptions.changes_of), as a
Kafka batch has. A command refuses with an HTTPException only before it changes anything,
so a refused request leaves its neighbours' batch intact."""

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, Request

from services.care_team import batch_memo
from services.care_team.api.access import (
    Attempt,
    acting_prescriber,
    authorize_many,
    not_found,
    prescriber_in_role,
)
from services.care_team.context import CareTeamContext
from services.care_team.prescriptions import changes_of
from services.care_team.settings import CareTeamSettings
from shared.auth import Principal
from shared.db import Connection
from shared.events.prescriptions import Prescriber
from shared.group_commit import GroupCommit


@dataclass(frozen=True)
class ChangeKey:
    patient_id: str
    prescription_id: str
    principal: Principal  # who asks: checked and audited when the batch admits it


ChangeCommands = GroupCommit[ChangeKey]


async def _admit(conn: Connection, keys: Sequence[ChangeKey]) -> list[HTTPException | None]:
    """404 for whoever may not write the patient's data, 403 for a team member who does not
    prescribe; every attempt audited."""
    decided = await authorize_many(
        conn, [Attempt(k.principal, k.patient_id, "write", "prescription") for k in keys]
    )
    refusals: list[HTTPException | None] = []
    for key, (allowed, role) in zip(keys, decided, strict=True):
        if not allowed:
            refusals.append(not_found())
            continue
        try:
            prescriber_in_role(key.principal, role)
            refusals.append(None)
        except HTTPException as refused:
            refusals.append(refused)
    return refusals


def acting_prescriber_of(principal: Principal, patient_id: str) -> Prescriber:
    """Inside an admitted command: the principal as a prescriber on the patient's team as
    read with the patient locked (403, before any change, should their role have changed
    since admission)."""
    memo = batch_memo.current()
    if memo is None:
        raise RuntimeError("a change command runs inside prescriptions.changes_of")
    return acting_prescriber(principal, memo.teams.get(patient_id, {}))


def change_commands(
    pool_of: Callable[[], asyncpg.Pool], ctx: CareTeamContext, settings: CareTeamSettings
) -> ChangeCommands:
    def scope(
        conn: Connection, keys: Sequence[ChangeKey]
    ) -> contextlib.AbstractAsyncContextManager[None]:
        return changes_of(
            conn, ctx, [k.patient_id for k in keys], [k.prescription_id for k in keys]
        )

    return GroupCommit(
        pool_of=pool_of,
        scope=scope,
        refusals=(HTTPException,),
        admit=_admit,
        max_batch=settings.change_batch_max,
        workers=settings.change_batch_workers,
    )


async def get_change_commands(request: Request) -> ChangeCommands:
    commands: ChangeCommands = request.app.state.change_commands
    return commands


ChangeCommandsDep = Annotated[ChangeCommands, Depends(get_change_commands)]
