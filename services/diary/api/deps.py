"""Request dependencies of the diary's routes."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


async def request_time(  # async: a plain def would run in a worker thread
    request: Request,
) -> datetime:
    """The service clock's now (a test clock in tests): one reading per request."""
    clock: Clock = request.app.state.clock
    return clock()


NowDep = Annotated[datetime, Depends(request_time)]
