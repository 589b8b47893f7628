from typing import Annotated

from fastapi import Depends, Request

from services.scheduling.context import SchedulingContext


def get_context(request: Request) -> SchedulingContext:
    context: SchedulingContext = request.app.state.scheduling
    return context


ContextDep = Annotated[SchedulingContext, Depends(get_context)]
