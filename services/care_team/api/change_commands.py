"""Prescription changes over HTTP, committed in groups (shared/group_commit.py): requests
that arrive together share one transaction and one locked working set of their patients
(prescriptions.changes_of), as a Kafka batch does. A command keyed by (patient, prescription)
refuses with an HTTPException only before it changes anything, so a refused request leaves
its neighbours' batch intact."""

import contextlib
from collections.abc import Callable, Sequence
from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, Request

from services.care_team.context import CareTeamContext
from services.care_team.prescriptions import changes_of
from services.care_team.settings import CareTeamSettings
from shared.db import Connection
from shared.group_commit import GroupCommit

ChangeKey = tuple[str, str]  # (patient, prescription)
ChangeCommands = GroupCommit[ChangeKey]


def change_commands(
    pool_of: Callable[[], asyncpg.Pool], ctx: CareTeamContext, settings: CareTeamSettings
) -> ChangeCommands:
    def scope(
        conn: Connection, keys: Sequence[ChangeKey]
    ) -> contextlib.AbstractAsyncContextManager[None]:
        return changes_of(conn, ctx, [p for p, _ in keys], [rx for _, rx in keys])

    return GroupCommit(
        pool_of=pool_of,
        scope=scope,
        refusals=(HTTPException,),
        max_batch=settings.change_batch_max,
        workers=settings.change_batch_workers,
    )


async def get_change_commands(request: Request) -> ChangeCommands:
    commands: ChangeCommands = request.app.state.change_commands
    return commands


ChangeCommandsDep = Annotated[ChangeCommands, Depends(get_change_commands)]
