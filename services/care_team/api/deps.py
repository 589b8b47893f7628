from typing import Annotated

from fastapi import Depends, Request

from services.care_team.context import CareTeamContext


async def get_context(  # async: a plain def would run in a worker thread
    request: Request,
) -> CareTeamContext:
    context: CareTeamContext = request.app.state.care_team
    return context


ContextDep = Annotated[CareTeamContext, Depends(get_context)]
