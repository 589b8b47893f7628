from typing import Annotated

from fastapi import Depends, Request

from services.scheduling.context import SchedulingContext


async def get_context(  # async: a plain def would run in a worker thread
    request: Request,
) -> SchedulingContext:
    context: SchedulingContext = request.app.state.scheduling
    return context


ContextDep = Annotated[SchedulingContext, Depends(get_context)]
